"""The avatar cut-out: the person's RGBA texture, cropped, with their COCO-18 keypoints in its pixels."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from posegen.imaging.segmentation import PersonMatte, cut_out_person, segment_person
from posegen.imaging.segmentation_gap import leg_gap
from posegen.imaging.unsure_matte import judge_unsure
from posegen.posekit.extract import PoseExtraction, load_rgb_image
from posegen.posekit.keypoints import COCO18_INDEX

__all__ = ["Cutout", "make_cutout"]

# The texture keeps the person at most this tall: the output person is ~1350 px tall on a
# 1024x1536 canvas, so more would only cost memory and remap time.
TEXTURE_MAX_HEIGHT = 1600
# Margin around the person's box, as a share of its long side (room for soft edges).
CROP_MARGIN = 0.03
# Matte values below the floor are background fringe, above the ceiling the person (see _refine_alpha).
MATTE_FLOOR = 0.12
MATTE_CEILING = 0.8
# Off until carried.py's held-thing finder is re-tuned: it reads the texture's colours and was tuned on the
# old painted-in ones. On, the seller bench (LiteRT, engine at b48f186, run e14a-L4 vs e14a-Llb) delivered
# 163/181 (90.1 %) vs 165/179 (92.2 %) and carried 26/54 vs 32/52: held_unsure moved (0121 and 0463 lost it,
# so their bag poses became supported and failed; 0585 gained it). On the engine of 092bf82 (MediaPipe,
# e14a-7 vs base) it was 219/240 vs 219/239 delivered, garments 74 vs 73, carried 30 vs 29.
JUDGE_COLOUR = False
# Unsure matte this many torso lengths from the head's centre is kept whatever its colour (see _kept_zones).
HEAD_REACH = 0.5
# A keypoint counts as seen from this visibility.
SEEN = 0.3
# The matte is sure of the person from this value (posegen.imaging.unsure_matte.SURE).
MATTE_SURE = 0.95
# An opaque piece apart from the person's with fewer sure pixels than this share is dropped with its edge.
ISLAND_SURE_SHARE = 0.05
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


def _kept_zones(pose: PoseExtraction | None, shape: tuple[int, int]) -> np.ndarray | None:
    """Where judge_unsure keeps unsure matte whatever its colour (short of colours only the scene shows):
    1 within HEAD_REACH torso lengths of the head's centre (dark hair against a dark arcade, 0001: the
    head is never cut), fading to 0 over half as much again. None without a pose.

    Not the hands: a zone there kept 0447's newspaper, but also a passer-by beside 0001's sleeve and the
    red chair behind 3DHP's hand, which carried.held_traits then took for a held bag (every pose of that
    photo refused)."""
    if pose is None:
        return None
    kp = pose.keypoints_px()
    neck, hips = kp[COCO18_INDEX["neck"]], kp[[COCO18_INDEX["r_hip"], COCO18_INDEX["l_hip"]]]
    head = kp[[COCO18_INDEX[name] for name in ("nose", "r_eye", "l_eye", "r_ear", "l_ear")]]
    if neck[2] < SEEN or (hips[:, 2] < SEEN).all() or (head[:, 2] < SEEN).all():
        return None
    torso = float(np.hypot(*(hips[hips[:, 2] >= SEEN, :2].mean(axis=0) - neck[:2])))
    centre = head[head[:, 2] >= SEEN, :2].mean(axis=0)
    x, y = round(float(centre[0])), round(float(centre[1]))
    if torso < 1.0 or not (0 <= x < shape[1] and 0 <= y < shape[0]):
        return None
    away = np.ones(shape, np.uint8)
    away[y, x] = 0
    distance = cv2.distanceTransform(away, cv2.DIST_L2, 5) / torso
    return np.clip((1.5 * HEAD_REACH - distance) / (0.5 * HEAD_REACH), 0.0, 1.0).astype(np.float32)


def _drop_unsure_islands(alpha: np.ndarray, matte: np.ndarray) -> np.ndarray:
    """Zero the opaque pieces, other than the person's, that the segmenter was (almost) nowhere sure of and that
    touch the person only through a faint edge (with that edge): a passer-by's ghost beside 0001's coat.
    The renderer shows what is opaque, so such a piece came out as a shard apart from the person (and
    split the garment region the gate checks). A hand or bag the matte is sure of in ISLAND_SURE_SHARE of
    its pixels stays."""
    solid = (alpha >= 128).astype(np.uint8)
    count, comp, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    if count <= 2:
        return alpha
    areas = stats[1:, cv2.CC_STAT_AREA]
    main = int(np.argmax(areas)) + 1
    sure = np.bincount(comp.ravel(), weights=(matte >= MATTE_SURE).ravel(), minlength=count)
    drop = [i for i in range(1, count) if i != main and sure[i] < ISLAND_SURE_SHARE * stats[i, cv2.CC_STAT_AREA]]
    if not drop:
        return alpha
    island = np.isin(comp, drop).astype(np.uint8)
    # The faint edge round an island goes with it (the person's own edge is nearer the person).
    near_island = cv2.distanceTransform(1 - island, cv2.DIST_L2, 3)
    near_person = cv2.distanceTransform((comp != main).astype(np.uint8), cv2.DIST_L2, 3)
    out = alpha.copy()
    out[(island > 0) | ((alpha < 128) & (near_island < near_person))] = 0
    return out


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


def _without_leg_gap(rgb: np.ndarray, matte: PersonMatte) -> PersonMatte:
    """The matte with the scene it holds between the legs taken out (segmentation_gap.leg_gap: H36M S1's
    carpet between her thighs was carried along with the legs in every pose), over a one-pixel soft edge."""
    if matte.pose is None:
        return matte
    gap = leg_gap(image=rgb, alpha=matte.alpha, keypoints=matte.pose.keypoints_px())
    if not gap.any():
        return matte
    keep = 1.0 - cv2.GaussianBlur(gap.astype(np.float32), (0, 0), 1.0)
    keep[gap] = 0.0
    return replace(matte, alpha=(matte.alpha * keep).astype(np.float32))


def make_cutout(*, image: bytes | np.ndarray, matte: PersonMatte | None = None,
                judge_colour: bool = JUDGE_COLOUR) -> Cutout:
    """Segment the main person (MediaPipe, bundled models) and cut them out.

    ``judge_colour``: unsure matte judged by its own colour (judge_unsure, _kept_zones,
    _drop_unsure_islands) instead of painted with the sure person's blurred colour; see JUDGE_COLOUR.

    Raises posegen.imaging.segmentation.NoPersonSegmented / InvalidImage."""
    rgb = load_rgb_image(image=image)
    if matte is None:
        matte = segment_person(image=rgb, keep="main")
    h, w = rgb.shape[:2]
    if matte.alpha.shape != (h, w):
        raise ValueError(f"Matte is {matte.alpha.shape}, photo is {(h, w)}.")
    matte = _without_leg_gap(rgb, matte)
    if judge_colour:
        # Unsure matte is judged by its own colour (background-coloured patches go, held things keep their
        # colour) before the contrast stretch makes what is left opaque; the width is the one
        # segmentation.cut_out_person decontaminates over.
        alpha, colour = judge_unsure(image=rgb, alpha=matte.alpha, sigma=max(2.0, 0.01 * max(h, w)),
                                     held=_kept_zones(matte.pose, (h, w)))
        rgba = np.dstack([colour, np.round(alpha * 255.0).astype(np.uint8)])
        rgba[:, :, 3] = _drop_fragments(_drop_unsure_islands(_refine_alpha(rgba[:, :, 3]), matte.alpha))
    else:
        rgba = cut_out_person(image=rgb, matte=matte, decontaminate=True)
        rgba[:, :, 3] = _drop_fragments(_refine_alpha(rgba[:, :, 3]))
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
