"""Person segmentation's mask arithmetic: fusing the two models' probability maps, gating the matte
to the person, refining its edges with the guided filter, and keeping or dropping its connected
components. imaging.segmentation runs the models and strings these steps together (the steps and
how each was measured are described there).

Never imports Django.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from posegen.imaging.matting import guided_filter

if TYPE_CHECKING:
    from posegen.posekit.extract import PoseExtraction

__all__ = [
    "GUIDED_RADIUS",
    "MIN_COMPONENT",
    "components",
    "distance_to",
    "drop_specks",
    "fuse",
    "gate",
    "guided_refine",
    "keep_components",
    "main_components",
    "pose_sure_holes",
    "pose_sure_regions",
    "region_mask",
    "resized",
]

# The guided filter's coefficients are fitted on a grid about this size (the "fast" guided
# filter): still finer than the models' 256-px output, and 5-10x cheaper than full resolution.
REFINE_GRID_SIDE = 384
# Guided filter radius as a share of the refined image's long side, and its regulariser (on 0..1
# intensities); found on the annotated photos, flat within a factor of two either way.
GUIDED_RADIUS = 0.008
GUIDED_EPS = 1e-3
# Fusion weights (see fuse): a floor so an unsure model still counts a little, and the extra
# weight of a confident "not person". Chosen on the annotated photos plus the grey (0.2..0.8)
# share of the matte on the V-sign photo; IoU moves by <0.3% over floor 0.02..0.1, bias 0.5..2.
FUSE_FLOOR = 0.05
FUSE_NO_BIAS = 1.0
# A region the pose model is sure of (above POSE_SURE) and the fusion is not counts as the person's when it is
# at least this thick (its inscribed radius, as a share of the person's size): see pose_sure_regions.
POSE_SURE = 0.8
HELD_THICKNESS = 0.03
# A hole in the matte above HOLE_SURE takes the pose model's value where it is sure of this share of it.
HOLE_SURE = 0.9
HOLE_POSE_SHARE = 0.8
# ... when it is at least this share of the photo (about 1 % of a full-body person: 0807's scarf 0.6 %, the wall
# seen between 0783's hair and arm 0.1 %) and under 0.5 on HOLE_OPEN_SHARE of it: the body's inside is often a
# little under HOLE_SURE (the fusion's average), and raising it moved the soft edge by a pixel here and there,
# and the held-thing finder's verdict on 0033 and 0139 with it.
HOLE_MIN_AREA = 0.002
HOLE_OPEN_SHARE = 0.2
# Components smaller than this share of the photo are specks, not people.
MIN_COMPONENT = 0.0005


def region_mask(pose: PoseExtraction, shape: tuple[int, int], scale: float) -> np.ndarray:
    """Where the landmark model looked (its rotated square), as a float 0/1 mask of ``shape``."""
    seen = np.zeros(shape, dtype=np.uint8)
    corners = pose.landmark_region_px()
    if corners is None:
        return np.ones(shape, dtype=np.float32)
    cv2.fillConvexPoly(seen, np.round(corners * scale).astype(np.int32), 1)
    return seen.astype(np.float32)


def fuse(*, selfie: np.ndarray, pose: np.ndarray, pose_seen: np.ndarray) -> np.ndarray:
    """Combine the two probability maps, each weighted by how sure it is at each pixel.

    A plain average leaves 0.5 wherever one model is sure and the other lost (the selfie model
    is often unsure of arms raised against the sky, which the pose model gets), so each vote is
    weighted by its distance from 0.5. A sure "not person" weighs double: when the models
    disagree confidently it is either the pose model refusing a neighbour (it is per person, the
    selfie model is not) or the selfie model refusing a pose-mask bleed onto the background, and
    both times the refusal is right. Outside the landmark model's region the pose map is 0 only
    because nobody looked, so it gets no vote there.
    """
    no_weight, yes_weight = np.float32(1.0 + FUSE_NO_BIAS), np.float32(1.0)
    w_selfie = (np.abs(selfie - 0.5) + FUSE_FLOOR) * np.where(selfie < 0.5, no_weight, yes_weight)
    w_pose = (np.abs(pose - 0.5) + FUSE_FLOOR) * np.where(pose < 0.5, no_weight, yes_weight) * pose_seen
    return ((w_selfie * selfie + w_pose * pose) / (w_selfie + w_pose)).astype(np.float32)


def pose_sure_regions(fused: np.ndarray, pose: np.ndarray, thickness_px: float) -> np.ndarray:
    """``fused`` raised to the pose model's value over the regions it is sure of and the fusion is not, where
    such a region is at least ``thickness_px`` thick (its largest inscribed circle's radius).

    BlazePose's mask is per person and takes in what the person holds (a tote at the hip, a big bag on the
    shoulder); the selfie model does not, and its confident "no" outweighs the pose model in ``fuse``, so on
    seller photos 0807 and 0241 the bag was cut off (at the hand, or below it). Where the pose model's extra is
    only a rim (its mask bleeding onto the background, a passer-by's sleeve beside the person) it is thin:
    on the seller photos and the annotated ones every such region is at most 0.02 of the person's size
    thick, the two bags 0.07 and 0.095."""
    extra = ((pose > POSE_SURE) & (fused < 0.5)).astype(np.uint8)
    if not extra.any():
        return fused
    count, labels, _, _ = cv2.connectedComponentsWithStats(extra, connectivity=8)
    depth = cv2.distanceTransform(extra, cv2.DIST_L2, 3)
    thickest = np.zeros(count, dtype=np.float32)
    np.maximum.at(thickest, labels.ravel(), depth.ravel())
    thick = np.flatnonzero(thickest >= max(1.0, thickness_px))
    thick = thick[thick != 0]
    if thick.size == 0:
        return fused
    # The region's own soft edge (the pose mask's ramp around it) comes along, so it is not cut at 0.8.
    region = cv2.dilate(np.isin(labels, thick).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    return np.where(region, np.maximum(fused, pose), fused).astype(np.float32)


def pose_sure_holes(fused: np.ndarray, pose: np.ndarray, *, hips_y: float | None = None) -> np.ndarray:
    """``fused`` raised to the pose model's value over its holes that the pose model is sure of.

    A hole is a region under HOLE_SURE that the surer matte encloses (it reaches the photo's border through
    nothing else); the pose model must be sure (above POSE_SURE) of HOLE_POSE_SHARE of it. 0807's cream scarf
    hanging between her forearm and the bag: the selfie model took it for the street (0.0-0.4) and the fused
    matte was half transparent there, inside the forearm's part of the cut-out. A real gap (between an arm
    and the body) is one the pose model sees too; pinholes and the body's slightly unsure inside are no holes.
    Nor is a region centred below ``hips_y`` (the hips' midpoint, pixels): the pose model's blur is sure of
    the street between the legs (0139), which segmentation_gap.leg_gap takes out later."""
    open_ = (fused < HOLE_SURE).astype(np.uint8)
    count, labels, stats, centres = cv2.connectedComponentsWithStats(open_, connectivity=4)
    if count <= 1:
        return fused
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    sure = np.bincount(labels.ravel(), weights=(pose > POSE_SURE).ravel(), minlength=count)
    area = stats[:, cv2.CC_STAT_AREA]
    see_through = np.bincount(labels.ravel(), weights=(fused < 0.5).ravel(), minlength=count)
    holes = np.flatnonzero((sure >= HOLE_POSE_SHARE * area) & (see_through >= HOLE_OPEN_SHARE * area)
                           & (area >= HOLE_MIN_AREA * fused.size)
                           & (centres[:, 1] <= (np.inf if hips_y is None else hips_y)))
    holes = holes[~np.isin(holes, border)]
    if holes.size == 0:
        return fused
    return np.where(np.isin(labels, holes), np.maximum(fused, pose), fused).astype(np.float32)


def distance_to(mask: np.ndarray) -> np.ndarray:
    """Pixel distance from every pixel to the nearest pixel of ``mask`` (0 on it)."""
    if not mask.any():
        return np.full(mask.shape, np.inf, dtype=np.float32)
    return cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 3)


def gate(mask: np.ndarray, reach_px: float) -> np.ndarray:
    """1 on and within ``reach_px`` of ``mask``, falling linearly to 0 at twice that distance."""
    reach_px = max(1.0, reach_px)
    return np.clip(2.0 - distance_to(mask) / reach_px, 0.0, 1.0).astype(np.float32)


def resized(image: np.ndarray, scale: float) -> np.ndarray:
    if scale >= 1.0:
        return image
    height, width = image.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def guided_refine(guide: np.ndarray, soft: np.ndarray, *, radius_share: float = GUIDED_RADIUS) -> np.ndarray:
    """The matte's edges steered by the photo; the radius is ``radius_share`` of its long side."""
    long_side = max(guide.shape[:2])
    out = guided_filter(
        guide=np.ascontiguousarray(guide),
        src=soft,
        radius=max(2, round(radius_share * long_side)),
        eps=GUIDED_EPS,
        subsample=max(1, round(long_side / REFINE_GRID_SIDE)),
    )
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def components(binary: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary.astype(np.uint8), connectivity=8)
    return count, labels, stats


def keep_components(alpha: np.ndarray, keep: np.ndarray, reach_px: float) -> np.ndarray:
    """Zero the matte farther than ``reach_px`` from the kept components (their soft edges stay)."""
    return np.where(distance_to(keep) <= reach_px, alpha, 0.0).astype(np.float32)


def main_components(alpha: np.ndarray, anchor: np.ndarray) -> np.ndarray:
    """Components of alpha > 0.5 that overlap ``anchor``; the largest one if none does.

    A component that shares only a sliver with the anchor (the pose mask spilling onto a
    neighbour's arm) is not the person: it must hold at least a tenth of the best overlap.
    """
    count, labels, stats = components(alpha > 0.5)
    if count <= 1:
        return np.zeros(alpha.shape, dtype=bool)
    hits = np.bincount(labels[anchor], minlength=count)
    hits[0] = 0
    chosen = np.flatnonzero(hits > 0.1 * hits.max()) if hits.max() > 0 else np.array([], dtype=int)
    if chosen.size == 0:
        chosen = np.array([1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))])
    return np.isin(labels, chosen)


def drop_specks(alpha: np.ndarray) -> np.ndarray:
    count, labels, stats = components(alpha > 0.5)
    if count <= 1:
        return alpha
    min_area = MIN_COMPONENT * alpha.size
    big = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] >= min_area)
    big = big[big != 0]
    return keep_components(alpha, np.isin(labels, big), 2)
