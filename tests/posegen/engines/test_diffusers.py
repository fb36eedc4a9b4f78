"""The `diffusers` engine's code path on CPU with a tiny random-weight FLUX + union ControlNet built from
configs (as diffusers' own tests do: one-layer transformer, tiny VAE, prompt embeddings instead of text
encoders), saved to folders and loaded back the way the engine loads real weights (local files only).
Skipped when torch/diffusers/transformers are not installed (they are GPU extras: requirements-gpu.txt)."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")
pytest.importorskip("transformers")

from lumiku.credits.selectors import credits_balance  # noqa: E402
from posegen.engines import diffusers_engine  # noqa: E402
from posegen.engines.base import EngineError  # noqa: E402
from tests.factories import ProjectFactory  # noqa: E402
from tests.posegen.engines.conftest import decoded_size, engine_request  # noqa: E402
from tests.posegen.engines.helpers import generate  # noqa: E402

TINY = {"patch_size": 1, "in_channels": 16, "num_layers": 1, "num_single_layers": 1, "attention_head_dim": 16,
        "num_attention_heads": 2, "joint_attention_dim": 32, "pooled_projection_dim": 32, "axes_dims_rope": [4, 4, 8]}


@pytest.fixture(scope="module")
def tiny_model_dirs(tmp_path_factory):
    from diffusers import (
        AutoencoderKL,
        FlowMatchEulerDiscreteScheduler,
        FluxControlNetModel,
        FluxPipeline,
        FluxTransformer2DModel,
    )

    root = tmp_path_factory.mktemp("tiny-flux")
    torch.manual_seed(0)
    transformer = FluxTransformer2DModel(**TINY)
    torch.manual_seed(0)
    controlnet = FluxControlNetModel(**TINY, num_mode=10)  # a union ControlNet: takes control_mode
    vae = AutoencoderKL(sample_size=32, in_channels=3, out_channels=3, block_out_channels=(4,), layers_per_block=1,
                        latent_channels=4, norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False,
                        shift_factor=0.0609, scaling_factor=1.5035)
    FluxPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=None, tokenizer=None,
                 text_encoder_2=None, tokenizer_2=None, transformer=transformer).save_pretrained(root / "flux")
    controlnet.save_pretrained(root / "controlnet")
    return root / "flux", root / "controlnet"


@pytest.fixture
def tiny(engine_settings, settings, tiny_model_dirs, monkeypatch):
    """The diffusers engine on the tiny model; prompts become fixed random embeddings (no text encoder)."""
    flux, controlnet = tiny_model_dirs
    settings.DIFFUSERS_FLUX_PATH, settings.DIFFUSERS_CONTROLNET_PATH = str(flux), str(controlnet)
    settings.DIFFUSERS_DEVICE, settings.DIFFUSERS_DTYPE, settings.DIFFUSERS_STEPS = "cpu", "float32", 2
    settings.DIFFUSERS_COST_PER_IMAGE_USD = 0.002
    diffusers_engine._PIPELINES.clear()
    seen = {"prompts": [], "modes": [], "scales": [], "loads": []}

    def encode(self, pipe, prompt):
        seen["prompts"].append(prompt)
        g = torch.Generator().manual_seed(len(prompt))
        return torch.randn(1, 8, 32, generator=g), torch.randn(1, 32, generator=g)

    monkeypatch.setattr(diffusers_engine.DiffusersEngine, "encode_prompt", encode)
    forward = diffusers.FluxControlNetModel.forward

    def spy(self, *args, **kwargs):
        seen["modes"].append(int(kwargs["controlnet_mode"].flatten()[0]))
        seen["scales"].append(kwargs["conditioning_scale"])
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(diffusers.FluxControlNetModel, "forward", spy)
    load = diffusers.FluxControlNetModel.from_pretrained.__func__

    def spy_load(cls, *args, **kwargs):
        seen["loads"].append(kwargs)
        return load(cls, *args, **kwargs)

    monkeypatch.setattr(diffusers.FluxControlNetModel, "from_pretrained", classmethod(spy_load))
    engine_settings("diffusers")
    yield seen
    diffusers_engine._PIPELINES.clear()


def _engine():
    from posegen.engines import engine_get

    return engine_get()


def test_pose_generation_uses_union_mode_4_and_loads_once_from_local_files(tiny):
    first = _engine().generate(engine_request(width=32, height=48, seed=5, weight=0.95, prompt="a dancer"))
    second = _engine().generate(engine_request(width=32, height=48, seed=5, weight=0.5, prompt="a dancer"))
    assert decoded_size(first.image) == (32, 48) == (first.width, first.height)
    assert first.image == second.image or first.metadata["conditioningScale"] != second.metadata["conditioningScale"]
    assert set(tiny["modes"]) == {4}  # pose, on every step
    assert tiny["scales"][0] == 0.8 and tiny["scales"][-1] == 0.5  # 0.95 is clamped into 0.3-0.8
    assert tiny["prompts"] == ["a dancer", "a dancer"]
    assert len(tiny["loads"]) == 1 and tiny["loads"][0]["local_files_only"] is True
    assert first.metadata["controlMode"] == 4 and first.metadata["device"] == "cpu"
    assert first.metadata["costUsd"] == 0.002 and first.metadata["latencySeconds"] > 0
    json.dumps(first.metadata)


def test_same_seed_same_image(tiny):
    a = _engine().generate(engine_request(width=32, height=32, seed=9))
    b = _engine().generate(engine_request(width=32, height=32, seed=9))
    c = _engine().generate(engine_request(width=32, height=32, seed=10))
    assert a.image == b.image != c.image


def test_background_is_text_to_image_with_the_same_weights(tiny):
    result = _engine().generate_background(prompt="a pastel studio", width=40, height=30, seed=1)
    assert decoded_size(result.image) == (40, 30) and result.metadata["kind"] == "background"
    assert tiny["modes"] == []  # no ControlNet involved
    assert "a pastel studio" in tiny["prompts"][0]


def test_missing_model_folder_is_a_configuration_error(engine_settings, settings, tmp_path):
    settings.DIFFUSERS_FLUX_PATH, settings.DIFFUSERS_CONTROLNET_PATH = str(tmp_path / "nope"), str(tmp_path)
    diffusers_engine._PIPELINES.clear()
    engine_settings("diffusers")
    with pytest.raises(EngineError, match="DIFFUSERS_FLUX_PATH") as info:
        _engine().generate(engine_request())
    assert not info.value.retryable


def test_no_text_encoders_and_no_embeddings_is_a_configuration_error(engine_settings, settings, tiny_model_dirs):
    flux, controlnet = tiny_model_dirs
    settings.DIFFUSERS_FLUX_PATH, settings.DIFFUSERS_CONTROLNET_PATH = str(flux), str(controlnet)
    settings.DIFFUSERS_DEVICE, settings.DIFFUSERS_DTYPE = "cpu", "float32"
    diffusers_engine._PIPELINES.clear()
    engine_settings("diffusers")
    with pytest.raises(EngineError, match="text encoders"):
        _engine().generate(engine_request(width=32, height=32))
    diffusers_engine._PIPELINES.clear()


@pytest.mark.django_db(transaction=True)
def test_generation_through_diffusers_end_to_end(auth_client, celery_worker, tiny, settings):
    settings.POSEGEN_OUTPUT_WIDTH, settings.POSEGEN_OUTPUT_HEIGHT = 32, 48
    project = ProjectFactory(user=auth_client.user)
    generation, poses = generate(auth_client, project, poses=1, batch=2, seed=70)
    assert generation.status == "completed", [p.error_message for p in poses]
    assert credits_balance(user_id=auth_client.user.pk) == 40
    assert set(tiny["modes"]) == {4} and len(tiny["loads"]) == 1
