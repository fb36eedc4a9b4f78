"""The `diffusers` engine on CPU with tiny random-weight pipelines built from configs, one per supported
pipeline class (FLUX.2 [klein] edit, Qwen-Image-Edit-Plus, FLUX.1 + union ControlNet), as diffusers' own fast
tests build them (tests/pipelines/flux2/test_pipeline_flux2_klein.py, tests/pipelines/qwenimage/
test_qwenimage_edit_plus.py): one-layer transformers, tiny VAEs, prompt embeddings in place of the text
encoders (whose tokenizers would come from the hub). Saved to folders and loaded back the way the engine
loads real weights (local files only). CI installs the CPU torch + requirements-gpu.txt so this runs there;
without torch/diffusers (a newcomer's `make test`) the module is skipped."""

from __future__ import annotations

import dataclasses
import io
import json
import logging

import numpy as np
import pytest
from PIL import Image

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")
pytest.importorskip("transformers")

from lumiku.credits.selectors import credits_balance  # noqa: E402
from posegen.engines import diffusers_engine, licences  # noqa: E402
from posegen.engines.base import EngineError  # noqa: E402
from posegen.posekit.skeleton import make_pose, pose_to_dict  # noqa: E402
from tests.factories import ProjectFactory  # noqa: E402
from tests.posegen.engines.conftest import decoded_size, engine_request, png_bytes  # noqa: E402
from tests.posegen.engines.helpers import generate  # noqa: E402

FLUX1 = {"patch_size": 1, "in_channels": 16, "num_layers": 1, "num_single_layers": 1, "attention_head_dim": 16,
         "num_attention_heads": 2, "joint_attention_dim": 32, "pooled_projection_dim": 32, "axes_dims_rope": [4, 4, 8]}
CLASSES = {"flux2-klein": "Flux2KleinPipeline", "qwen-image-edit": "QwenImageEditPlusPipeline",
           "flux1-controlnet": "FluxControlNetPipeline"}


def _klein(root):
    torch.manual_seed(0)
    transformer = diffusers.Flux2Transformer2DModel(
        patch_size=1, in_channels=4, num_layers=1, num_single_layers=1, attention_head_dim=16, num_attention_heads=2,
        joint_attention_dim=16, timestep_guidance_channels=256, axes_dims_rope=[4, 4, 4, 4], guidance_embeds=False)
    vae = diffusers.AutoencoderKLFlux2(
        sample_size=32, in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",),
        up_block_types=("UpDecoderBlock2D",), block_out_channels=(4,), layers_per_block=1, latent_channels=1,
        norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False)
    diffusers.Flux2KleinPipeline(scheduler=diffusers.FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=None,
                                 tokenizer=None, transformer=transformer, is_distilled=True).save_pretrained(root)


def _qwen(root):
    torch.manual_seed(0)
    transformer = diffusers.QwenImageTransformer2DModel(
        patch_size=2, in_channels=16, out_channels=4, num_layers=2, attention_head_dim=16, num_attention_heads=3,
        joint_attention_dim=16, guidance_embeds=False, axes_dims_rope=(8, 4, 4))
    vae = diffusers.AutoencoderKLQwenImage(base_dim=24, z_dim=4, dim_mult=[1, 2, 4], num_res_blocks=1,
                                           temperal_downsample=[False, True], latents_mean=[0.0] * 4,
                                           latents_std=[1.0] * 4)
    diffusers.QwenImageEditPlusPipeline(scheduler=diffusers.FlowMatchEulerDiscreteScheduler(), vae=vae,
                                        text_encoder=None, tokenizer=None, processor=None,
                                        transformer=transformer).save_pretrained(root)


def _flux1(root):
    torch.manual_seed(0)
    transformer = diffusers.FluxTransformer2DModel(**FLUX1)
    torch.manual_seed(0)
    controlnet = diffusers.FluxControlNetModel(**FLUX1, num_mode=10)  # a union ControlNet: takes control_mode
    vae = diffusers.AutoencoderKL(sample_size=32, in_channels=3, out_channels=3, block_out_channels=(4,),
                                  layers_per_block=1, latent_channels=4, norm_num_groups=1, use_quant_conv=False,
                                  use_post_quant_conv=False, shift_factor=0.0609, scaling_factor=1.5035)
    diffusers.FluxPipeline(scheduler=diffusers.FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=None,
                           tokenizer=None, text_encoder_2=None, tokenizer_2=None,
                           transformer=transformer).save_pretrained(root / "flux")
    controlnet.save_pretrained(root / "controlnet")


def _tiny_qwen_tokenizer():
    """A byte-level BPE tokenizer with Qwen's chat markers and a chat template, built here (the real one
    would come from the hub): enough for Flux2KleinPipeline's apply_chat_template + tokenizer call."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
    from transformers import Qwen2TokenizerFast

    vocab = {c: i for i, c in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    vocab.update({name: len(vocab) + i for i, name in enumerate(specials)})
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer, tok.decoder = pre_tokenizers.ByteLevel(add_prefix_space=False), decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(name, special=True) for name in specials])
    template = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
                "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    return Qwen2TokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                              chat_template=template)


def _klein_with_text_encoder(root):
    """FLUX.2 [klein] with a tiny Qwen3 text encoder: 28 layers because the pipeline reads hidden states
    9, 18 and 27 (the real model's), 16 wide, so the transformer's joint attention is 3 x 16."""
    import transformers

    tokenizer = _tiny_qwen_tokenizer()
    torch.manual_seed(0)
    text_encoder = transformers.Qwen3ForCausalLM(transformers.Qwen3Config(
        intermediate_size=16, hidden_size=16, num_hidden_layers=28, num_attention_heads=2, num_key_value_heads=2,
        head_dim=8, vocab_size=len(tokenizer), max_position_embeddings=1024))
    transformer = diffusers.Flux2Transformer2DModel(
        patch_size=1, in_channels=4, num_layers=1, num_single_layers=1, attention_head_dim=16, num_attention_heads=2,
        joint_attention_dim=48, timestep_guidance_channels=256, axes_dims_rope=[4, 4, 4, 4], guidance_embeds=False)
    vae = diffusers.AutoencoderKLFlux2(
        sample_size=32, in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",),
        up_block_types=("UpDecoderBlock2D",), block_out_channels=(4,), layers_per_block=1, latent_channels=1,
        norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False)
    diffusers.Flux2KleinPipeline(scheduler=diffusers.FlowMatchEulerDiscreteScheduler(), vae=vae,
                                 text_encoder=text_encoder, tokenizer=tokenizer, transformer=transformer,
                                 is_distilled=True).save_pretrained(root)


@pytest.fixture(scope="module")
def tiny_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-pipelines")
    _klein(root / "klein")
    _qwen(root / "qwen")
    _flux1(root / "flux1")
    return root


def _embeddings(kind: str, prompt: str) -> dict:
    g = torch.Generator().manual_seed(len(prompt))
    if kind == "flux1-controlnet":
        return {"prompt_embeds": torch.randn(1, 8, 32, generator=g),
                "pooled_prompt_embeds": torch.randn(1, 32, generator=g)}
    inputs = {"prompt_embeds": torch.randn(1, 8, 16, generator=g)}
    if kind == "qwen-image-edit":
        inputs["prompt_embeds_mask"] = torch.ones(1, 8, dtype=torch.long)
    return inputs


@pytest.fixture
def tiny(engine_settings, settings, tiny_dirs, monkeypatch):
    """Select a tiny pipeline: tiny(kind). Prompts become fixed random embeddings; every pipeline call and
    from_pretrained is recorded."""
    from diffusers.pipelines.qwenimage import pipeline_qwenimage_edit_plus as qwen_module

    # Qwen-Image-Edit resizes references to ~1 MP for the VAE: far too slow for a one-layer CPU model.
    monkeypatch.setattr(qwen_module, "VAE_IMAGE_SIZE", 64 * 64)
    monkeypatch.setattr(qwen_module, "CONDITION_IMAGE_SIZE", 32 * 32)
    seen = {"prompts": [], "calls": [], "loads": [], "modes": []}

    def prompt_inputs(self, pipe, prompt, negative_prompt=""):
        seen["prompts"].append(prompt)
        return _embeddings(self.spec.kind, prompt)

    monkeypatch.setattr(diffusers_engine.DiffusersEngine, "prompt_inputs", prompt_inputs)
    for cls_name in [*CLASSES.values(), "FluxPipeline"]:  # FluxPipeline: flux1's text-to-image backgrounds
        cls = getattr(diffusers, cls_name)
        load, call = cls.from_pretrained.__func__, cls.__call__

        def spy_load(klass, *args, _load=load, **kwargs):
            seen["loads"].append((klass.__name__, kwargs))
            return _load(klass, *args, **kwargs)

        def spy_call(self, *args, _call=call, **kwargs):
            seen["calls"].append((type(self).__name__, kwargs))
            return _call(self, *args, **kwargs)

        monkeypatch.setattr(cls, "from_pretrained", classmethod(spy_load))
        monkeypatch.setattr(cls, "__call__", spy_call)
    forward = diffusers.FluxControlNetModel.forward

    def spy_forward(self, *args, **kwargs):
        seen["modes"].append(int(kwargs["controlnet_mode"].flatten()[0]))
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(diffusers.FluxControlNetModel, "forward", spy_forward)

    def select(kind: str):
        settings.DIFFUSERS_PIPELINE = kind
        folder = {"flux2-klein": "klein", "qwen-image-edit": "qwen"}.get(kind, "none")
        settings.DIFFUSERS_MODEL_PATH = str(tiny_dirs / folder)
        settings.DIFFUSERS_FLUX_PATH = str(tiny_dirs / "flux1" / "flux")
        settings.DIFFUSERS_CONTROLNET_PATH = str(tiny_dirs / "flux1" / "controlnet")
        settings.DIFFUSERS_DEVICE, settings.DIFFUSERS_DTYPE, settings.DIFFUSERS_STEPS = "cpu", "float32", 2
        settings.DIFFUSERS_GUIDANCE = 1.0
        settings.DIFFUSERS_COST_PER_IMAGE_USD = 0.002
        diffusers_engine._PIPELINES.clear()
        engine_settings("diffusers")
        return seen

    yield select
    diffusers_engine._PIPELINES.clear()


def _engine():
    from posegen.engines import engine_get

    return engine_get()


def _posed(**kwargs):
    return dataclasses.replace(engine_request(**kwargs), pose_structure=pose_to_dict(pose=make_pose()))


def _pixels(image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.int16)


@pytest.mark.parametrize("kind", ["flux2-klein", "qwen-image-edit"])
def test_edit_pipelines_get_the_avatar_and_a_mannequin_reference_from_local_files(tiny, settings, kind):
    seen = tiny(kind)
    settings.POSEGEN_POSE_REFERENCE = "mannequin"
    result = _engine().generate(_posed(width=64, height=96, seed=5, prompt="a dancer"))
    assert decoded_size(result.image) == (64, 96) == (result.width, result.height)
    [(cls_name, kwargs)] = seen["calls"]
    assert cls_name == CLASSES[kind] and kwargs["num_inference_steps"] == 2
    assert (kwargs["width"], kwargs["height"]) == (64, 96)
    avatar, reference = kwargs["image"]
    with Image.open(io.BytesIO(png_bytes(64, 96))) as expected:
        assert np.array_equal(_pixels(avatar), _pixels(expected))  # image 1: the avatar, unchanged
    ref = _pixels(reference)
    assert ref.shape[:2] == (96, 64) and ref.std() > 5  # image 2: a rendered figure, not a blank or black map
    assert seen["prompts"][0].startswith("Image 1 is a photo of a person") and "mannequin" in seen["prompts"][0]
    assert seen["prompts"][0].endswith("a dancer")
    [(_, load_kwargs)] = [x for x in seen["loads"] if x[0] == CLASSES[kind]]
    assert load_kwargs["local_files_only"] is True
    assert result.metadata["pipeline"] == kind and result.metadata["poseReference"] == "mannequin"
    json.dumps(result.metadata)


def test_the_skeleton_reference_is_kept_as_a_setting(tiny, settings):
    seen = tiny("flux2-klein")
    settings.POSEGEN_POSE_REFERENCE = "skeleton"
    diffusers_engine._PIPELINES.clear()
    from posegen import engines

    engines._engine.cache_clear()
    result = _engine().generate(_posed(width=64, height=96))
    reference = seen["calls"][0][1]["image"][1]
    assert _pixels(reference).max() == 0  # the request's control map (all black here)
    assert "OpenPose skeleton" in seen["prompts"][0] and result.metadata["poseReference"] == "skeleton"


def test_a_pose_without_its_3d_structure_falls_back_to_the_skeleton(tiny):
    seen = tiny("flux2-klein")
    result = _engine().generate(engine_request(width=64, height=96))
    assert result.metadata["poseReference"] == "skeleton" and _pixels(seen["calls"][0][1]["image"][1]).max() == 0


def test_same_seed_same_image_and_the_seed_reaches_the_generator(tiny):
    tiny("flux2-klein")
    a = _engine().generate(_posed(width=64, height=64, seed=9))
    b = _engine().generate(_posed(width=64, height=64, seed=9))
    c = _engine().generate(_posed(width=64, height=64, seed=10))
    assert a.image == b.image != c.image


def test_one_seed_for_the_shoot_unless_the_policy_is_per_image(tiny, settings):
    tiny("flux2-klein")
    pose_a = dataclasses.replace(_posed(width=64, height=64, seed=21), shoot_seed=20)
    pose_b = dataclasses.replace(_posed(width=64, height=64, seed=22), shoot_seed=20)
    a, b = _engine().generate(pose_a), _engine().generate(pose_b)
    assert (a.seed, b.seed) == (20, 20) and a.image == b.image  # same pose here: the same picture
    settings.POSEGEN_SEED_POLICY = "per_image"
    a, b = _engine().generate(pose_a), _engine().generate(pose_b)
    assert (a.seed, b.seed) == (21, 22) and a.image != b.image


@pytest.mark.parametrize("kind", ["flux2-klein", "qwen-image-edit", "flux1-controlnet"])
def test_background_for_each_pipeline(tiny, kind):
    seen = tiny(kind)
    result = _engine().generate_background(prompt="a pastel studio", width=40, height=30, seed=1)
    assert decoded_size(result.image) == (40, 30) and result.metadata["kind"] == "background"
    assert result.metadata["pipeline"] == kind and "a pastel studio" in seen["prompts"][0]
    assert seen["modes"] == []  # no ControlNet involved
    [(cls_name, kwargs)] = seen["calls"]
    assert cls_name == {"flux1-controlnet": "FluxPipeline"}.get(kind, CLASSES[kind])
    if kind == "qwen-image-edit":  # an edit model: it paints the scene onto one blank canvas
        assert len(kwargs["image"]) == 1 and len(np.unique(_pixels(kwargs["image"][0]).reshape(-1, 3), axis=0)) == 1
    else:
        assert "image" not in kwargs


def test_flux1_controlnet_uses_union_mode_4_clamps_the_scale_and_loads_once(tiny):
    seen = tiny("flux1-controlnet")
    first = _engine().generate(engine_request(width=32, height=48, seed=5, weight=0.95, prompt="a dancer"))
    _engine().generate(engine_request(width=32, height=48, seed=5, weight=0.5, prompt="a dancer"))
    assert decoded_size(first.image) == (32, 48)
    assert set(seen["modes"]) == {4}
    assert [c[1]["controlnet_conditioning_scale"] for c in seen["calls"]] == [0.8, 0.5]  # 0.95 clamped to 0.8
    assert seen["prompts"] == ["a dancer", "a dancer"]  # no edit instruction around it
    assert [x[0] for x in seen["loads"]].count("FluxControlNetPipeline") == 1
    assert first.metadata["controlMode"] == 4 and first.metadata["costUsd"] == 0.002


def test_the_real_prompt_path_through_a_tiny_qwen3_text_encoder(engine_settings, settings, tmp_path, monkeypatch):
    """No embeddings stand in here: the engine hands the instruction to the pipeline, which runs the chat
    template, the tokenizer and the (tiny) Qwen3 encoder loaded from the folder like the real model."""
    _klein_with_text_encoder(tmp_path / "klein")
    settings.DIFFUSERS_PIPELINE, settings.DIFFUSERS_MODEL_PATH = "flux2-klein", str(tmp_path / "klein")
    settings.DIFFUSERS_DEVICE, settings.DIFFUSERS_DTYPE, settings.DIFFUSERS_STEPS = "cpu", "float32", 2
    diffusers_engine._PIPELINES.clear()
    engine_settings("diffusers")
    calls, encoded = [], []
    call, encode = diffusers.Flux2KleinPipeline.__call__, diffusers.Flux2KleinPipeline._get_qwen3_prompt_embeds

    def spy_call(self, *args, **kwargs):
        calls.append(kwargs)
        return call(self, *args, **kwargs)

    def spy_encode(*args, **kwargs):
        prompt = kwargs["prompt"]
        encoded.append(prompt if isinstance(prompt, str) else prompt[0])  # the pipeline batches it
        return encode(*args, **kwargs)

    monkeypatch.setattr(diffusers.Flux2KleinPipeline, "__call__", spy_call)
    monkeypatch.setattr(diffusers.Flux2KleinPipeline, "_get_qwen3_prompt_embeds", staticmethod(spy_encode))
    result = _engine().generate(_posed(width=64, height=96, prompt="batik shirt"))
    background = _engine().generate_background(prompt="a teak studio", width=64, height=64, seed=3)
    assert decoded_size(result.image) == (64, 96) and decoded_size(background.image) == (64, 64)
    assert "prompt_embeds" not in calls[0] and calls[0]["prompt"].endswith("batik shirt")
    assert encoded[0] == calls[0]["prompt"] and encoded[1].startswith("a teak studio. Empty scene")
    assert calls[0]["guidance_scale"] == 1.0  # klein's own (guidance-distilled), DIFFUSERS_GUIDANCE left at 0
    diffusers_engine._PIPELINES.clear()


def test_licence_terms_are_logged_once_at_start(tiny, caplog):
    licences._LOGGED.clear()
    with caplog.at_level(logging.INFO, logger="posegen.engines.licences"):
        tiny("flux2-klein")
        _engine()
        from posegen import engines

        engines._engine.cache_clear()
        _engine()
        tiny("flux1-controlnet")
        _engine()
    messages = [r.getMessage() for r in caplog.records if r.name == "posegen.engines.licences"]
    assert len(messages) == 2
    assert "FLUX.2 [klein] 4B, licence Apache-2.0" in messages[0]
    assert "Non-Commercial" in messages[1] and caplog.records[-1].levelno == logging.WARNING


def test_missing_model_folder_and_unknown_pipeline_are_configuration_errors(engine_settings, settings, tmp_path):
    settings.DIFFUSERS_PIPELINE, settings.DIFFUSERS_MODEL_PATH = "flux2-klein", str(tmp_path / "nope")
    diffusers_engine._PIPELINES.clear()
    engine_settings("diffusers")
    with pytest.raises(EngineError, match="DIFFUSERS_MODEL_PATH") as info:
        _engine().generate(engine_request())
    assert not info.value.retryable
    settings.DIFFUSERS_PIPELINE = "flux1-schnell"
    engine_settings("diffusers")
    with pytest.raises(EngineError, match="unknown DIFFUSERS_PIPELINE"):
        _engine()


def test_no_text_encoders_is_a_configuration_error(engine_settings, settings, tiny_dirs):
    settings.DIFFUSERS_PIPELINE, settings.DIFFUSERS_MODEL_PATH = "flux2-klein", str(tiny_dirs / "klein")
    settings.DIFFUSERS_DEVICE, settings.DIFFUSERS_DTYPE = "cpu", "float32"
    diffusers_engine._PIPELINES.clear()
    engine_settings("diffusers")
    with pytest.raises(EngineError, match="text encoders"):
        _engine().generate(_posed(width=64, height=64))
    diffusers_engine._PIPELINES.clear()


@pytest.mark.django_db(transaction=True)
def test_generation_through_diffusers_end_to_end(auth_client, celery_worker, tiny, settings):
    seen = tiny("flux2-klein")
    settings.POSEGEN_OUTPUT_WIDTH, settings.POSEGEN_OUTPUT_HEIGHT = 64, 96
    project = ProjectFactory(user=auth_client.user)
    generation, poses = generate(auth_client, project, poses=1, batch=2, seed=70)
    assert generation.status == "completed", [p.error_message for p in poses]
    assert credits_balance(user_id=auth_client.user.pk) == 40
    assert len(seen["calls"]) == 2 and [x[0] for x in seen["loads"]].count("Flux2KleinPipeline") == 1
    # one shoot: both images were given the same avatar bytes
    avatars = [_pixels(call[1]["image"][0]) for call in seen["calls"]]
    assert np.array_equal(avatars[0], avatars[1])
