"""The `fal` engine against a fake fal.ai queue API (Authorization: Key, status polling, result)."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from lumiku.credits.selectors import credits_balance
from posegen.engines.base import BadEngineInput, EngineError, ModerationRejected, TransientEngineError
from tests.factories import ProjectFactory
from tests.fakes.fal import FakeFal
from tests.posegen.engines.conftest import decoded_size, engine_request
from tests.posegen.engines.helpers import avatar_bytes, generate

KEY = "fal-key-id:3f9a0c1b2d4e5f60"


@pytest.fixture
def fal(engine_settings, settings):
    with FakeFal(key=KEY) as fake:
        settings.FAL_KEY = KEY
        settings.FAL_QUEUE_URL = fake.url
        engine_settings("fal")
        yield fake


def _engine():
    from posegen.engines import engine_get

    return engine_get()


def _data(uri: str) -> bytes:
    assert uri.startswith("data:image/png;base64,")
    return base64.b64decode(uri.split(",", 1)[1])


def test_generate_queues_flux2_klein_edit_with_the_avatar_and_the_pose_reference(fal, settings):
    import dataclasses

    from posegen.posekit.skeleton import make_pose, pose_to_dict

    settings.POSEGEN_POSE_REFERENCE = "mannequin"
    request = dataclasses.replace(engine_request(seed=31, prompt="a red kebaya"),
                                  pose_structure=pose_to_dict(pose=make_pose()))
    result = _engine().generate(request)
    [submit] = fal.calls("POST")
    assert submit.path == "/fal-ai/flux-2/klein/4b/edit" and submit.headers["authorization"] == f"Key {KEY}"
    body = submit.json
    # the fields fal documents for this model (llms.txt input schema + image_urls), nothing else
    assert set(body) == {"prompt", "image_urls", "image_size", "seed", "num_inference_steps", "num_images"}
    avatar, reference = (_data(u) for u in body["image_urls"])
    assert avatar == request.avatar_image and reference != request.controlnet_map  # a rendered mannequin
    assert decoded_size(reference) == (96, 144)
    assert body["prompt"].startswith("Image 1 is a photo of a person") and body["prompt"].endswith("a red kebaya")
    assert (body["seed"], body["image_size"], body["num_inference_steps"]) == (31, {"width": 96, "height": 144}, 4)
    assert decoded_size(result.image) == (96, 144) and result.metadata["poseReference"] == "mannequin"
    assert result.metadata["costUsd"] == 0.01  # FAL_COST_PER_MEGAPIXEL_USD at its documented $0.01/MP


def test_a_field_outside_the_models_documented_schema_is_a_422(fal):
    engine = _engine()
    request_id, _status, response_url = engine._submit("fal-ai/flux-2/klein/4b/edit", {
        "prompt": "p", "image_urls": ["data:image/png;base64,AA=="], "guidance_scale": 3.5})
    with pytest.raises(BadEngineInput, match="guidance_scale"):
        engine._result(request_id, response_url)


def test_flux_general_keeps_the_pose_controlnet_and_avatar_ip_adapter(fal, settings):
    settings.FAL_MODEL = "fal-ai/flux-general"
    from posegen import engines

    engines._engine.cache_clear()
    request = engine_request(seed=31, weight=0.6)
    result = _engine().generate(request)

    [submit] = fal.calls("POST")
    assert submit.path == "/fal-ai/flux-general" and submit.headers["authorization"] == f"Key {KEY}"
    body = submit.json
    assert body["seed"] == 31 and body["image_size"] == {"width": 96, "height": 144}
    [union] = body["controlnet_unions"]
    [control] = union["controls"]
    assert control["control_mode"] == "pose" and control["conditioning_scale"] == 0.6
    assert _data(control["control_image_url"]) == request.controlnet_map
    assert union["path"] == "Shakker-Labs/FLUX.1-dev-ControlNet-Union-Pro"
    [adapter] = body["ip_adapters"]
    assert _data(adapter["image_url"]) == request.avatar_image
    statuses = fal.calls("GET", "/fal-ai/flux-general/requests/")
    assert all(r.headers["authorization"] == f"Key {KEY}" for r in statuses)
    assert len([r for r in statuses if r.path.endswith("/status")]) == 3  # IN_QUEUE, IN_PROGRESS, COMPLETED
    [image] = fal.calls("GET", "/files/")
    assert "authorization" not in image.headers
    assert decoded_size(result.image) == (96, 144) and result.seed == 31
    assert result.metadata["costUsd"] == 0.01 and result.metadata["inferenceSeconds"] == 0.42
    json.dumps(result.metadata)


def test_data_uri_results_are_decoded(fal):
    fal.outcomes.append("data_uri")
    assert decoded_size(_engine().generate(engine_request()).image) == (96, 144)
    assert not fal.calls("GET", "/files/")


def test_background_uses_the_text_to_image_model(fal):
    result = _engine().generate_background(prompt="marble lobby", width=160, height=96, seed=2)
    [submit] = fal.calls("POST")
    assert submit.path == "/fal-ai/flux-2/klein/4b" and "image_urls" not in submit.json
    assert set(submit.json) == {"prompt", "image_size", "seed", "num_images", "num_inference_steps"}
    assert submit.json["prompt"].startswith("marble lobby. Empty scene")
    assert decoded_size(result.image) == (160, 96)


@pytest.mark.parametrize("outcome", ["nsfw", "policy"])
def test_moderation_is_final(fal, outcome):
    fal.outcomes.append(outcome)
    with pytest.raises(ModerationRejected) as info:
        _engine().generate(engine_request())
    assert "content rules" in info.value.user_message and len(fal.calls("POST")) == 1


def test_validation_errors_are_bad_input(fal):
    fal.outcomes.append("validation")
    with pytest.raises(BadEngineInput):
        _engine().generate(engine_request())


def test_429_and_5xx_are_retried(fal):
    fal.fail("/fal-ai/flux-2/klein/4b/edit", method="POST", status=429, headers={"Retry-After": "0"})
    fal.fail("/fal-ai/flux-2/klein/4b/edit/requests/", method="GET", status=500, times=2)
    assert decoded_size(_engine().generate(engine_request()).image) == (96, 144)
    assert len(fal.calls("POST")) == 2


def test_expired_image_url_and_malformed_status_are_transient(fal):
    fal.outcomes.append("expired_image")
    with pytest.raises(TransientEngineError):
        _engine().generate(engine_request())
    fal.fail("/fal-ai/flux-2/klein/4b/edit/requests/", method="GET", malformed=True)
    with pytest.raises(TransientEngineError):
        _engine().generate(engine_request())


def test_image_urls_off_the_providers_hosts_are_never_fetched(engine_settings, settings):
    with FakeFal(key=KEY) as evil, FakeFal(key=KEY) as fal:
        fal.foreign_url = evil.url
        settings.FAL_KEY, settings.FAL_QUEUE_URL = KEY, fal.url
        engine_settings("fal")
        fal.outcomes.append("foreign_image")
        with pytest.raises(EngineError, match="unexpected host"):
            _engine().generate(engine_request())
        assert evil.requests == []


def test_wrong_key_is_a_configuration_error_and_the_key_is_never_logged(fal, settings, caplog):
    settings.FAL_KEY = KEY + "-wrong"
    from posegen import engines

    engines._engine.cache_clear()
    with caplog.at_level(logging.DEBUG), pytest.raises(EngineError) as info:
        _engine().generate(engine_request())
    assert not info.value.retryable
    assert KEY not in caplog.text and KEY not in str(info.value)


e2e = pytest.mark.django_db(transaction=True)


@e2e
def test_generation_through_fal_end_to_end(auth_client, celery_worker, fal):
    project = ProjectFactory(user=auth_client.user)
    generation, poses = generate(auth_client, project, poses=2, seed=60)
    assert generation.status == "completed", [p.error_message for p in poses]
    assert credits_balance(user_id=auth_client.user.pk) == 40
    submits = fal.calls("POST")
    assert [s.json["seed"] for s in submits] == [60, 60]  # one seed for the shoot
    # one shoot: every pose gets the same avatar as image 1
    assert all(_data(s.json["image_urls"][0]) == avatar_bytes(project) for s in submits)


@e2e
def test_fal_nsfw_fails_and_refunds_without_retry(auth_client, celery_worker, fal):
    fal.outcomes.append("nsfw")
    project = ProjectFactory(user=auth_client.user)
    generation, [pose] = generate(auth_client, project)
    assert generation.status == "failed" and pose.attempts == 1 and pose.refunded
    assert "content rules" in pose.error_message
    assert credits_balance(user_id=auth_client.user.pk) == 100
