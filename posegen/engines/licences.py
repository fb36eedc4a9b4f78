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
