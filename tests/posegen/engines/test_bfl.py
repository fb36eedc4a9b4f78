"""The `bfl` engine against a fake Black Forest Labs API (x-key, submit, poll, signed sample URL)."""

from __future__ import annotations

import base64
import json
import logging
import time

import pytest

from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance
from posegen.engines.base import EngineError, ModerationRejected, TransientEngineError
from posegen.engines.http import url_check
from tests.factories import ProjectFactory
from tests.fakes.bfl import FakeBFL, decode_b64_image
from tests.posegen.engines.conftest import decoded_size, engine_request
from tests.posegen.engines.helpers import avatar_bytes, generate

KEY = "bfl-test-key-5d1f0c9e7a"


@pytest.fixture
def bfl(engine_settings, settings):
    with FakeBFL(key=KEY) as fake:
        settings.BFL_API_KEY = KEY
        settings.BFL_API_URL = fake.url
        settings.BFL_MODEL = "flux-2-pro"
        engine_settings("bfl")
        yield fake


def _engine():
    from posegen.engines import engine_get

    return engine_get()


def test_generate_submits_both_references_polls_and_downloads_the_sample(bfl):
    request = engine_request(seed=77, prompt="a man in a linen suit")
    result = _engine().generate(request)

    [submit] = bfl.calls("POST", "/v1/")
    assert submit.path == "/v1/flux-2-pro" and submit.headers["x-key"] == KEY
    body = submit.json
    assert base64.b64decode(body["input_image"]) == request.avatar_image
    assert base64.b64decode(body["input_image_2"]) == request.controlnet_map
    assert decode_b64_image(body["input_image_2"]) == (96, 144)
    assert (body["seed"], body["width"], body["height"], body["output_format"]) == (77, 96, 144, "png")
    assert "image 2" in body["prompt"] and "image 1" in body["prompt"] and "a man in a linen suit" in body["prompt"]
    # exactly the documented FLUX.2 fields (docs.bfl.ai: flux-2 request body); no prompt_upsampling there
    assert set(body) == {"prompt", "input_image", "input_image_2", "seed", "width", "height", "output_format",
                         "safety_tolerance"}
    polls = bfl.calls("GET", "/v1/get_result")
    assert len(polls) == 3 and all(p.headers["x-key"] == KEY for p in polls)  # Pending, Pending, Ready
    [sample] = bfl.calls("GET", "/delivery/")
    assert "x-key" not in sample.headers  # the signed URL is fetched without the key
    assert decoded_size(result.image) == (96, 144) and result.seed == 77
    assert result.metadata["costUsd"] == 0.04 and result.metadata["polls"] == 3
    assert result.metadata["latencySeconds"] > 0
    json.dumps(result.metadata)


def test_kontext_models_get_an_aspect_ratio(bfl, settings):
    settings.BFL_MODEL = "flux-kontext-pro"
    from posegen import engines

    engines._engine.cache_clear()
    bfl.outcomes.append("ready")
    with pytest.raises(EngineError):  # the fake renders 1024x1024 without a size: wrong aspect, refused
        _engine().generate(engine_request())
    body = bfl.calls("POST", "/v1/flux-kontext-pro")[0].json
    assert body["aspect_ratio"] == "2:3" and "width" not in body


def test_background_is_text_to_image(bfl):
    result = _engine().generate_background(prompt="a rooftop at dusk", width=250, height=300, seed=3)
    body = bfl.calls("POST", "/v1/")[0].json
    assert "input_image" not in body and "a rooftop at dusk" in body["prompt"]
    assert (body["width"], body["height"]) == (256, 304)  # multiples of 16
    assert decoded_size(result.image) == (250, 300) and result.metadata["kind"] == "background"


@pytest.mark.parametrize("outcome", ["request_moderated", "content_moderated"])
def test_moderation_is_final_with_a_readable_reason(bfl, outcome):
    bfl.outcomes.append(outcome)
    with pytest.raises(ModerationRejected) as info:
        _engine().generate(engine_request())
    assert not info.value.retryable and "content rules" in info.value.user_message
    assert len(bfl.calls("POST", "/v1/")) == 1 and not bfl.calls("GET", "/delivery/")


def test_429_with_retry_after_and_5xx_are_retried_then_succeed(bfl):
    bfl.fail("/v1/flux-2-pro", status=429, headers={"Retry-After": "0.3"}, body={"detail": "Too many"})
    bfl.fail("/v1/get_result", status=503)
    started = time.monotonic()
    result = _engine().generate(engine_request())
    assert decoded_size(result.image) == (96, 144)
    assert len(bfl.calls("POST", "/v1/")) == 2 and time.monotonic() - started >= 0.3


def test_a_known_pose_is_given_as_a_clothed_mannequin_reference(bfl, settings):
    import dataclasses

    from posegen.posekit.skeleton import make_pose, pose_to_dict

    settings.POSEGEN_POSE_REFERENCE = "mannequin"
    request = dataclasses.replace(engine_request(), pose_structure=pose_to_dict(pose=make_pose()))
    result = _engine().generate(request)
    body = bfl.calls("POST", "/v1/")[0].json
    reference = base64.b64decode(body["input_image_2"])
    assert reference != request.controlnet_map and decode_b64_image(body["input_image_2"]) == (96, 144)
    assert "a plain studio mannequin" in body["prompt"] and result.metadata["poseReference"] == "mannequin"


def test_a_field_outside_the_documented_schema_is_refused_by_the_api_and_not_retried(bfl, settings):
    settings.BFL_MODEL = "flux-2-klein-4b"
    from posegen import engines

    engines._engine.cache_clear()
    engine = _engine()
    with pytest.raises(EngineError) as info:  # what the engine sent before FLUX.2's schema was checked
        engine._submit("flux-2-klein-4b", {"prompt": "p", "prompt_upsampling": False, "input_image_5": "x"})
    assert not info.value.retryable and "422" in str(info.value)
    engine._submit("flux-2-klein-4b", {"prompt": "p", "input_image": "x", "input_image_4": "y", "width": 64})


def test_402_insufficient_credits_is_not_retried(bfl):
    bfl.fail("/v1/flux-2-pro", status=402, body={"detail": "Insufficient credits"})
    with pytest.raises(EngineError) as info:
        _engine().generate(engine_request())
    assert not info.value.retryable and len(bfl.calls("POST", "/v1/")) == 1


def test_a_poll_that_times_out_is_retried(bfl, settings):
    settings.ENGINE_HTTP_TIMEOUT = 0.3
    from posegen import engines

    engines._engine.cache_clear()
    bfl.fail("/v1/get_result", stall=0.8)
    assert decoded_size(_engine().generate(engine_request()).image) == (96, 144)


def test_malformed_json_and_error_status_are_transient(bfl):
    bfl.fail("/v1/get_result", malformed=True)
    with pytest.raises(TransientEngineError):
        _engine().generate(engine_request())
    bfl.outcomes.append("error")
    with pytest.raises(TransientEngineError):
        _engine().generate(engine_request())


@pytest.mark.parametrize("outcome", ["foreign_polling_url", "foreign_sample"])
def test_urls_off_the_providers_host_are_never_fetched(engine_settings, settings, outcome):
    with FakeBFL(key=KEY) as evil, FakeBFL(key=KEY) as bfl:
        bfl.foreign_url = evil.url  # another loopback origin: not the configured one
        settings.BFL_API_KEY, settings.BFL_API_URL = KEY, bfl.url
        engine_settings("bfl")
        bfl.outcomes.append(outcome)
        with pytest.raises(EngineError, match="unexpected host"):
            _engine().generate(engine_request())
        assert evil.requests == []


def test_url_check_accepts_https_provider_hosts_only():
    hosts = [".bfl.ai", "queue.fal.run"]
    assert url_check("https://api.us1.bfl.ai/v1/get_result?id=1", allowed_hosts=hosts)
    assert url_check("https://delivery-eu1.bfl.ai/results/x.png?sig=1", allowed_hosts=hosts)
    assert url_check("https://queue.fal.run/fal-ai/x/requests/1", allowed_hosts=hosts)
    assert url_check("http://127.0.0.1:9/v1/x", allowed_hosts=hosts, configured_base="http://127.0.0.1:9")
    for bad in ["http://api.bfl.ai/v1/x", "https://bfl.ai.evil.com/x", "https://evilbfl.ai/x", "file:///etc/passwd",
                "https://fal.run.evil/x", "http://127.0.0.1:10/v1/x", "https://169.254.169.254/latest"]:
        with pytest.raises(EngineError):
            url_check(bad, allowed_hosts=hosts, configured_base="http://127.0.0.1:9")


def test_missing_key_is_a_configuration_error(engine_settings, settings):
    settings.BFL_API_KEY = ""
    engine_settings("bfl")
    with pytest.raises(EngineError) as info:
        _engine().generate(engine_request())
    assert not info.value.retryable


def test_the_key_is_never_logged(bfl, caplog):
    bfl.fail("/v1/flux-2-pro", status=500, body={"detail": f"bad key {KEY}"}, times=2)
    with caplog.at_level(logging.DEBUG):
        _engine().generate(engine_request())
        bfl.fail("/v1/flux-2-pro", status=402, body={"detail": f"no credits for {KEY}"})
        with pytest.raises(EngineError) as info:
            _engine().generate(engine_request())
    assert KEY not in caplog.text and KEY not in str(info.value) and "[redacted]" in caplog.text


# --- end to end ----------------------------------------------------------------------------------------
e2e = pytest.mark.django_db(transaction=True)


@e2e
def test_generation_through_bfl_end_to_end(auth_client, celery_worker, bfl):
    project = ProjectFactory(user=auth_client.user)
    generation, poses = generate(auth_client, project, poses=1, batch=2, seed=50)
    assert generation.status == "completed", [p.error_message for p in poses]
    assert credits_balance(user_id=auth_client.user.pk) == 40
    submits = bfl.calls("POST", "/v1/")
    assert sorted(s.json["seed"] for s in submits) == [50, 51]
    assert all(base64.b64decode(s.json["input_image"]) == avatar_bytes(project) for s in submits)
    assert all(decode_b64_image(s.json["input_image_2"]) == (96, 144) for s in submits)


@e2e
def test_bfl_moderation_fails_the_image_and_refunds_without_retry(auth_client, celery_worker, bfl):
    bfl.outcomes.append("content_moderated")
    project = ProjectFactory(user=auth_client.user)
    generation, [pose] = generate(auth_client, project)
    assert generation.status == "failed" and pose.attempts == 1 and pose.refunded
    assert pose.error_message == "The image service declined this image under its content rules; it was refunded."
    assert len(bfl.calls("POST", "/v1/")) == 1
    assert credits_balance(user_id=auth_client.user.pk) == 100


@e2e
def test_bfl_expired_sample_is_retried_by_the_pipeline(auth_client, celery_worker, bfl):
    bfl.outcomes.append("expired_sample")
    project = ProjectFactory(user=auth_client.user)
    generation, [pose] = generate(auth_client, project)
    assert generation.status == "completed" and pose.attempts == 2
    assert len(bfl.calls("POST", "/v1/")) == 2
    assert credits_balance(user_id=auth_client.user.pk) == 70


@e2e
def test_bfl_task_not_found_every_time_fails_after_max_attempts_and_refunds_once(auth_client, celery_worker, bfl,
                                                                                 settings):
    bfl.outcomes.extend(["task_not_found"] * 5)
    project = ProjectFactory(user=auth_client.user)
    generation, [pose] = generate(auth_client, project)
    assert generation.status == "failed" and pose.attempts == settings.POSEGEN_ENGINE_MAX_ATTEMPTS
    assert credits_balance(user_id=auth_client.user.pk) == 100
    assert LedgerEntry.objects.filter(wallet_id=auth_client.user.pk, kind="refund").count() == 1
