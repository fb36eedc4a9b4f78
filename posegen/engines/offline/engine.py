"""The offline engine: the avatar photo itself, re-posed on a CPU (no GPU, no API key)."""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from PIL import Image

from posegen.engines.base import BadEngineInput, EngineError, EngineRequest, EngineResult
from posegen.engines.offline.cutout import Cutout, make_cutout
from posegen.engines.offline.gate import quality_gate
from posegen.engines.offline.held_arm import aimed_target
from posegen.engines.offline.render import Look, Posed, Rendered, pose_rig, render_posed, warp_labels
from posegen.engines.offline.rig import Rig, RigError, build_rig

__all__ = ["AvatarRig", "OfflineEngine", "avatar_traits", "repose", "rig_avatar", "warp_photo_labels"]

# Rigs kept per process (a rig of a 1600-px-tall cut-out is ~15 MB, mostly its texture atlas).
RIG_CACHE_SIZE = 8


@dataclass(frozen=True, eq=False)
class AvatarRig:
    cutout: Cutout
    rig: Rig


def rig_avatar(*, image: bytes | np.ndarray) -> AvatarRig:
    """Cut out and rig the main person of an avatar photo (about 1-3 s; do it once per avatar).

    Raises BadEngineInput, with a user message, when the photo cannot be used."""
    from posegen.imaging.segmentation import InvalidImage, NoPersonSegmented

    try:
        cutout = make_cutout(image=image)
    except (NoPersonSegmented, InvalidImage) as exc:
        raise BadEngineInput(f"avatar unusable: {exc}", user_message=str(exc)) from exc
    if cutout.pose is None:
        raise BadEngineInput("no pose found on the avatar",
                             user_message="No person was found in the avatar photo. Use a photo of one "
                                          "person, standing, seen whole from head to feet.")
    try:
        rig = build_rig(texture=cutout.texture, keypoints=cutout.keypoints)
    except RigError as exc:
        raise BadEngineInput(str(exc), user_message=exc.user_message) from exc
    return AvatarRig(cutout=cutout, rig=rig)


def repose(*, avatar: AvatarRig, target: np.ndarray, width: int = 1024, height: int = 1536,
           depth: np.ndarray | None = None, seed: int = 0, variation: int = 0) -> tuple[Rendered, Posed]:
    """The avatar in the ``target`` pose: (18, 3) COCO-18 keypoints normalised to a ``width`` x
    ``height`` canvas; ``depth`` (18,) per keypoint when the 3D pose is known (drawing order)."""
    tg = np.asarray(target, dtype=np.float64).copy()
    tg[:, 0] *= width
    tg[:, 1] *= height
    posed = pose_rig(rig=avatar.rig, target=tg, depth=depth)
    rendered = render_posed(rig=avatar.rig, posed=posed, width=width, height=height,
                            look=Look.seeded(seed, variation))
    return rendered, posed


def avatar_traits(avatar: AvatarRig) -> dict:
    """What the photo allows, for judging poses before payment (feasibility):

    "standing" (upright, knees not both bent), "garment" (None | "dress" | "skirt" | "coat": cloth
    bridging the legs), "hem_ratio" (where that cloth ends along hip->ankle, 0..1), "max_leg_spread_deg"
    (widest angle between the legs its hem can follow), "carried_hand" (None | "left" | "right"), and
    carried.held_traits: "carried_forearm_deg" and "held_unsure" (hands that may hold something)."""
    from posegen.engines.offline.avatar_check import BENT_KNEE_DEG, TILTED_TORSO_DEG, knee_bend
    from posegen.engines.offline.carried import held_traits
    from posegen.engines.offline.retarget import pelvis

    kp = avatar.rig.keypoints
    up = kp[1, :2] - pelvis(kp)
    tilt = float(np.degrees(np.arctan2(abs(up[0]), -up[1])))
    bends = [knee_bend(kp, hip, knee, ankle) for hip, knee, ankle in ((8, 9, 10), (11, 12, 13))]
    garment, carried = avatar.rig.garment, avatar.rig.carried
    return {
        "standing": bool(tilt <= TILTED_TORSO_DEG and min(bends) <= BENT_KNEE_DEG),
        "garment": garment.kind if garment is not None else None,
        "hem_ratio": round(garment.hem_ratio, 3) if garment is not None else None,
        "max_leg_spread_deg": round(garment.max_leg_spread_deg, 1) if garment is not None else None,
        "carried_hand": carried.side if carried is not None else None,
        **held_traits(rig=avatar.rig),
    }


def warp_photo_labels(*, avatar: AvatarRig, rendered: Rendered, labels: np.ndarray) -> np.ndarray:
    """A label map over the avatar *photo* (h, w integers, e.g. ground-truth clothing labels) moved
    exactly as the pixels were (nearest neighbour): the rendered canvas's size, 0 off the person.

    Where the picture shows body painted in under a limb that moved away, the label is the one the
    painting continued (the nearest label outside the painted pixels), as the colour was."""
    import cv2
    from scipy import ndimage

    x0, y0, x1, y1 = avatar.cutout.box
    crop = np.ascontiguousarray(np.asarray(labels)[y0:y1, x0:x1])
    th, tw = avatar.cutout.texture.shape[:2]
    if crop.shape != (th, tw):
        crop = cv2.resize(crop, (tw, th), interpolation=cv2.INTER_NEAREST)
    if rendered.sampling is None:
        raise ValueError("this rendering kept no sampling maps")
    atlas, width = avatar.rig.texture, avatar.rig.tex_width
    painted = (atlas[:, width:] != atlas[:, :width]).any(axis=2)
    continued = crop
    if painted.any():
        _, (iy, ix) = ndimage.distance_transform_edt(painted, return_indices=True)
        continued = crop[iy, ix]
    return warp_labels(sampling=rendered.sampling, labels=crop, painted_labels=continued,
                       shape=rendered.alpha.shape)


def _target_depth(request: EngineRequest) -> np.ndarray | None:
    if not request.pose_structure:
        return None
    from posegen.posekit.skeleton import PoseSpecError, pose_from_dict, project_pose

    try:
        view = project_pose(pose=pose_from_dict(data=request.pose_structure), width=request.width,
                            height=request.height)
    except PoseSpecError:
        return None
    return np.asarray(view.depth, dtype=np.float64)


class OfflineEngine:
    name = "offline"
    # It moves the photo's own pixels: generation refuses, before charging, a photo avatar_check rejects.
    needs_usable_avatar = True

    def __init__(self, *, cache_size: int = RIG_CACHE_SIZE) -> None:
        self._cache: OrderedDict[str, AvatarRig] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def avatar(self, data: bytes) -> AvatarRig:
        """The rig of an avatar, built once and kept (LRU) keyed by a hash of its bytes."""
        key = hashlib.sha256(data).hexdigest()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        built = rig_avatar(image=data)
        with self._lock:
            self._cache[key] = built
            self._cache.move_to_end(key)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return built

    def avatar_traits(self, *, image: bytes) -> dict:
        """The avatar's traits for judging poses (engines.base.PoseJudge); rigs the photo (1-3 s)."""
        try:
            return {"usable": True, **avatar_traits(self.avatar(bytes(image)))}
        except BadEngineInput:
            return {"usable": False}

    def judge_poses(self, *, traits: dict, targets: list[dict]) -> list:
        from posegen.engines.offline.feasibility import judge_poses

        return judge_poses(traits=traits, targets=targets)

    def generate(self, request: EngineRequest) -> EngineResult:
        started = time.perf_counter()
        keypoints = np.asarray(request.keypoints, dtype=np.float64)
        if keypoints.shape != (18, 3):
            raise EngineError(f"target keypoints have shape {keypoints.shape}",
                              user_message="This pose has no usable skeleton.")
        avatar = self.avatar(bytes(request.avatar_image))
        # A hand holding a bag keeps its arm as in the photo where feasibility says so (held_arm.py): the
        # pose aimed for, rendered and gated, and said in the metadata for support. The traits stored at the
        # photo check judge the pose as it was listed when the request brings them (the verdict the buyer saw,
        # no second analysis of the photo).
        keypoints, held = aimed_target(avatar=avatar, keypoints=keypoints, pose_structure=request.pose_structure,
                                       width=request.width, height=request.height, traits=request.avatar_traits,
                                       judged=request.judged_target)
        rendered, posed = repose(avatar=avatar, target=keypoints, width=request.width, height=request.height,
                                 depth=_target_depth(request), seed=request.seed, variation=request.variation)
        # Before anything is stored: a failed image raises QualityGateFailed (refunded by the pipeline).
        gate = quality_gate(rgb=rendered.rgb, alpha=rendered.alpha, reference=rendered.keypoints,
                            masks=getattr(rendered, "masks", None),
                            source_areas=getattr(rendered, "source_areas", None))
        buffer = io.BytesIO()
        # Level 1: a 1024x1536 PNG at level 1 is ~3x faster to write than at 6 and ~15% larger.
        Image.fromarray(rendered.rgb).save(buffer, "PNG", compress_level=1)
        return EngineResult(image=buffer.getvalue(), width=request.width, height=request.height, seed=request.seed,
                            elapsed=time.perf_counter() - started, confidence=None,
                            metadata={"engine": self.name, "mirrored": posed.mirrored,
                                      "avatar_warnings": list(avatar.cutout.warnings), "qualityGate": gate, **held})
