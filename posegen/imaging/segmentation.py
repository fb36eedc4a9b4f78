"""Person segmentation: a soft alpha matte of the person in a photo, and an RGBA cut-out.

Used by the background changer and the offline re-posing engine. The models are MediaPipe's (from
the mediapipe 0.10.21 wheel, fetched at install time by posekit.model_files) run on LiteRT; nothing
is downloaded at run time.

How the matte is made (each step measured in bench/bench_segmentation.py):

1. The main (largest) person is located with posekit.extract, which also yields BlazePose's own
   segmentation mask for that person, computed on the region the landmark model looked at.
2. MediaPipe selfie segmentation (general model, 256x256; it beat the landscape model on the
   annotated photos) runs on a square window around that person, so a small full-body figure gets
   the model's full resolution instead of a blobby 256-px view of the whole photo.
3. The two masks are fused, each weighted per pixel by its confidence: they err in different places
   (the pose mask is per person and tighter on small figures, the selfie mask cleaner on close-ups),
   and the fusion beats either alone on the annotated photos. A thick region only the pose model is
   sure of is something the person holds (a tote at the hip) and keeps its value (pose_sure_regions).
4. Edges are refined with a fast guided filter steered by the photo (posegen.imaging.matting), so
   the matte follows hair and sleeves rather than the models' 256-px grid. Its radius is a share of
   the photo, shrunk for a figure much smaller than the photo (see _person_share).
5. ``keep="main"``: other people claim their own pixels (imaging.segmentation_others): the pose
   detector runs again on the photo with the main person's sure core painted grey (and on the photo
   itself when it found more than one person), and where another person's landmark mask is sure and
   their skeleton nearer than the main person's, the matte is theirs (a neighbour's raised arm
   behind the main person's head). A hole the matte encloses and the pose model is sure of is the
   person's (pose_sure_holes: a scarf the selfie model took for the street).
6. ``keep="main"``: the matte is gated to within a few percent of the person's size around the pose
   mask, and connected components that do not overlap that person are dropped.
   ``keep="all"``: other people come from a whole-photo selfie pass.

If the pose detector finds nobody, the whole-photo selfie mask is used alone (largest component for
``keep="main"``) and the result says so in ``warnings``.

Known limit: a passer-by the detector does not find even in the second pass (no face in view: the
woman behind the main one in the ochuman photo) stays in the "main" matte where the pose mask spills
onto them.

Never imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import cv2
import numpy as np

from posegen.imaging.matting import estimate_foreground
from posegen.imaging.segmentation_masks import (
    GUIDED_RADIUS,
    HELD_THICKNESS,
    MIN_COMPONENT,
    components,
    drop_specks,
    fuse,
    gate,
    guided_refine,
    keep_components,
    main_components,
    pose_sure_holes,
    pose_sure_regions,
    region_mask,
    resized,
)
from posegen.imaging.segmentation_others import SURE, claimed_by_others, other_people
from posegen.posekit.extract import (
    InvalidImage,
    ModelUnavailable,
    NoPersonDetected,
    PoseExtraction,
    extract_pose,
    load_rgb_image,
)
from posegen.posekit.extract import warm_up as _warm_up_pose
from posegen.posekit.process_model import ProcessModel

__all__ = [
    "InvalidImage",
    "ModelUnavailable",
    "NoPersonSegmented",
    "PersonMatte",
    "SegmentationError",
    "cut_out_person",
    "segment_person",
    "warm_up",
]

Keep = Literal["main", "all"]

NO_PERSON_MESSAGE = (
    "No person found in the photo to cut out. Use a photo where the person is clearly visible "
    "and stands out from the background."
)

# The selfie model sees 256x256; shrinking to this first (area filter) avoids the graph's
# non-anti-aliased bilinear downscale of a large photo.
_SELFIE_INPUT_SIDE = 512
# The model outputs are combined at up to this size (they are far smoother than that).
_MASK_SIDE = 1024
# The matte is refined at up to this size and upsampled beyond it: the guided filter's cost is
# linear in pixels, and the models' detail is far coarser than this anyway.
_REFINE_MAX_SIDE = 2048
# Margin around the person's landmark box for the selfie crop, as a share of the box's long side.
_CROP_MARGIN = 0.15
# How far outside the pose mask the "main" gate reaches, as a share of the person's size: enough
# for hair and loose clothing the pose mask cuts short, not enough to take in a neighbour.
_GATE_REACH = 0.04
# In keep="all", the band around the main person where only the main estimate counts.
_BAND_REACH = 0.015
# A person whose landmark box spans this share of the photo's long side gets the full guided-filter
# radius; a smaller one proportionally less, down to this floor (see _person_share).
_FULL_FIGURE = 0.8
_MIN_EDGE_SHARE = 0.4
# A matte covering less than this share of the photo means nobody was found.
_MIN_COVERAGE = 0.001

class SegmentationError(Exception):
    """Base class of segmentation failures; ``str(error)`` is safe to show to a user."""

    @property
    def user_message(self) -> str:
        return str(self)


class NoPersonSegmented(SegmentationError):
    """Neither the pose detector nor the segmentation model found a person."""

    def __init__(self, message: str = NO_PERSON_MESSAGE) -> None:
        super().__init__(message)


@dataclass(frozen=True, eq=False)
class PersonMatte:
    """A soft matte of the person (``keep="main"``) or of everyone (``keep="all"``) in a photo.

    ``alpha`` is (H, W) float32 in 0..1 at the photo's size (after EXIF orientation). ``pose`` is
    the main person's pose when the pose detector found one, so callers need not run it again.
    """

    alpha: np.ndarray
    keep: Keep
    people_detected: int
    pose: PoseExtraction | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return int(self.alpha.shape[1])

    @property
    def height(self) -> int:
        return int(self.alpha.shape[0])

    @property
    def coverage(self) -> float:
        """Share of the photo that is person (alpha > 0.5)."""
        return float((self.alpha > 0.5).mean())

    def mask(self, *, threshold: float = 0.5) -> np.ndarray:
        return self.alpha > threshold

    def bbox(self, *, threshold: float = 0.5) -> tuple[int, int, int, int] | None:
        """(x0, y0, x1, y1) of the person, end-exclusive, or None for an empty matte."""
        rows = np.flatnonzero(self.mask(threshold=threshold).any(axis=1))
        cols = np.flatnonzero(self.mask(threshold=threshold).any(axis=0))
        if rows.size == 0:
            return None
        return (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)


# ----------------------------------------------------------------------------------------------
# Selfie segmentation model: one per process, used under a lock (a LiteRT interpreter is not
# re-entrant).

def _create_selfie() -> Any:
    from posegen.imaging.segmentation_litert import LiteRTSelfieSegmenter

    return LiteRTSelfieSegmenter()


_SELFIE = ProcessModel(_create_selfie, what="segmentation model")


def _selfie_mask(rgb: np.ndarray) -> np.ndarray:
    """Selfie-model probability map at ``rgb``'s size."""
    height, width = rgb.shape[:2]
    small = rgb
    if max(height, width) > _SELFIE_INPUT_SIDE:
        scale = _SELFIE_INPUT_SIDE / max(height, width)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    model = _SELFIE.get()
    with _SELFIE.lock:
        result = model.process(np.ascontiguousarray(small))
    mask = np.array(result.segmentation_mask, dtype=np.float32, copy=True)
    if mask.shape != (height, width):
        mask = cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.clip(mask, 0.0, 1.0)


# ----------------------------------------------------------------------------------------------
# Helpers


def _person_box(pose: PoseExtraction) -> tuple[float, float, float, float]:
    """The person's extent in pixels from all 33 landmarks (off-frame ones included)."""
    xy = pose.landmarks33[:, :2] * (pose.image_width, pose.image_height)
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def _person_share(pose: PoseExtraction | None, long_side: float) -> float:
    """How much of the guided filter's radius a person this size gets: 1 from _FULL_FIGURE of the
    photo's long side up, less in proportion below (down to _MIN_EDGE_SHARE).

    The radius is a share of the photo, so on a small figure (H36M S1: 370 px in a 1000-px photo)
    the soft edge was as wide as a shin: the offline cut-out's contrast stretch made that band
    opaque with the leg's colour, and every pose showed red-brown "ghost legs" beside the legs."""
    if pose is None:
        return 1.0
    x0, y0, x1, y1 = _person_box(pose)
    share = max(x1 - x0, y1 - y0) / max(1.0, long_side)
    return float(np.clip(share / _FULL_FIGURE, _MIN_EDGE_SHARE, 1.0))


def _crop_selfie(
    rgb: np.ndarray, box: tuple[float, float, float, float]
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Selfie mask on a square window around ``box``, clipped to the photo.

    Returns the mask and the window (x0, y0, x1, y1). A window that leaves the photo is clipped
    rather than padded: the model takes a clipped, slightly stretched window in its stride, while
    replicated or flat padding reads as more body and bloats the mask (measured: portrait IoU
    0.98 clipped vs 0.92 padded).
    """
    height, width = rgb.shape[:2]
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0, 32.0) * (1.0 + 2.0 * _CROP_MARGIN)
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    wx0, wy0 = max(0, round(cx - side / 2.0)), max(0, round(cy - side / 2.0))
    wx1, wy1 = min(width, round(cx + side / 2.0)), min(height, round(cy + side / 2.0))
    if wx1 - wx0 < 16 or wy1 - wy0 < 16:
        return _selfie_mask(rgb), (0, 0, width, height)
    return _selfie_mask(np.ascontiguousarray(rgb[wy0:wy1, wx0:wx1])), (wx0, wy0, wx1, wy1)


def _others(rgb: np.ndarray, pose: PoseExtraction, core: np.ndarray,
            scale: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """segmentation_others.other_people with their landmarks and masks at ``scale`` of the photo."""
    return [(points * scale, resized(mask, scale)) for points, mask in other_people(rgb, pose, core)]


# ----------------------------------------------------------------------------------------------
# Public API


def warm_up() -> None:
    """Load the segmentation and pose models now (e.g. at worker start), not on the first request."""
    _warm_up_pose(with_person_mask=True)
    _selfie_mask(np.full((64, 64, 3), 127, dtype=np.uint8))


def segment_person(
    *,
    image: bytes | bytearray | memoryview | np.ndarray,
    keep: Keep = "main",
    refine_edges: bool = True,
) -> PersonMatte:
    """Soft alpha matte of the main person (``keep="main"``) or of everyone (``keep="all"``).

    ``image`` is encoded photo bytes (EXIF orientation applied) or an RGB array. Raises
    ``NoPersonSegmented`` when nobody is found, ``InvalidImage`` for unreadable input and
    ``ModelUnavailable`` for a broken install.
    """
    if keep not in ("main", "all"):
        raise ValueError(f"keep must be 'main' or 'all', not {keep!r}")
    rgb = load_rgb_image(image=image)
    height, width = rgb.shape[:2]
    notes: list[str] = []

    try:
        pose: PoseExtraction | None = extract_pose(image=rgb, with_person_mask=True)
    except NoPersonDetected:
        pose = None

    # The models' outputs are smooth (256-px selfie maps, a pose mask from a <=1280-px working
    # copy), so they are combined at a modest size; only the guided filter needs more pixels.
    mask_scale = min(1.0, _MASK_SIDE / max(height, width))
    small = resized(rgb, mask_scale)
    small_shape = small.shape[:2]
    anchor: np.ndarray | None = None
    if pose is None or pose.person_mask is None:
        soft = _selfie_mask(small)
        people = 0
    else:
        x0, y0, x1, y1 = (v * mask_scale for v in _person_box(pose))
        person_size = float(np.hypot(x1 - x0, y1 - y0))
        pose_mask = resized(pose.person_mask, mask_scale)
        anchor = pose_mask > 0.5
        crop_mask, (wx0, wy0, wx1, wy1) = _crop_selfie(small, (x0, y0, x1, y1))
        # Outside the window the pose mask stands in for the selfie model: the window already
        # holds the person with a margin, so there is nothing of theirs out there to find.
        detailed = pose_mask.copy()
        detailed[wy0:wy1, wx0:wx1] = crop_mask
        seen = region_mask(pose, small_shape, mask_scale)
        fused = fuse(selfie=detailed, pose=pose_mask, pose_seen=seen)
        # A thick region only the pose model sees is something the person holds (a bag), not a bleed.
        fused = pose_sure_regions(fused, pose_mask, HELD_THICKNESS * max(x1 - x0, y1 - y0))
        # ... and a hole the matte encloses that it is sure of is the person's (0807's scarf).
        hips_y = float(pose.landmarks33[[23, 24], 1].mean()) * pose.image_height * mask_scale
        fused = pose_sure_holes(fused, pose_mask, hips_y=hips_y)
        main = fused * gate(anchor, _GATE_REACH * person_size)
        # Other people the pose detector finds claim their own pixels (segmentation_others); keep="all"
        # wants them anyway, and takes them from the whole-photo pass below.
        core = (detailed > SURE) & (pose_mask > SURE)
        others = _others(rgb, pose, core, mask_scale) if keep == "main" else []
        if others:
            points = pose.landmarks33[:, :2] * (pose.image_width * mask_scale, pose.image_height * mask_scale)
            claimed = claimed_by_others(mine=pose_mask, core=core, points=points, others=others)
            main = main * (1.0 - claimed)
            anchor = anchor & ~claimed
        if keep == "main":
            soft = main
        else:
            # Other people come from the whole-photo selfie mask, except in a band around the
            # main person, where it cannot be told from the selfie model's own blurry overshoot.
            # Inside the crop window either selfie pass may be the one that saw a neighbour whole
            # (the crop cuts people at its edges), so the larger value wins.
            everyone = _selfie_mask(small)
            window = everyone[wy0:wy1, wx0:wx1]
            np.maximum(window, crop_mask, out=window)
            band = gate(anchor, _BAND_REACH * person_size)
            soft = np.maximum(main, everyone * (1.0 - band))
        people = pose.people_detected
        if keep == "main" and people > 1:
            notes.append(f"{people} people were found in the photo; only the largest one was kept.")

    guide = resized(rgb, min(1.0, _REFINE_MAX_SIDE / max(height, width)))
    guide_size = (guide.shape[1], guide.shape[0])
    if soft.shape != guide.shape[:2]:
        soft = cv2.resize(soft, guide_size, interpolation=cv2.INTER_LINEAR)
    radius_share = GUIDED_RADIUS * _person_share(pose, max(height, width))
    if refine_edges:
        alpha = guided_refine(guide, soft, radius_share=radius_share)
    else:
        alpha = np.clip(soft, 0.0, 1.0).astype(np.float32)
    edge_px = max(2.0, radius_share * max(guide_size))
    if keep == "main":
        if anchor is None:
            anchor = np.zeros(alpha.shape, dtype=bool)
        elif anchor.shape != alpha.shape:
            anchor = cv2.resize(anchor.astype(np.uint8), guide_size, interpolation=cv2.INTER_NEAREST) > 0
        alpha = keep_components(alpha, main_components(alpha, anchor), edge_px)
    else:
        alpha = drop_specks(alpha)
    if alpha.shape != (height, width):
        alpha = np.clip(cv2.resize(alpha, (width, height), interpolation=cv2.INTER_LINEAR), 0.0, 1.0)

    if float((alpha > 0.5).mean()) < _MIN_COVERAGE:
        raise NoPersonSegmented()
    if pose is None:
        count, _, stats = components(alpha > 0.5)
        people = int((stats[1:, cv2.CC_STAT_AREA] >= MIN_COMPONENT * alpha.size).sum()) if count > 1 else 0
        notes.append("The pose detector found nobody, so the cut-out relies on segmentation alone.")
    return PersonMatte(
        alpha=alpha.astype(np.float32), keep=keep, people_detected=people, pose=pose, warnings=notes
    )


def cut_out_person(
    *,
    image: bytes | bytearray | memoryview | np.ndarray,
    matte: PersonMatte | None = None,
    crop: bool = False,
    decontaminate: bool = True,
) -> np.ndarray:
    """RGBA (H, W, 4) uint8 cut-out of the person; ``matte`` is computed when not given.

    ``decontaminate`` replaces the colour of semi-transparent edge pixels with nearby solid
    foreground colour, so the old background does not show as a halo once the cut-out is placed
    on a new one. ``crop`` trims the result to the person's bounding box.
    """
    rgb = load_rgb_image(image=image)
    if matte is None:
        matte = segment_person(image=rgb)
    if matte.alpha.shape != rgb.shape[:2]:
        raise ValueError(f"Matte is {matte.alpha.shape}, photo is {rgb.shape[:2]}.")
    alpha = matte.alpha
    if decontaminate:
        colour = estimate_foreground(image=rgb, alpha=alpha, sigma=max(2.0, 0.01 * max(rgb.shape[:2])))
    else:
        colour = rgb
    rgba = np.dstack([colour, np.round(alpha * 255.0).astype(np.uint8)])
    if crop:
        box = matte.bbox(threshold=0.02)
        if box is not None:
            x0, y0, x1, y1 = box
            rgba = rgba[y0:y1, x0:x1]
    return np.ascontiguousarray(rgba)
