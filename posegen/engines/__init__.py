"""Engine selection by the POSEGEN_ENGINE setting."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from posegen.engines.base import (
    BadEngineInput,
    Engine,
    EngineError,
    EngineRequest,
    EngineResult,
    ModerationRejected,
    QualityGateFailed,
    TransientEngineError,
)

ENGINES: dict[str, str] = {
    "mannequin": "posegen.engines.mannequin.MannequinEngine",
    "instant": "posegen.engines.instant.InstantEngine",
    "comfyui": "posegen.engines.comfyui.ComfyUIEngine",
    "diffusers": "posegen.engines.diffusers_engine.DiffusersEngine",
    "fal": "posegen.engines.fal.FalEngine",
    "bfl": "posegen.engines.bfl.BFLEngine",
    "offline": "posegen.engines.offline.OfflineEngine",
}


@cache
def _engine(name: str) -> Engine:
    path = {**ENGINES, **getattr(settings, "POSEGEN_EXTRA_ENGINES", {})}.get(name)
    if path is None:
        raise LookupError(f"unknown POSEGEN_ENGINE {name!r}; choose one of {', '.join(sorted(ENGINES))}")
    return import_string(path)()


def engine_get(name: str | None = None) -> Engine:
    """The configured engine, created once per process (engines may hold loaded models)."""
    return _engine(name or settings.POSEGEN_ENGINE)


__all__ = [
    "ENGINES",
    "BadEngineInput",
    "Engine",
    "EngineError",
    "EngineRequest",
    "EngineResult",
    "ModerationRejected",
    "QualityGateFailed",
    "TransientEngineError",
    "engine_get",
]
