"""The avatar cut-out: the person's RGBA texture, cropped, with their COCO-18 keypoints in its pixels."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from posegen.imaging.segmentation import PersonMatte, cut_out_person, segment_person
from posegen.posekit.extract import PoseExtraction, load_rgb_image

__all__ = ["Cutout", "make_cutout"]

# The texture keeps the person at most this tall: the output person is ~1350 px tall on a
# 1024x1536 canvas, so more would only cost memory and remap time.
TEXTURE_MAX_HEIGHT = 1600
# Margin around the person's box, as a share of its long side (room for soft edges).
CROP_MARGIN = 0.03
# Matte values below the floor are background fringe, above the ceiling the person (see _refine_alpha).
MATTE_FLOOR = 0.12
MATTE_CEILING = 0.8
# Opaque pieces apart from the person smaller than this share of the largest piece are dropped.
FRAGMENT_SHARE = 0.02


@dataclass(frozen=True, eq=False)
class Cutout:
    texture: np.ndarray  # (H, W, 4) uint8 RGBA
    keypoints: np.ndarray  # (18, 3) in texture pixels
    pose: PoseExtraction | None
    matte: PersonMatte
    photo_size: tuple[int, int]  # width, height of the photo
    box: tuple[int, int, int, int]  # the crop in photo pixels
    warnings: list[str] = field(default_factory=list)


def _refine_alpha(alpha: np.ndarray) -> np.ndarray:
    """Stretch the matte's contrast: a faint fringe (background seen through a soft edge) drops to
    nothing, and a limb the segmenter was unsure of (skin on a skin-coloured floor) becomes solid.
    The colour under it was decontaminated, so making it opaque shows the person, not the room."""
    lo, hi = MATTE_FLOOR * 255.0, MATTE_CEILING * 255.0
    return np.clip((alpha.astype(np.float32) - lo) * (255.0 / (hi - lo)) + 0.5, 0, 255).astype(np.uint8)


def _drop_fragments(alpha: np.ndarray) -> np.ndarray:
    """Zero the small pieces of the cut-out that touch nothing of the person (not even through a soft
    edge): a patch of pavement or a bloom the segmenter kept beside a boot. The rig hangs every pixel on
    its nearest part, so such a piece was carried along with a foot and drawn as a floating shard."""
    count, comp, stats, _ = cv2.connectedComponentsWithStats((alpha > 0).astype(np.uint8), connectivity=8)
    if count <= 2:
        return alpha
    areas = stats[1:, cv2.CC_STAT_AREA]
    small = np.flatnonzero(areas < FRAGMENT_SHARE * areas.max()) + 1
    if len(small) == 0:
        return alpha
    out = alpha.copy()
    out[np.isin(comp, small)] = 0
    return out


def make_cutout(*, image: bytes | np.ndarray, matte: PersonMatte | None = None) -> Cutout:
    """Segment the main person (MediaPipe, bundled models) and cut them out.

    Raises posegen.imaging.segmentation.NoPersonSegmented / InvalidImage."""
    rgb = load_rgb_image(image=image)
    if matte is None:
        matte = segment_person(image=rgb, keep="main")
    rgba = cut_out_person(image=rgb, matte=matte, decontaminate=True)
    rgba[:, :, 3] = _drop_fragments(_refine_alpha(rgba[:, :, 3]))
    h, w = rgb.shape[:2]
    ys, xs = np.nonzero(matte.alpha > 0.05)
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    pad = int(CROP_MARGIN * max(x1 - x0, y1 - y0)) + 2
    x0, y0, x1, y1 = max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)
    texture = rgba[y0:y1, x0:x1]
    kp = np.zeros((18, 3))
    if matte.pose is not None:
        kp = matte.pose.keypoints_px().astype(np.float64)
        kp[:, 0] -= x0
        kp[:, 1] -= y0
    scale = min(1.0, TEXTURE_MAX_HEIGHT / max(1, y1 - y0))
    if scale < 1.0:
        texture = cv2.resize(texture, (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale))),
                             interpolation=cv2.INTER_AREA)
        kp[:, :2] = (kp[:, :2] + 0.5) * scale - 0.5
    texture = np.ascontiguousarray(texture)
    return Cutout(texture=texture, keypoints=kp, pose=matte.pose, matte=matte, photo_size=(w, h),
                  box=(int(x0), int(y0), int(x1), int(y1)), warnings=list(matte.warnings))
