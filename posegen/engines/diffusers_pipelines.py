"""The pipelines the `diffusers` engine can run, each loaded from local folders only (no hub access).

    flux2-klein       Flux2KleinPipeline, FLUX.2 [klein] 4B (Apache-2.0): text-to-image and multi-reference
                      edit in one model; 4 steps, guidance 1.0 (step- and guidance-distilled).
    qwen-image-edit   QwenImageEditPlusPipeline, Qwen-Image-Edit-2509 (Apache-2.0): 1-3 input images;
                      40 steps, true_cfg_scale 4.0.
    flux1-controlnet  FluxControlNetPipeline + FLUX.1-dev-ControlNet-Union-Pro (FLUX.1 [dev] Non-Commercial
                      License): control_mode 4 (pose) on the OpenPose map, scale kept in 0.3-0.8, 28 steps.

The class names and call arguments are those of diffusers 0.42.1 (pipelines/flux2/pipeline_flux2_klein.py,
pipelines/qwenimage/pipeline_qwenimage_edit_plus.py, pipelines/flux/pipeline_flux_controlnet.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from posegen.engines.base import EngineError
from posegen.engines.http import MISCONFIGURED


@dataclass(frozen=True)
class PipelineSpec:
    kind: str
    class_name: str
    licence_key: str
    steps: int
    guidance: float
    edit: bool  # multi-reference edit (avatar + pose reference) rather than ControlNet on the pose map
    text_parts: tuple[str, ...]


SPECS: dict[str, PipelineSpec] = {
    "flux2-klein": PipelineSpec("flux2-klein", "Flux2KleinPipeline", "flux2-klein-4b", 4, 1.0, True,
                                ("text_encoder", "tokenizer")),
    "qwen-image-edit": PipelineSpec("qwen-image-edit", "QwenImageEditPlusPipeline", "qwen-image-edit-2509", 40, 4.0,
                                    True, ("text_encoder", "tokenizer", "processor")),
    "flux1-controlnet": PipelineSpec("flux1-controlnet", "FluxControlNetPipeline", "flux1-dev", 28, 3.5, False,
                                     ("text_encoder", "tokenizer", "text_encoder_2", "tokenizer_2")),
}


def spec_get(kind: str) -> PipelineSpec:
    spec = SPECS.get(kind)
    if spec is None:
        raise EngineError(f"diffusers engine: unknown DIFFUSERS_PIPELINE {kind!r}; choose one of "
                          f"{', '.join(SPECS)}", user_message=MISCONFIGURED)
    return spec


def _folder(label: str, path: str) -> Path:
    if not path or not Path(path).is_dir():
        raise EngineError(f"diffusers engine: {label} is not a folder: {path!r}", user_message=MISCONFIGURED)
    return Path(path)


def pipeline_build(*, spec: PipelineSpec, model_path: str, controlnet_path: str, torch_dtype):
    """The pipeline object, on the CPU. Text-encoder parts that are absent from the folder load as None
    (then prompts must come as embeddings: the engine says so clearly)."""
    import diffusers

    label = "DIFFUSERS_FLUX_PATH" if spec.kind == "flux1-controlnet" else "DIFFUSERS_MODEL_PATH"
    root = _folder(label, model_path)
    absent = {part: None for part in spec.text_parts if not (root / part).is_dir()}
    extra = {}
    if spec.kind == "flux1-controlnet":
        controlnet_root = _folder("DIFFUSERS_CONTROLNET_PATH", controlnet_path)
        extra["controlnet"] = diffusers.FluxControlNetModel.from_pretrained(controlnet_root, dtype=torch_dtype,
                                                                          local_files_only=True)
    cls = getattr(diffusers, spec.class_name)
    return cls.from_pretrained(root, dtype=torch_dtype, local_files_only=True, **absent, **extra)


def has_text_encoder(pipe, spec: PipelineSpec) -> bool:
    return all(getattr(pipe, part, None) is not None for part in spec.text_parts)
