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
    # One seed for every pose of a generation (per variation): the studio engines sample with it under
    # POSEGEN_SEED_POLICY=shoot so the person and garment stay the same across a shoot (references.sampling_seed).
    shoot_seed: int | None = None
    # The avatar's traits as the photo check stored them (PoseJudge.avatar_traits, plain JSON): an engine
    # that judges poses renders with the verdict the buyer saw before paying instead of judging a photo it
    # would analyse again. None: nothing stored that fits this engine; the engine makes them itself.
    avatar_traits: dict[str, Any] | None = None
    # The target as it was judged before payment (a feasibility target dict: pose_structure, keypoints,
    # width, height), when it differs from what is rendered: a library pose's later variations are jittered
    # a few degrees, which can move a hand across a rule's threshold; the buyer's verdict is the listed pose's.
    judged_target: dict[str, Any] | None = None

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


# What a hosted provider's content refusal tells the user (every provider words its own reason differently).
MODERATED_MESSAGE = "The image service declined this image under its content rules; it was refunded."


class BadEngineInput(EngineError):
    """The inputs cannot produce an image (e.g. no usable avatar); never retried."""


class QualityGateFailed(EngineError):
    """The image was made but failed the quality gate before delivery (posegen.engines.offline.gate);
    never retried: the same inputs make the same image. ``checks`` is what the gate measured, for the
    image's engine metadata; ``code`` names the failed check."""

    def __init__(self, message: str, *, code: str, checks: dict[str, Any], user_message: str) -> None:
        super().__init__(message, user_message=user_message)
        self.code = code
        self.checks = checks


@dataclass(frozen=True)
class PoseVerdict:
    """Whether an engine can make a target pose from an avatar; ``reason`` is English (the engine has no
    Django), ``code`` is stable so the web layer can say it in the reader's language."""

    supported: bool
    code: str = ""
    reason: str = ""
    params: dict[str, Any] = field(default_factory=dict)


SUPPORTED = PoseVerdict(supported=True)


class Engine(Protocol):
    name: str

    def generate(self, request: EngineRequest) -> EngineResult: ...


class PoseJudge(Protocol):
    """Optional engine capability: engines limited by the avatar photo (the offline engine moves its
    pixels) say before payment which poses they cannot make. Engines without it (diffusion, APIs)
    can render anything: every pose is supported.

    ``avatar_traits`` is slow (it may rig the photo) and returns plain JSON to store once per avatar;
    ``judge_poses`` is fast and pure: traits + target poses -> one verdict per target. A target is a
    dict with ``keypoints`` ((18, 3) normalised to a ``width`` x ``height`` canvas) and, when known,
    ``pose_structure`` (the posekit pose dict)."""

    def avatar_traits(self, *, image: bytes) -> dict[str, Any]: ...

    def judge_poses(self, *, traits: dict[str, Any], targets: list[dict[str, Any]]) -> list[PoseVerdict]: ...


def engine_judges_poses(engine: object) -> bool:
    """Whether an engine (class or instance) declares the PoseJudge capability."""
    return callable(getattr(engine, "judge_poses", None)) and callable(getattr(engine, "avatar_traits", None))
