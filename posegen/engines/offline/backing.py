"""Backing: the body that continues under a limb lying in front of it. Its pixels are painted in from
around them (OpenCV Telea) on a copy of the cut-out that the torso, the cloth and a leg under a hand
sample, so moving the limb away shows painted body, not a hole or the old hand."""

from __future__ import annotations

import cv2
import numpy as np

from posegen.engines.offline.parts import ARMS, TORSO, segment_distance, torso_quad

__all__ = ["TORSO_BAND", "arm_pixels", "atlas", "torso_region"]

# Half-width of the torso's seed band along the spine, as a share of the torso length.
TORSO_BAND = 0.26


def torso_region(shape: tuple[int, int], kp: np.ndarray, bones: np.ndarray, torso_len: float,
                  grow: float) -> np.ndarray:
    """(h, w) bool at label scale: the shoulder-hip quad and the band along the spine (see
    _label_parts), grown by ``grow``: where the torso continues under an arm lying in front of it."""
    h, w = shape
    region = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(region, np.round(torso_quad(kp, grow)).astype(np.int32), 1)
    ys, xs = np.mgrid[0:h, 0:w]
    d, t = segment_distance(np.stack([xs, ys], axis=-1).astype(np.float64), bones[TORSO, 0], bones[TORSO, 1])
    # Only the spine band's own width here, not the shoulders': the waist is narrower than the
    # shoulders, and an arm hanging beside it must not leave a painted flap of body behind.
    half = TORSO_BAND * torso_len * grow
    return (region > 0) | ((d <= half) & (t >= 0.05) & (t <= 1.0))


def arm_pixels(labels: np.ndarray) -> np.ndarray:
    return np.isin(labels, ARMS)


def atlas(texture: np.ndarray, labels: np.ndarray, scale: float, region: np.ndarray,
           arm_pixels: np.ndarray) -> np.ndarray:
    """Premultiplied RGBA: the cut-out beside a copy whose arm pixels over the torso are painted
    over from the surrounding torso (OpenCV Telea inpainting at the label scale, then upsampled)."""
    th, tw = texture.shape[:2]
    t16 = texture.astype(np.uint16)
    premult = np.dstack([(t16[:, :, :3] * t16[:, :, 3:4] + 127) // 255, t16[:, :, 3]]).astype(np.uint8)
    lh, lw = labels.shape
    hole = (arm_pixels & region).astype(np.uint8)
    copy = premult.copy()
    if hole.any():
        hole = cv2.dilate(hole, np.ones((5, 5), np.uint8))
        small = cv2.resize(texture[:, :, :3], (lw, lh), interpolation=cv2.INTER_AREA)
        painted = cv2.inpaint(small, hole, 5, cv2.INPAINT_TELEA)
        big_hole = cv2.resize(hole * 255, (tw, th), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
        big_paint = cv2.resize(painted, (tw, th), interpolation=cv2.INTER_LINEAR).astype(np.float32)
        w = big_hole[..., None]
        rgb = copy[:, :, :3].astype(np.float32) * (1.0 - w) + big_paint * w
        a = np.maximum(copy[:, :, 3].astype(np.float32), big_hole * 255.0)
        copy = np.dstack([np.clip(rgb, 0, 255), a]).astype(np.uint8)
    return np.ascontiguousarray(np.hstack([premult, copy]))
