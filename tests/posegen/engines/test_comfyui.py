"""The `comfyui` engine against a fake ComfyUI speaking its HTTP + WebSocket protocol."""

from __future__ import annotations

import io
import json
import logging
import threading
import time

import pytest
from PIL import Image

from lumiku.core.storage import storage_read
from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance
from posegen.engines.base import EngineError, TransientEngineError
from posegen.engines.comfyui.workflow import (
    DEFAULT_POSE_WORKFLOW,
    FLUX1_POSE_WORKFLOW,
    REQUIRED_POSE,
    WorkflowError,
    workflow_load,
    workflow_render,
)
from tests.factories import ProjectFactory
from tests.fakes.comfyui import FakeComfyUI
from tests.posegen.engines.conftest import decoded_size, engine_request
from tests.posegen.engines.helpers import avatar_bytes, generate

API_KEY = "cfy-secret-token-0123456789"


def _by_class(graph: dict, class_type: str) -> list[tuple[str, dict]]:
    return [(i, n) for i, n in graph.items() if n["class_type"] == class_type]


def _values(**extra):
    return {"prompt": "p", "negative_prompt": "n", "seed": 5, "width": 96, "height": 144, "controlnet_weight": 0.7,
            "union_type": "auto", "steps": 28, "guidance": 3.5, "avatar_strength": 0.6,
            "avatar_image": "a.png", "pose_image": "p.png", **extra}


# --- the workflow ------------------------------------------------------------------------------------
def test_flux1_workflow_sends_union_type_auto_and_wires_pose_and_avatar():
    graph = workflow_render(workflow_load(FLUX1_POSE_WORKFLOW, required=REQUIRED_POSE), values=_values())
    [(union_id, union)] = _by_class(graph, "SetUnionControlNetType")
    assert union["inputs"]["type"] == "auto"  # not "openpose": ComfyUI #4823 (selects canny on FLUX union)
    [(_, apply)] = _by_class(graph, "ControlNetApplyAdvanced")
    assert apply["inputs"]["control_net"] == [union_id, 0]
    assert graph[apply["inputs"]["image"][0]]["inputs"]["image"] == "p.png"
    assert apply["inputs"]["strength"] == 0.7
    [(_, vision)] = _by_class(graph, "CLIPVisionEncode")
    assert graph[vision["inputs"]["image"][0]]["inputs"]["image"] == "a.png"
    [(_, sampler)] = _by_class(graph, "KSampler")
    assert sampler["inputs"]["seed"] == 5 and isinstance(sampler["inputs"]["seed"], int)
    [(_, latent)] = _by_class(graph, "EmptySD3LatentImage")
    assert (latent["inputs"]["width"], latent["inputs"]["height"]) == (96, 144)
    assert {n["class_type"] for n in graph.values()} >= {"UNETLoader", "DualCLIPLoader", "VAELoader", "FluxGuidance",
                                                         "ControlNetLoader", "SaveImage"}
    [(_, clip)] = _by_class(graph, "DualCLIPLoader")
    assert clip["inputs"]["type"] == "flux"


def test_an_operator_workflow_with_openpose_union_type_is_sent_as_auto(tmp_path, caplog):
    graph = json.loads(FLUX1_POSE_WORKFLOW.read_text())
    union_id = next(i for i, n in graph.items() if n["class_type"] == "SetUnionControlNetType")
    graph[union_id]["inputs"]["type"] = "openpose"
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(graph))
    with caplog.at_level(logging.WARNING):
        rendered = workflow_render(workflow_load(path, required=REQUIRED_POSE), values=_values())
    assert rendered[union_id]["inputs"]["type"] == "auto"
    assert "4823" in caplog.text


def test_a_workflow_without_the_pose_placeholder_is_refused_at_load(tmp_path):
    graph = json.loads(DEFAULT_POSE_WORKFLOW.read_text())
    for node in graph.values():
        if node["inputs"].get("image") == "{{pose_image}}":
            node["inputs"]["image"] = "fixed.png"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(graph))
    with pytest.raises(WorkflowError, match="pose_image"):
        workflow_load(path, required=REQUIRED_POSE)


def test_braces_in_the_users_prompt_are_kept_as_text():
    graph = workflow_render(workflow_load(DEFAULT_POSE_WORKFLOW, required=REQUIRED_POSE),
                            values=_values(prompt="logo {{seed}} text"))
    assert any(n["inputs"].get("text") == "logo {{seed}} text" for n in graph.values())


# --- the engine, called directly -----------------------------------------------------------------------
@pytest.fixture
def comfy(engine_settings, settings):
    with FakeComfyUI() as fake:
        settings.COMFYUI_URLS = [fake.url]
        settings.COMFYUI_API_KEY = API_KEY
        settings.COMFYUI_COST_PER_IMAGE_USD = 0.004
        engine_settings("comfyui")
        yield fake


def _engine():
    from posegen.engines import engine_get

    return engine_get()


def test_generate_uploads_both_images_submits_the_graph_and_downloads_the_result(comfy, settings):
    settings.COMFYUI_MODEL = "flux1-dev"  # the ControlNet workflow: the skeleton itself is the pose input
    request = engine_request(seed=123, weight=0.55)
    result = _engine().generate(request)

    uploads = comfy.calls("POST", "/upload/image")
    uploaded = {rec.files["image"][0]: rec.files["image"][1] for rec in uploads}
    assert request.avatar_image in uploaded.values() and request.controlnet_map in uploaded.values()
    [submit] = comfy.calls("POST", "/prompt")
    graph = submit.json["prompt"]
    names = {n["inputs"]["image"] for _, n in _by_class(graph, "LoadImage")}
    assert names == set(uploaded)
    pose_name = next(k for k, v in uploaded.items() if v == request.controlnet_map)
    [(_, apply)] = _by_class(graph, "ControlNetApplyAdvanced")
    assert graph[apply["inputs"]["image"][0]]["inputs"]["image"] == pose_name
    assert apply["inputs"]["strength"] == 0.55
    assert _by_class(graph, "SetUnionControlNetType")[0][1]["inputs"]["type"] == "auto"
    assert _by_class(graph, "KSampler")[0][1]["inputs"]["seed"] == 123
    assert any(n["inputs"].get("text") == request.prompt for n in graph.values())
    # the WebSocket was opened with the same client id, before the prompt was submitted
    [ws] = comfy.calls("GET", "/ws")
    assert ws.query["clientId"] == submit.json["client_id"]
    assert comfy.requests.index(ws) < comfy.requests.index(submit)
    # history is read as the source of truth, then the image is downloaded via /view
    assert comfy.calls("GET", f"/history/{result.metadata['promptId']}")
    [view] = comfy.calls("GET", "/view")
    assert view.query["type"] == "output" and view.query["subfolder"] == "lumiku"
    assert decoded_size(result.image) == (96, 144) and (result.width, result.height, result.seed) == (96, 144, 123)
    assert result.metadata["costUsd"] == 0.004 and result.metadata["latencySeconds"] > 0
    assert result.metadata["via"] == "websocket" and result.metadata["progressEvents"] == 3
    json.dumps(result.metadata)  # the pipeline stores it
    # the key went in every request's header (HTTP and the WebSocket handshake)
    assert all(r.headers.get("authorization") == f"Bearer {API_KEY}" for r in comfy.requests)


@pytest.mark.parametrize("mode", ["drop_ws", "silent", "history_late"])
def test_history_is_the_source_of_truth_when_events_are_lost(comfy, mode):
    comfy.modes.append(mode)
    result = _engine().generate(engine_request())
    assert decoded_size(result.image) == (96, 144)
    assert result.metadata["via"] == ("history" if mode == "drop_ws" else "websocket")


def test_background_uses_text_to_image_workflow_without_uploads(comfy):
    result = _engine().generate_background(prompt="a sunlit loft with plants", width=128, height=96, seed=9)
    assert not comfy.calls("POST", "/upload/image")
    graph = comfy.calls("POST", "/prompt")[0].json["prompt"]
    assert not _by_class(graph, "LoadImage") and not _by_class(graph, "ControlNetApplyAdvanced")
    assert any(n["inputs"].get("text", "").startswith("a sunlit loft with plants. Empty scene") for n in graph.values())
    assert _by_class(graph, "KSampler")[0][1]["inputs"]["seed"] == 9
    assert (result.width, result.height) == (128, 96) == decoded_size(result.image)
    assert result.metadata["kind"] == "background"


def test_background_of_an_odd_size_is_asked_in_multiples_of_16_and_returned_exact(comfy):
    result = _engine().generate_background(prompt="beach", width=1001, height=667, seed=1)
    [(_, latent)] = _by_class(comfy.calls("POST", "/prompt")[0].json["prompt"], "EmptyFlux2LatentImage")
    assert (latent["inputs"]["width"], latent["inputs"]["height"]) == (1008, 672)
    assert decoded_size(result.image) == (1001, 667) == (result.width, result.height)


def test_node_errors_are_not_retried(comfy):
    comfy.modes.append("node_errors")
    with pytest.raises(EngineError) as info:
        _engine().generate(engine_request())
    assert not isinstance(info.value, TransientEngineError)
    assert "ControlNetLoader" in str(info.value) and len(comfy.calls("POST", "/prompt")) == 1


def test_out_of_memory_is_transient_other_execution_errors_are_not(comfy):
    comfy.modes.extend(["oom", "execution_error"])
    with pytest.raises(TransientEngineError):
        _engine().generate(engine_request())
    with pytest.raises(EngineError) as info:
        _engine().generate(engine_request())
    assert not info.value.retryable and "KSampler" in str(info.value)


def test_429_and_5xx_are_retried_with_backoff_honouring_retry_after(comfy):
    comfy.fail("/prompt", status=429, headers={"Retry-After": "0.3"}, times=1)
    comfy.fail("/prompt", status=502, times=1)
    started = time.monotonic()
    result = _engine().generate(engine_request())
    assert decoded_size(result.image) == (96, 144)
    submits = comfy.calls("POST", "/prompt")
    assert len(submits) == 3 and time.monotonic() - started >= 0.3


def test_unreachable_server_is_skipped_for_the_next_one(engine_settings, settings):
    import socket

    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead_url = f"http://127.0.0.1:{dead.getsockname()[1]}"
    dead.close()  # nothing listens there now
    settings.ENGINE_HTTP_RETRIES = 0
    with FakeComfyUI() as live:
        settings.COMFYUI_URLS = [dead_url, live.url]
        engine_settings("comfyui")
        for seed in range(3):
            result = _engine().generate(engine_request(seed=seed))
            assert result.metadata["server"] == live.url
        assert len(live.calls("POST", "/prompt")) == 3


def test_round_robin_with_a_per_server_concurrency_limit(engine_settings, settings):
    with FakeComfyUI(delay=0.25) as a, FakeComfyUI(delay=0.25) as b:
        settings.COMFYUI_URLS = [a.url, b.url]
        settings.COMFYUI_MAX_CONCURRENCY = 1
        engine_settings("comfyui")
        engine = _engine()
        errors: list[Exception] = []

        def one(seed):
            try:
                engine.generate(engine_request(seed=seed))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=one, args=(s,)) for s in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not errors
        assert len(a.calls("POST", "/prompt")) == len(b.calls("POST", "/prompt")) == 3
        assert a.max_in_flight == b.max_in_flight == 1


def test_the_api_key_is_never_logged(comfy, caplog):
    comfy.fail("/prompt", status=503, times=2, body={"detail": f"echo {API_KEY}"})
    with caplog.at_level(logging.DEBUG):
        _engine().generate(engine_request())
        comfy.modes.append("node_errors")
        with pytest.raises(EngineError) as info:
            _engine().generate(engine_request())
    assert API_KEY not in caplog.text and API_KEY not in str(info.value)
    assert "[redacted]" in caplog.text


# --- end to end: the real API, pipeline and Celery worker ------------------------------------------------
pytestmark_e2e = pytest.mark.django_db(transaction=True)


@pytestmark_e2e
def test_generation_through_comfyui_end_to_end(auth_client, celery_worker, comfy):
    project = ProjectFactory(user=auth_client.user)
    generation, poses = generate(auth_client, project, poses=2, seed=40)
    assert generation.status == "completed", [p.error_message for p in poses]
    assert credits_balance(user_id=auth_client.user.pk) == 100 - 60
    submits = comfy.calls("POST", "/prompt")
    # one seed for the whole shoot (POSEGEN_SEED_POLICY=shoot): both poses sampled with the generation's seed
    assert [_by_class(s.json["prompt"], "KSampler")[0][1]["inputs"]["seed"] for s in submits] == [40, 40]
    assert sorted(p.seed_used for p in poses) == [40, 40]  # stored as used, so each image can be reproduced
    avatar = avatar_bytes(project)
    uploads = [rec.files["image"][1] for rec in comfy.calls("POST", "/upload/image")]
    assert avatar in uploads
    references = [u for u in uploads if u != avatar]
    assert len(references) == 2 and all(decoded_size(m) == (96, 144) for m in references)
    for submit in submits:  # the default workflow: FLUX.2 [klein], avatar + mannequin as two references
        graph = submit.json["prompt"]
        assert [n["inputs"]["unet_name"] for _, n in _by_class(graph, "UNETLoader")] == ["flux-2-klein-4b.safetensors"]
        assert len(_by_class(graph, "ReferenceLatent")) == 4 and not _by_class(graph, "SetUnionControlNetType")
        [(_, latent)] = _by_class(graph, "EmptyFlux2LatentImage")
        assert (latent["inputs"]["width"], latent["inputs"]["height"]) == (96, 144)
        [(_, sampler)] = _by_class(graph, "KSampler")
        assert (sampler["inputs"]["steps"], sampler["inputs"]["cfg"]) == (4, 1.0)
        assert graph["4"]["inputs"]["text"].startswith("Image 1 is a photo of a person")
    for pose in poses:
        with Image.open(io.BytesIO(storage_read(pose.output_image.name))) as img:
            assert img.size == (96, 144)
            assert img.getpixel((0, 0)) == (pose.seed_used % 256, 90, 200)  # the fake's pixels, stored


@pytestmark_e2e
def test_comfyui_execution_error_fails_and_refunds_without_retry(auth_client, celery_worker, comfy):
    comfy.modes.append("execution_error")
    project = ProjectFactory(user=auth_client.user)
    generation, [pose] = generate(auth_client, project, seed=3)
    assert generation.status == "failed"
    assert pose.status == "failed" and pose.refunded and pose.attempts == 1
    assert pose.error_message == "The image server could not generate this image."
    assert len(comfy.calls("POST", "/prompt")) == 1
    assert credits_balance(user_id=auth_client.user.pk) == 100
    assert LedgerEntry.objects.filter(wallet_id=auth_client.user.pk, kind="refund").count() == 1


@pytestmark_e2e
def test_comfyui_out_of_memory_is_retried_by_the_pipeline_then_succeeds(auth_client, celery_worker, comfy):
    comfy.modes.append("oom")
    project = ProjectFactory(user=auth_client.user)
    generation, [pose] = generate(auth_client, project, seed=3)
    assert generation.status == "completed" and pose.attempts == 2
    assert len(comfy.calls("POST", "/prompt")) == 2
    assert credits_balance(user_id=auth_client.user.pk) == 70


@pytestmark_e2e
def test_comfyui_wrong_size_output_is_failed_and_refunded(auth_client, celery_worker, comfy):
    comfy.modes.append("wrong_size")
    project = ProjectFactory(user=auth_client.user)
    generation, [pose] = generate(auth_client, project)
    assert generation.status == "failed" and pose.refunded
    assert pose.error_message == "The engine returned an image of the wrong size."
    assert credits_balance(user_id=auth_client.user.pk) == 100


# --- the default edit workflows and the node-definition check (issue 21) ----------------------------
def test_default_klein_workflow_gives_the_avatar_and_the_pose_as_two_references():
    graph = workflow_render(workflow_load(DEFAULT_POSE_WORKFLOW, required=REQUIRED_POSE), values=_values())
    loads = {n["inputs"]["image"]: i for i, n in _by_class(graph, "LoadImage")}
    assert set(loads) == {"a.png", "p.png"}
    encoded = {graph[i]["inputs"]["pixels"][0]: i for i, _ in _by_class(graph, "VAEEncode")}
    [(_, sampler)] = _by_class(graph, "KSampler")

    def chain(node_id):  # the latents referenced along a conditioning chain, outermost first
        out = []
        while graph[node_id]["class_type"] == "ReferenceLatent":
            out.append(graph[node_id]["inputs"]["latent"][0])
            node_id = graph[node_id]["inputs"]["conditioning"][0]
        return out, graph[node_id]

    positive, text = chain(sampler["inputs"]["positive"][0])
    assert positive == [encoded[loads["p.png"]], encoded[loads["a.png"]]]  # image 1 avatar, image 2 pose
    assert text["inputs"]["text"] == "p"
    negative, text = chain(sampler["inputs"]["negative"][0])
    assert negative == positive and text["inputs"]["text"] == "n"
    assert (sampler["inputs"]["seed"], sampler["inputs"]["cfg"]) == (5, 3.5)  # placeholders filled, typed


@pytest.mark.parametrize("name", ["flux2-klein", "qwen-image-edit", "flux1-dev"])
def test_every_bundled_workflow_matches_comfyuis_node_definitions(name):
    from posegen.engines.comfyui.nodes import graph_check, node_definitions
    from posegen.engines.comfyui.workflow import MODELS, REQUIRED_BACKGROUND, SAMPLE_VALUES

    definitions = node_definitions()
    for path, required in ((MODELS[name].pose_workflow, REQUIRED_POSE),
                           (MODELS[name].background_workflow, REQUIRED_BACKGROUND)):
        graph = workflow_load(path, required=required)
        assert graph_check(workflow_render(graph, values=SAMPLE_VALUES), definitions=definitions) == []
        assert {n["class_type"] for n in graph.values()} <= set(definitions)


def test_the_definitions_snapshot_names_its_sources():
    from posegen.engines.comfyui.nodes import SNAPSHOT

    data = json.loads(SNAPSHOT.read_text())
    assert all(len(src["commit"]) == 40 and src["repo"].endswith("ComfyUI") for src in data["sources"].values())
    assert all(node["source"] in data["sources"] for node in data["nodes"].values())
    sampler = data["nodes"]["KSampler"]["input"]["required"]
    assert "euler" in sampler["sampler_name"][1]["options"] and "simple" in sampler["scheduler"][1]["options"]
    assert "flux2" in data["nodes"]["CLIPLoader"]["input"]["required"]["type"][1]["options"]


def _klein_graph():
    return json.loads(DEFAULT_POSE_WORKFLOW.read_text())


@pytest.mark.parametrize(("break_it", "message"), [
    (lambda g: g["15"].update(class_type="KSamplerTurbo"), "node 15 (KSamplerTurbo): unknown node class"),
    (lambda g: g["15"]["inputs"].update(sampler_name="euler_magic"), "'euler_magic' is not one of"),
    (lambda g: g["15"]["inputs"].update(denoise=1.5), "denoise: 1.5 is outside 0.0..1.0"),
    (lambda g: g["14"]["inputs"].update(batch_size="12"), "batch_size: '12' is not an integer"),
    (lambda g: g["15"]["inputs"].pop("scheduler"), "required input 'scheduler' missing"),
    (lambda g: g["15"]["inputs"].update(noise_seed=3), "no input named 'noise_seed'"),
    (lambda g: g["15"]["inputs"].update(positive=["1", 0]),
     "positive takes CONDITIONING but node 1 output 0 gives MODEL"),
    (lambda g: g["15"]["inputs"].update(model=["99", 0]), "linked to node 99, which is not in the workflow"),
    (lambda g: g["2"]["inputs"].update(type="flux3"), "'flux3' is not one of"),
    (lambda g: g["15"]["inputs"].update(steps="{{stepz}}"), "placeholders the engine does not fill: stepz"),
])
def test_a_workflow_that_comfyui_would_refuse_is_refused_at_load_with_the_reason(tmp_path, break_it, message):
    graph = _klein_graph()
    break_it(graph)
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(graph))
    with pytest.raises(WorkflowError) as info:
        workflow_load(path, required=REQUIRED_POSE)
    assert message in str(info.value)


def test_an_operators_custom_workflow_is_checked_when_the_engine_starts(engine_settings, settings, tmp_path):
    graph = _klein_graph()
    graph["15"]["class_type"] = "MyStudioSampler"
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(graph))
    settings.COMFYUI_URLS, settings.COMFYUI_WORKFLOW_PATH = ["http://127.0.0.1:9"], str(path)
    engine_settings("comfyui")
    with pytest.raises(WorkflowError, match=r"MyStudioSampler.*COMFYUI_NODE_DEFINITIONS_PATH"):
        _engine()
    # their server's /object_info (the same shape) teaches the check their custom node
    info = {"MyStudioSampler": json.loads(
        (DEFAULT_POSE_WORKFLOW.parent.parent / "comfyui" / "node_definitions.json").read_text())["nodes"]["KSampler"]}
    object_info = tmp_path / "object_info.json"
    object_info.write_text(json.dumps(info))
    settings.COMFYUI_NODE_DEFINITIONS_PATH = str(object_info)
    engine_settings("comfyui")
    assert _engine().pose_graph["15"]["class_type"] == "MyStudioSampler"


def test_the_fake_refuses_an_invalid_graph_as_comfyui_does_and_the_engine_does_not_retry(comfy):
    from posegen.engines.comfyui.client import ComfyUIServer
    from posegen.engines.http import EngineHTTP

    server = ComfyUIServer(comfy.url, http=EngineHTTP.from_settings(name="comfyui", secrets=[]))
    graph = _klein_graph()
    graph["15"]["inputs"]["denoise"] = 7
    with pytest.raises(EngineError, match="denoise: 7 is outside") as info:
        server.submit(graph, client_id="x")
    assert not info.value.retryable
    graph["15"]["class_type"] = "Nope"
    with pytest.raises(EngineError, match="node Nope does not exist"):
        server.submit(graph, client_id="x")


def test_the_model_licence_is_logged_once_when_the_engine_starts(comfy, settings, caplog):
    from posegen.engines import _engine as engine_cache
    from posegen.engines import licences

    licences._LOGGED.clear()
    with caplog.at_level(logging.INFO, logger="posegen.engines.licences"):
        _engine()
        engine_cache.cache_clear()
        _engine()
    [record] = [r for r in caplog.records if r.name == "posegen.engines.licences"]
    assert record.getMessage().startswith("comfyui engine: FLUX.2 [klein] 4B, licence Apache-2.0")


@pytestmark_e2e
def test_per_image_seed_policy_keeps_one_seed_per_image(auth_client, celery_worker, comfy, settings):
    settings.POSEGEN_SEED_POLICY = "per_image"
    project = ProjectFactory(user=auth_client.user)
    generation, poses = generate(auth_client, project, poses=2, seed=40)
    assert generation.status == "completed" and sorted(p.seed_used for p in poses) == [40, 41]
    submits = comfy.calls("POST", "/prompt")
    assert sorted(_by_class(s.json["prompt"], "KSampler")[0][1]["inputs"]["seed"] for s in submits) == [40, 41]


def test_an_operators_workflow_is_logged_with_the_licences_of_the_models_it_loads(comfy, settings, tmp_path,
                                                                                   caplog):
    from posegen.engines import _engine as engine_cache
    from posegen.engines import licences

    graph = _klein_graph()
    graph["1"]["inputs"]["unet_name"] = "my-finetune-v3.safetensors"
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(graph))
    settings.COMFYUI_WORKFLOW_PATH = str(path)
    settings.COMFYUI_MODEL = "flux1-dev"  # its background workflow (FLUX.1-dev) is still the bundled one
    licences._LOGGED.clear()
    engine_cache.cache_clear()
    with caplog.at_level(logging.INFO, logger="posegen.engines.licences"):
        _engine()
    messages = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "posegen.engines.licences"]
    assert (logging.WARNING, "comfyui engine: the workflow loads my-finetune-v3.safetensors, whose licence is not "
                             "known here: check it allows commercial use") in messages
    assert any(level == logging.WARNING and "FLUX.1 [dev] Non-Commercial License" in text for level, text in messages)
    assert len(messages) == 2
