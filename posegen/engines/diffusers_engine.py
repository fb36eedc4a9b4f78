"""The `diffusers` engine: FLUX.1-dev + a union ControlNet inside the engine worker (a GPU machine).

`FluxControlNetPipeline` with Shakker-Labs FLUX.1-dev-ControlNet-Union-Pro: `control_mode=4` is pose,
the conditioning scale is kept in 0.3-0.8, 28 steps. Models come only from local folders in settings
(DIFFUSERS_FLUX_PATH in the diffusers layout, DIFFUSERS_CONTROLNET_PATH), loaded with
`local_files_only=True` once per worker process, on first use (the web process never loads them).
Optional dependencies: requirements-gpu.txt (torch, diffusers, transformers, ...); without them this
engine says so when selected, and the rest of the app is unaffected.

Identity: when DIFFUSERS_IP_ADAPTER_PATH (XLabs flux-ip-adapter) and DIFFUSERS_IMAGE_ENCODER_PATH (CLIP
ViT-L/14) are set, the avatar conditions the image through the IP-adapter; otherwise the prompt (built
from the avatar's attributes) carries it.
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from PIL import Image

from posegen.engines.base import BadEngineInput, EngineError, EngineRequest, EngineResult, TransientEngineError
from posegen.engines.http import MISCONFIGURED, image_fit, size_round

POSE_CONTROL_MODE = 4  # Union-Pro modes: 0 canny, 1 tile, 2 depth, 3 blur, 4 pose, 5 gray, 6 low quality
SCALE_RANGE = (0.3, 0.8)
TEXT_PARTS = ("text_encoder", "tokenizer", "text_encoder_2", "tokenizer_2")

_LOAD_LOCK = threading.Lock()
_RUN_LOCK = threading.Lock()  # one generation at a time per process: the GPU is the bottleneck anyway
_PIPELINES: dict[tuple, Any] = {}


def _config() -> tuple[str, str, str, str, bool]:
    return (settings.DIFFUSERS_FLUX_PATH, settings.DIFFUSERS_CONTROLNET_PATH, settings.DIFFUSERS_DEVICE,
            settings.DIFFUSERS_DTYPE, settings.DIFFUSERS_CPU_OFFLOAD)


def pipeline_load(*, flux_path: str, controlnet_path: str, device: str, dtype: str, cpu_offload: bool):
    """Load FluxControlNetPipeline from local folders only (no hub access). Text-encoder folders that
    are absent load as None (then prompts must come as embeddings)."""
    try:
        import torch
        from diffusers import FluxControlNetModel, FluxControlNetPipeline
    except ImportError as exc:
        raise EngineError(f"diffusers engine: {exc}; install requirements-gpu.txt", user_message=MISCONFIGURED) from exc
    for label, path in (("DIFFUSERS_FLUX_PATH", flux_path), ("DIFFUSERS_CONTROLNET_PATH", controlnet_path)):
        if not path or not Path(path).is_dir():
            raise EngineError(f"diffusers engine: {label} is not a folder: {path!r}", user_message=MISCONFIGURED)
    torch_dtype = getattr(torch, dtype, None)
    if not isinstance(torch_dtype, torch.dtype):
        raise EngineError(f"diffusers engine: unknown DIFFUSERS_DTYPE {dtype!r}", user_message=MISCONFIGURED)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    absent = {part: None for part in TEXT_PARTS if not (Path(flux_path) / part).is_dir()}
    controlnet = FluxControlNetModel.from_pretrained(controlnet_path, dtype=torch_dtype, local_files_only=True)
    pipe = FluxControlNetPipeline.from_pretrained(flux_path, controlnet=controlnet, dtype=torch_dtype,
                                                  local_files_only=True, **absent)
    if settings.DIFFUSERS_IP_ADAPTER_PATH and settings.DIFFUSERS_IMAGE_ENCODER_PATH:
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
    return pipe


def pipeline_get():
    """The process's pipeline for the current settings, loaded on first use."""
    key = _config()
    pipe = _PIPELINES.get(key)
    if pipe is None:
        with _LOAD_LOCK:
            pipe = _PIPELINES.get(key)
            if pipe is None:
                flux, controlnet, device, dtype, offload = key
                pipe = pipeline_load(flux_path=flux, controlnet_path=controlnet, device=device, dtype=dtype,
                                     cpu_offload=offload)
                _PIPELINES[key] = pipe
    return pipe


def _is_oom(exc: BaseException) -> bool:
    return "OutOfMemory" in type(exc).__name__ or "out of memory" in str(exc).lower()


class DiffusersEngine:
    name = "diffusers"

    def encode_prompt(self, pipe, prompt: str):
        """(prompt_embeds, pooled_prompt_embeds) from the pipeline's T5 + CLIP encoders."""
        if any(getattr(pipe, part, None) is None for part in TEXT_PARTS):
            raise EngineError("diffusers engine: the FLUX folder has no text encoders", user_message=MISCONFIGURED)
        prompt_embeds, pooled, _ids = pipe.encode_prompt(prompt=prompt, prompt_2=prompt,
                                                         device=pipe._execution_device, max_sequence_length=512)
        return prompt_embeds, pooled

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

    def generate(self, request: EngineRequest) -> EngineResult:
        import torch

        started = time.perf_counter()
        pipe = pipeline_get()
        width, height = size_round(request.width), size_round(request.height)
        try:
            with Image.open(io.BytesIO(request.controlnet_map)) as img:
                control = img.convert("RGB").resize((width, height), Image.Resampling.BILINEAR)
        except Exception as exc:
            raise BadEngineInput(f"pose map unreadable: {exc}", user_message="This pose cannot be rendered.") from exc
        scale = min(max(float(request.controlnet_weight), SCALE_RANGE[0]), SCALE_RANGE[1])
        extra: dict[str, Any] = {}
        if getattr(pipe, "image_encoder", None) is not None and settings.DIFFUSERS_IP_ADAPTER_PATH:
            with Image.open(io.BytesIO(request.avatar_image)) as avatar:
                extra["ip_adapter_image"] = avatar.convert("RGB")
        with _RUN_LOCK:
            loaded = time.perf_counter()
            embeds, pooled = self.encode_prompt(pipe, request.prompt)
            output = self._call(
                pipe, prompt_embeds=embeds, pooled_prompt_embeds=pooled, control_image=control,
                control_mode=POSE_CONTROL_MODE, controlnet_conditioning_scale=scale, width=width, height=height,
                num_inference_steps=settings.DIFFUSERS_STEPS, guidance_scale=settings.DIFFUSERS_GUIDANCE,
                generator=torch.Generator(device="cpu").manual_seed(int(request.seed)), output_type="pil",
                **extra,
            )
            ran = time.perf_counter() - loaded
        image, out_w, out_h = image_fit(self._png(output.images[0]), width=request.width, height=request.height,
                                        name="diffusers")
        elapsed = time.perf_counter() - started
        return EngineResult(image=image, width=out_w, height=out_h, seed=request.seed, elapsed=elapsed, metadata={
            "engine": self.name, "kind": "pose", "device": str(pipe.lumiku_device),
            "steps": settings.DIFFUSERS_STEPS, "controlMode": POSE_CONTROL_MODE, "conditioningScale": scale,
            "latencySeconds": round(elapsed, 3), "inferenceSeconds": round(ran, 3),
            "costUsd": settings.DIFFUSERS_COST_PER_IMAGE_USD, "ipAdapter": bool(extra),
        })

    def generate_background(self, *, prompt: str, width: int, height: int, seed: int) -> EngineResult:
        import torch
        from diffusers import FluxPipeline

        started = time.perf_counter()
        pipe = pipeline_get()
        text2img = FluxPipeline(scheduler=pipe.scheduler, vae=pipe.vae, text_encoder=pipe.text_encoder,
                                tokenizer=pipe.tokenizer, text_encoder_2=pipe.text_encoder_2,
                                tokenizer_2=pipe.tokenizer_2, transformer=pipe.transformer)  # shares the weights
        text2img.set_progress_bar_config(disable=True)
        w, h = size_round(width), size_round(height)
        with _RUN_LOCK:
            embeds, pooled = self.encode_prompt(pipe, f"{prompt}. Empty scene, no people, photographic backdrop.")
            output = self._call(text2img, prompt_embeds=embeds, pooled_prompt_embeds=pooled, width=w, height=h,
                                num_inference_steps=settings.DIFFUSERS_STEPS,
                                guidance_scale=settings.DIFFUSERS_GUIDANCE,
                                generator=torch.Generator(device="cpu").manual_seed(int(seed)), output_type="pil")
        image, out_w, out_h = image_fit(self._png(output.images[0]), width=width, height=height, name="diffusers",
                                        tolerance=0.15)
        elapsed = time.perf_counter() - started
        return EngineResult(image=image, width=out_w, height=out_h, seed=seed, elapsed=elapsed, metadata={
            "engine": self.name, "kind": "background", "device": str(pipe.lumiku_device),
            "steps": settings.DIFFUSERS_STEPS, "latencySeconds": round(elapsed, 3),
            "costUsd": settings.DIFFUSERS_COST_PER_IMAGE_USD,
        })
