"""The `diffusers` engine: a studio model inside the engine worker (a GPU machine).

DIFFUSERS_PIPELINE picks the model (diffusers_pipelines.SPECS): by default FLUX.2 [klein] 4B (Apache-2.0) as
a multi-reference edit: image 1 the avatar, image 2 the pose reference (a clothed mannequin, or the OpenPose
skeleton: POSEGEN_POSE_REFERENCE), one instruction (references.edit_instruction). qwen-image-edit runs
Qwen-Image-Edit-2509 (Apache-2.0) the same way; flux1-controlnet keeps FLUX.1-dev + the union ControlNet
(non-commercial licence) for operators who hold a licence. The licence is logged once when the engine starts.

Models come only from local folders in settings (DIFFUSERS_MODEL_PATH, or DIFFUSERS_FLUX_PATH +
DIFFUSERS_CONTROLNET_PATH for flux1-controlnet), loaded with `local_files_only=True` once per worker process,
on first use (the web process never loads them). Optional dependencies: requirements-gpu.txt; without them
this engine says so when selected, and the rest of the app is unaffected.
"""

from __future__ import annotations

import io
import threading
import time
from typing import Any

from django.conf import settings
from PIL import Image

from posegen.engines.base import BadEngineInput, EngineError, EngineRequest, EngineResult, TransientEngineError
from posegen.engines.diffusers_pipelines import PipelineSpec, has_text_encoder, pipeline_build, spec_get
from posegen.engines.http import MISCONFIGURED, image_fit, size_round
from posegen.engines.licences import licence_log
from posegen.engines.references import (
    BACKGROUND_SUFFIX,
    edit_instruction,
    pose_reference_kind,
    pose_reference_png,
    rgb_image,
    sampling_seed,
)

POSE_CONTROL_MODE = 4  # Union-Pro modes: 0 canny, 1 tile, 2 depth, 3 blur, 4 pose, 5 gray, 6 low quality
SCALE_RANGE = (0.3, 0.8)

_LOAD_LOCK = threading.Lock()
_RUN_LOCK = threading.Lock()  # one generation at a time per process: the GPU is the bottleneck anyway
_PIPELINES: dict[tuple, Any] = {}


def _config() -> tuple:
    return (settings.DIFFUSERS_PIPELINE, settings.DIFFUSERS_MODEL_PATH, settings.DIFFUSERS_FLUX_PATH,
            settings.DIFFUSERS_CONTROLNET_PATH, settings.DIFFUSERS_DEVICE, settings.DIFFUSERS_DTYPE,
            settings.DIFFUSERS_CPU_OFFLOAD)


def pipeline_load(*, kind: str, model_path: str, flux_path: str, controlnet_path: str, device: str, dtype: str,
                  cpu_offload: bool):
    try:
        import torch
    except ImportError as exc:
        raise EngineError(f"diffusers engine: {exc}; install requirements-gpu.txt", user_message=MISCONFIGURED) from exc
    spec = spec_get(kind)
    torch_dtype = getattr(torch, dtype, None)
    if not isinstance(torch_dtype, torch.dtype):
        raise EngineError(f"diffusers engine: unknown DIFFUSERS_DTYPE {dtype!r}", user_message=MISCONFIGURED)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    pipe = pipeline_build(spec=spec, model_path=flux_path if kind == "flux1-controlnet" else model_path,
                          controlnet_path=controlnet_path, torch_dtype=torch_dtype)
    if kind == "flux1-controlnet" and settings.DIFFUSERS_IP_ADAPTER_PATH and settings.DIFFUSERS_IMAGE_ENCODER_PATH:
        pipe.load_ip_adapter(settings.DIFFUSERS_IP_ADAPTER_PATH, weight_name="ip_adapter.safetensors",
                             image_encoder_pretrained_model_name_or_path=settings.DIFFUSERS_IMAGE_ENCODER_PATH,
                             local_files_only=True)
        pipe.set_ip_adapter_scale(settings.DIFFUSERS_IP_ADAPTER_SCALE)
    if cpu_offload and device.startswith("cuda"):
        pipe.enable_model_cpu_offload()
    else:
        pipe.to(device)
    pipe.set_progress_bar_config(disable=True)
    pipe.lumiku_device = device
    pipe.lumiku_spec = spec
    return pipe


def pipeline_get():
    """The process's pipeline for the current settings, loaded on first use."""
    key = _config()
    pipe = _PIPELINES.get(key)
    if pipe is None:
        with _LOAD_LOCK:
            pipe = _PIPELINES.get(key)
            if pipe is None:
                kind, model, flux, controlnet, device, dtype, offload = key
                pipe = pipeline_load(kind=kind, model_path=model, flux_path=flux, controlnet_path=controlnet,
                                     device=device, dtype=dtype, cpu_offload=offload)
                _PIPELINES[key] = pipe
    return pipe


def _is_oom(exc: BaseException) -> bool:
    return "OutOfMemory" in type(exc).__name__ or "out of memory" in str(exc).lower()


class DiffusersEngine:
    name = "diffusers"

    def __init__(self) -> None:
        self.spec: PipelineSpec = spec_get(settings.DIFFUSERS_PIPELINE)
        self.reference_kind = pose_reference_kind() if self.spec.edit else "skeleton"
        licence_log(engine=self.name, model_key=self.spec.licence_key)

    @property
    def steps(self) -> int:
        return settings.DIFFUSERS_STEPS or self.spec.steps

    @property
    def guidance(self) -> float:
        return settings.DIFFUSERS_GUIDANCE or self.spec.guidance

    # --- text: the real encoders, or a clear configuration error (tests replace this with embeddings) ----
    def prompt_inputs(self, pipe, prompt: str, negative_prompt: str = "") -> dict[str, Any]:
        if not has_text_encoder(pipe, self.spec):
            raise EngineError("diffusers engine: the model folder has no text encoders", user_message=MISCONFIGURED)
        if self.spec.kind == "flux1-controlnet":
            embeds, pooled, _ids = pipe.encode_prompt(prompt=prompt, prompt_2=prompt, device=pipe._execution_device,
                                                      max_sequence_length=512)
            return {"prompt_embeds": embeds, "pooled_prompt_embeds": pooled}
        inputs: dict[str, Any] = {"prompt": prompt}
        if self.spec.kind == "qwen-image-edit":
            inputs["negative_prompt"] = negative_prompt or " "  # true CFG needs a negative prompt
        return inputs

    def _guidance_inputs(self) -> dict[str, Any]:
        if self.spec.kind == "qwen-image-edit":
            return {"true_cfg_scale": self.guidance}
        return {"guidance_scale": self.guidance}

    def _call(self, fn, **kwargs):
        import torch

        try:
            return fn(**kwargs)
        except Exception as exc:
            if _is_oom(exc):
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
                raise TransientEngineError(f"diffusers engine: out of memory: {exc}",
                                           user_message="The image server is busy right now; please try again.") \
                    from None
            raise EngineError(f"diffusers engine failed: {type(exc).__name__}: {exc}",
                              user_message="The image could not be generated.") from exc

    @staticmethod
    def _png(image: Image.Image) -> bytes:
        out = io.BytesIO()
        image.convert("RGB").save(out, "PNG", compress_level=3)
        return out.getvalue()

    @staticmethod
    def _generator(seed: int):
        import torch

        return torch.Generator(device="cpu").manual_seed(int(seed))

    def _pose_inputs(self, pipe, request: EngineRequest, width: int, height: int) -> tuple[dict[str, Any], dict]:
        if self.spec.edit:
            reference, used = pose_reference_png(request, kind=self.reference_kind)
            images = [rgb_image(request.avatar_image, what="avatar"), rgb_image(reference, what="pose reference")]
            inputs = {"image": images, **self.prompt_inputs(
                pipe, edit_instruction(prompt=request.prompt, kind=used), request.negative_prompt)}
            return inputs, {"poseReference": used}
        try:
            with Image.open(io.BytesIO(request.controlnet_map)) as img:
                control = img.convert("RGB").resize((width, height), Image.Resampling.BILINEAR)
        except Exception as exc:
            raise BadEngineInput(f"pose map unreadable: {exc}", user_message="This pose cannot be rendered.") from exc
        scale = min(max(float(request.controlnet_weight), SCALE_RANGE[0]), SCALE_RANGE[1])
        inputs = {"control_image": control, "control_mode": POSE_CONTROL_MODE, "controlnet_conditioning_scale": scale,
                  **self.prompt_inputs(pipe, request.prompt)}
        if getattr(pipe, "image_encoder", None) is not None and settings.DIFFUSERS_IP_ADAPTER_PATH:
            inputs["ip_adapter_image"] = rgb_image(request.avatar_image, what="avatar")
        return inputs, {"poseReference": "skeleton", "controlMode": POSE_CONTROL_MODE, "conditioningScale": scale,
                        "ipAdapter": "ip_adapter_image" in inputs}

    def generate(self, request: EngineRequest) -> EngineResult:
        started = time.perf_counter()
        pipe = pipeline_get()
        width, height = size_round(request.width), size_round(request.height)
        seed = sampling_seed(request)
        with _RUN_LOCK:
            loaded = time.perf_counter()
            inputs, described = self._pose_inputs(pipe, request, width, height)
            output = self._call(pipe, **inputs, width=width, height=height, num_inference_steps=self.steps,
                                **self._guidance_inputs(), generator=self._generator(seed), output_type="pil")
            ran = time.perf_counter() - loaded
        image, out_w, out_h = image_fit(self._png(output.images[0]), width=request.width, height=request.height,
                                        name="diffusers")
        elapsed = time.perf_counter() - started
        return EngineResult(image=image, width=out_w, height=out_h, seed=seed, elapsed=elapsed, metadata={
            "engine": self.name, "kind": "pose", "pipeline": self.spec.kind, "device": str(pipe.lumiku_device),
            "steps": self.steps, "guidance": self.guidance, **described,
            "latencySeconds": round(elapsed, 3), "inferenceSeconds": round(ran, 3),
            "costUsd": settings.DIFFUSERS_COST_PER_IMAGE_USD,
        })

    def _background_call(self, pipe, prompt: str, w: int, h: int, seed: int):
        text = f"{prompt}{BACKGROUND_SUFFIX}"
        common = {"width": w, "height": h, "num_inference_steps": self.steps, **self._guidance_inputs(),
                  "generator": self._generator(seed), "output_type": "pil"}
        if self.spec.kind == "flux1-controlnet":
            from diffusers import FluxPipeline

            text2img = FluxPipeline(scheduler=pipe.scheduler, vae=pipe.vae, text_encoder=pipe.text_encoder,
                                    tokenizer=pipe.tokenizer, text_encoder_2=pipe.text_encoder_2,
                                    tokenizer_2=pipe.tokenizer_2, transformer=pipe.transformer)  # shares the weights
            text2img.set_progress_bar_config(disable=True)
            return self._call(text2img, **self.prompt_inputs(pipe, text), **common)
        if self.spec.kind == "qwen-image-edit":  # an edit model: it paints the scene onto a blank studio canvas
            canvas = Image.new("RGB", (w, h), (200, 198, 194))
            return self._call(pipe, image=[canvas], **self.prompt_inputs(
                pipe, f"Replace this blank canvas with: {text}", "people, person, text, watermark"), **common)
        return self._call(pipe, **self.prompt_inputs(pipe, text), **common)  # klein: plain text-to-image

    def generate_background(self, *, prompt: str, width: int, height: int, seed: int) -> EngineResult:
        started = time.perf_counter()
        pipe = pipeline_get()
        w, h = size_round(width), size_round(height)
        with _RUN_LOCK:
            output = self._background_call(pipe, prompt, w, h, seed)
        image, out_w, out_h = image_fit(self._png(output.images[0]), width=width, height=height, name="diffusers",
                                        tolerance=0.15)
        elapsed = time.perf_counter() - started
        return EngineResult(image=image, width=out_w, height=out_h, seed=seed, elapsed=elapsed, metadata={
            "engine": self.name, "kind": "background", "pipeline": self.spec.kind,
            "device": str(pipe.lumiku_device), "steps": self.steps, "latencySeconds": round(elapsed, 3),
            "costUsd": settings.DIFFUSERS_COST_PER_IMAGE_USD,
        })
