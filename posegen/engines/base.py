"""The one engine interface: avatar + target pose in, an image (or a typed error) out.

Engines never import Django models; the pipeline hands them plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True)
class EngineRequest:
    avatar_image: bytes  # encoded JPEG/PNG/WebP of the user's avatar
    keypoints: np.ndarray  # (18, 3) COCO-18, normalised x/y in 0..1, confidence
    # Builds the PNG of the OpenPose map on first use: encoding a full-size map costs ~50 ms and only
    # the diffusion engines need it.
    controlnet_map_loader: Callable[[], bytes]
    prompt: str
    negative_prompt: str = ""
    seed: int = 0
    controlnet_weight: float = 0.75
    width: int = 1024
    height: int = 1536
    pose_structure: dict[str, Any] | None = None  # posekit Pose as a dict, when known
    variation: int = 0

    @cached_property
    def controlnet_map(self) -> bytes:
        return self.controlnet_map_loader()


@dataclass(frozen=True)
class EngineResult:
    image: bytes  # encoded PNG or JPEG
    width: int
    height: int
    seed: int
    elapsed: float  # seconds
    confidence: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


class EngineError(Exception):
    """Base of every engine failure; `user_message` is safe to show the user."""

    retryable = False

    def __init__(self, message: str, *, user_message: str | None = None) -> None:
        super().__init__(message)
        self.user_message = user_message or "The image could not be generated."


class TransientEngineError(EngineError):
    """Timeouts, 429s, 5xx, lost connections: worth retrying with backoff."""

    retryable = True


class ModerationRejected(EngineError):
    """The provider refused the content; never retried."""


class BadEngineInput(EngineError):
    """The inputs cannot produce an image (e.g. no usable avatar); never retried."""


class Engine(Protocol):
    name: str

    def generate(self, request: EngineRequest) -> EngineResult: ...
