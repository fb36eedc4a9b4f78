"""The licence of each studio model the engines can run, logged once per process when an engine starts.

A seller-facing paid product may run only models whose licence allows commercial use; FLUX.1 [dev] and its
Redux/ControlNet companions are under the FLUX.1 [dev] Non-Commercial License and stay available only by
setting. Sources: the model cards on Hugging Face and BFL's FLUX.2 README (model table with licences,
https://raw.githubusercontent.com/black-forest-labs/flux2/HEAD/README.md).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

logger = logging.getLogger("posegen.engines.licences")


@dataclass(frozen=True)
class ModelLicence:
    model: str
    licence: str
    commercial: bool
    url: str


APACHE = "Apache-2.0"
FLUX1_NC = "FLUX.1 [dev] Non-Commercial License"
LICENCES: dict[str, ModelLicence] = {
    "flux2-klein-4b": ModelLicence("FLUX.2 [klein] 4B", APACHE, True,
                                   "https://huggingface.co/black-forest-labs/FLUX.2-klein-4B"),
    "qwen-image-edit-2509": ModelLicence("Qwen-Image-Edit-2509", APACHE, True,
                                         "https://huggingface.co/Qwen/Qwen-Image-Edit-2509"),
    "flux1-dev": ModelLicence("FLUX.1-dev (+ Union-Pro ControlNet, Redux)", FLUX1_NC, False,
                              "https://huggingface.co/black-forest-labs/FLUX.1-dev/blob/main/LICENSE.md"),
    "bfl-api": ModelLicence("FLUX.2 via the BFL API", "BFL API terms of service (commercial use of outputs)",
                            True, "https://bfl.ai/legal/terms-of-service"),
    "fal-api": ModelLicence("FLUX.2 via fal.ai", "fal.ai terms (commercial use listed per model)", True,
                            "https://fal.ai/models/fal-ai/flux-2/klein/4b/edit/api"),
}

# Model files (as ComfyUI workflows name them) -> licence key: how a custom workflow's models are recognised.
FILE_HINTS: tuple[tuple[str, str], ...] = (
    ("klein-4b", "flux2-klein-4b"), ("klein_4b", "flux2-klein-4b"),
    ("qwen_image_edit", "qwen-image-edit-2509"), ("qwen-image-edit", "qwen-image-edit-2509"),
    ("flux1-dev", "flux1-dev"), ("flux1-redux-dev", "flux1-dev"), ("flux.1-dev", "flux1-dev"),
)
LOADER_INPUTS = ("unet_name", "ckpt_name", "style_model_name", "control_net_name")

_LOGGED: set[tuple[str, str]] = set()
_LOCK = threading.Lock()


def licence_log(*, engine: str, model_key: str) -> ModelLicence:
    """Log the model's licence terms once per (engine, model) in this process; a non-commercial one as a
    warning so an operator sees it in the worker's start-up output."""
    info = LICENCES[model_key]
    with _LOCK:
        if (engine, model_key) in _LOGGED:
            return info
        _LOGGED.add((engine, model_key))
    if info.commercial:
        logger.info("%s engine: %s, licence %s (%s)", engine, info.model, info.licence, info.url)
    else:
        logger.warning("%s engine: %s is under the %s: not for a paid product without a licence from "
                       "Black Forest Labs (%s)", engine, info.model, info.licence, info.url)
    return info


def licence_keys_of_workflow(graph: dict) -> list[str]:
    """The licence keys of the models a ComfyUI workflow loads ("?" for a model file not recognised)."""
    keys: list[str] = []
    for node in graph.values():
        for name in LOADER_INPUTS:
            value = (node.get("inputs") or {}).get(name)
            if not isinstance(value, str):
                continue
            key = next((k for hint, k in FILE_HINTS if hint in value.lower()), "?" + value)
            if key not in keys:
                keys.append(key)
    return keys


def workflow_licences_log(*, engine: str, graph: dict) -> list[str]:
    """Log the licence of every model a workflow loads, once each; an unrecognised file as a warning that
    its licence is the operator's to check."""
    keys = licence_keys_of_workflow(graph)
    for key in keys:
        if key.startswith("?"):
            with _LOCK:
                if (engine, key) in _LOGGED:
                    continue
                _LOGGED.add((engine, key))
            logger.warning("%s engine: the workflow loads %s, whose licence is not known here: check it allows "
                           "commercial use", engine, key[1:])
        else:
            licence_log(engine=engine, model_key=key)
    return keys
