"""Backing: the body that continues under a limb lying in front of it. Its pixels are painted in (the
colour from around them, the texture from the body's own cloth, see _fill) on a copy of the cut-out that
the torso, the cloth and a leg under a hand sample, so moving the limb away shows painted body, not a
hole or the old hand."""

from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage

from posegen.engines.offline.parts import ARMS, GARMENT, HEAD, PART_INDEX, TORSO, segment_distance, torso_quad

__all__ = ["FOREARMS", "TORSO_BAND", "arm_pixels", "atlas", "leftover_hands", "skin_tone", "torso_region"]

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


# (forearm, its upper arm) part indices.
FOREARMS = ((PART_INDEX["r_forearm"], PART_INDEX["r_upper_arm"]), (PART_INDEX["l_forearm"], PART_INDEX["l_upper_arm"]))
# A hand's own colour: within this (Lab, OpenCV 8-bit units) of the forearm's hand end (its last HAND_END
# of the forearm's length), and within HAND_REACH of that length from it.
HAND_SAME, HAND_END, HAND_REACH = 14.0, 0.3, 0.25
# Within this share of the forearm's length from the hand's end, twice HAND_SAME is still the hand.
HAND_RIM = 0.12
# Past this share of the body around the hand's end in about the hand's colour, the hand is not told apart.
HAND_FILL = 0.5


def skin_tone(lab: np.ndarray) -> np.ndarray:
    """Pixels of a plausible skin tone (OpenCV 8-bit Lab: warm, moderately saturated, not dark), for the
    arms' own pixels only: a forearm's tube is often mostly sleeve or dress, its hand end no guide."""
    a, b = lab[..., 1] - 128.0, lab[..., 2] - 128.0
    return (lab[..., 0] > 60) & (a > 4) & (a < 40) & (b > 6) & (b < 45) & (b > 0.5 * a)


def _pale(lab: np.ndarray) -> np.ndarray:
    """Light, nearly grey pixels: in an arm's tube, mostly the street or a wall the matte kept where the
    photo's arm is thin (0688's right arm, 0002's hands over the steps)."""
    return (lab[..., 0] > 150) & (np.hypot(lab[..., 1] - 128.0, lab[..., 2] - 128.0) < 14)


def leftover_hands(rgb: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two (h, w) bool masks at label scale. First, pixels of a hand the forearm's tube does not reach
    (fingers curled below it, a hand wider than the wrist), which the rig labels body: left in the painted
    copy they stay behind on the body as a "ghost hand" when the arm moves away (0807's hand at the
    waist, 0002's on the skirt); body pixels of the colour of the forearm's own hand end, near it and
    joined to it. Second, the arms' pixels of that colour (a hand's or a bare arm's skin), which the
    painting must not read. ``rgb``: the cut-out at the label scale."""
    lab = cv2.cvtColor(cv2.GaussianBlur(rgb, (3, 3), 0), cv2.COLOR_RGB2LAB).astype(np.float32)
    body = (labels >= 0) & ~np.isin(labels, (*ARMS, HEAD))
    arms = np.isin(labels, ARMS)
    out = np.zeros(labels.shape, bool)
    skin = np.zeros(labels.shape, bool)
    for fore, upper in FOREARMS:
        fy, fx = np.nonzero(labels == fore)
        uy, ux = np.nonzero(labels == upper)
        if len(fx) < 20 or len(ux) == 0:
            continue
        pts = np.stack([fx, fy], axis=1).astype(np.float64)
        centre = pts.mean(axis=0)
        direction = np.linalg.eigh(np.cov((pts - centre).T))[1][:, -1]
        # Along the forearm, growing toward the hand (away from the upper arm).
        sign = -1.0 if (np.array([ux.mean(), uy.mean()]) - centre) @ direction > 0 else 1.0
        along = sign * ((pts - centre) @ direction)
        length = float(along.max() - along.min())
        end = along >= along.max() - HAND_END * length
        colour = np.median(lab[fy[end], fx[end]], axis=0)
        end_mask = np.zeros(labels.shape, np.uint8)
        end_mask[fy[end], fx[end]] = 1
        near = cv2.distanceTransform(1 - end_mask, cv2.DIST_L2, 3) <= HAND_REACH * length
        # In the hand's stretch along the forearm (at or past its end), not beside the forearm: a white
        # scarf or a pale top next to the wrist is not the hand.
        ys, xs = np.mgrid[0:labels.shape[0], 0:labels.shape[1]]
        stretch = sign * ((xs - centre[0]) * direction[0] + (ys - centre[1]) * direction[1])
        near &= stretch >= along.max() - HAND_END * length
        # Skin of the hand's colour (lightness counts half: the fingers curled under the hand are the same
        # skin in shade), looser right around the hand's end (its soft rim, half skin, half cloth): left for
        # the painting's border, they were smeared in as a pale blur of a hand. Not any colour there: a bag
        # held at the hand would lose a bite.
        gap = np.linalg.norm((lab - colour) * np.array([0.5, 1.0, 1.0], np.float32), axis=2)
        same = gap <= HAND_SAME
        skin |= arms & (same | skin_tone(lab) | _pale(lab))
        around = cv2.distanceTransform(1 - end_mask, cv2.DIST_L2, 3) <= max(2.0, HAND_RIM * length)
        cand = body & near & (same | (around & (gap <= 2.0 * HAND_SAME)))
        if not cand.any():
            continue
        # A hand against cloth or a bag of its own colour (a tan bag, a cream skirt) cannot be told from
        # it: where the body of about the hand's colour, joined to the forearm, fills most of the body
        # around the hand's end, nothing.
        like = body & near & (gap <= 2.0 * HAND_SAME)
        _, comp = cv2.connectedComponents((like | (labels == fore)).astype(np.uint8), connectivity=8)
        joined = np.unique(comp[fy, fx])
        if (np.isin(comp, joined[joined > 0]) & like).sum() > HAND_FILL * max(1, int((body & near).sum())):
            continue
        # Only skin joined to the forearm: the same tone elsewhere on the body is not this hand.
        _, comp = cv2.connectedComponents((cand | (labels == fore)).astype(np.uint8), connectivity=8)
        joined = np.unique(comp[fy, fx])
        out |= cand & np.isin(comp, joined[joined > 0])
    return out, skin


def _body_across(labels: np.ndarray) -> np.ndarray:
    """(h, w) bool: where the body (torso, garment) continues across a forearm lying on it: the body
    closed over the forearms' width. A forearm in front of the belly has body on both sides and is
    inside it; one hanging along the skirt's side has body on one side only and is not."""
    body = np.isin(labels, (TORSO, GARMENT)).astype(np.uint8)
    fore = np.isin(labels, [f for f, _ in FOREARMS]).astype(np.uint8)
    if not fore.any():
        return body > 0
    width = 2 * float(cv2.distanceTransform(fore, cv2.DIST_L2, 3).max())
    reach = 2 * round(width) + 3
    return cv2.morphologyEx(body, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))) > 0


def atlas(texture: np.ndarray, labels: np.ndarray, scale: float, region: np.ndarray,
          arm_pixels: np.ndarray, cloth: np.ndarray | None = None) -> np.ndarray:
    """Premultiplied RGBA: the cut-out beside a copy whose arm pixels over the torso, and the hand pixels
    the forearm's tube left to the body (leftover_hands), are painted over from the body's own texture
    (see _fill); a hand reaching past the body's region, or a forearm or hand beside the body rather than
    across it (_body_across; outside ``cloth``, the garment the rig continues under a hand or bag), is
    cleared there instead."""
    th, tw = texture.shape[:2]
    t16 = texture.astype(np.uint16)
    premult = np.dstack([(t16[:, :, :3] * t16[:, :, 3:4] + 127) // 255, t16[:, :, 3]]).astype(np.uint8)
    lh, lw = labels.shape
    small = cv2.resize(np.ascontiguousarray(texture[:, :, :3]), (lw, lh), interpolation=cv2.INTER_AREA)
    hand, skin = leftover_hands(small, labels)
    # A forearm or hand hanging beside the skirt or the hip, the body on one side of it only, has no body
    # behind it either, though the torso's region reaches there: painted, it was a smear of the cloth's
    # colours past the garment's outline once the arm moved away (0506, 0476).
    beside = (np.isin(labels, [f for f, _ in FOREARMS]) | hand) & region & ~_body_across(labels)
    if cloth is not None:  # the garment the rig continues under a hand or a bag (rig.build_rig) stays
        beside &= ~cloth
    core = ((arm_pixels | hand) & region & ~beside).astype(np.uint8)
    # A hand reaching past the body's outline has no body behind it: gone once the arm moves away.
    gone = hand & ~region & ~beside
    copy = premult.copy()
    if core.any() or gone.any() or beside.any():
        # (What is cleared is no colour for the painting to read either: the hand or the bag there.)
        hole = cv2.dilate(core | gone | beside, np.ones((5, 5), np.uint8))
        big_hole = cv2.resize(hole * 255, (tw, th), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
        big = cv2.resize(np.dstack([core, gone]).astype(np.float32), (tw, th), interpolation=cv2.INTER_LINEAR)
        fill = _fill(texture, labels, region, hole > 0, big_hole, skin)
        # Only the body continued behind the arm (the core) is made opaque; the rim the dilation adds
        # keeps the photo's coverage, so the painted body does not grow a band of opaque background
        # where the arm lay along its outline.
        a = np.maximum(copy[:, :, 3].astype(np.float32) * (1.0 - big[..., 1]), big[..., 0] * 255.0)
        w = big_hole[..., None]
        rgb = copy[:, :, :3].astype(np.float32) * (1.0 - w) + fill * w * (a[..., None] / 255.0)
        copy = np.dstack([np.clip(rgb, 0, 255), a]).astype(np.uint8)
    if beside.any():
        # Cleared with the label pixels' own edge, not painted: the rim of a painting there was a line of
        # the fill's colour along the skirt's side.
        clear = cv2.resize(beside.astype(np.float32), (tw, th), interpolation=cv2.INTER_LINEAR) > 0.5
        copy[clear] = 0
    return np.ascontiguousarray(np.hstack([premult, copy]))


# The painted body's texture (weave, folds, print) comes from this far around: detail finer than it is
# copied from the source pixels, colour coarser than it from the smooth painting. Label pixels.
DETAIL_SIGMA = 2.0
# A mirrored pixel is the same cloth only if its coarse colour is within this (Lab, OpenCV 8-bit units)
# of the painting's at the hole.
SAME_CLOTH = 18.0
# Copied detail is limited to this many of the surrounding cloth's detail deviations (a seam or a
# button is not copied as a hard edge); grain where no mirror exists has one deviation.
DETAIL_CLIP = 2.5
# The grain's strength, a share of the surrounding cloth's detail deviation: noise is no cloth, only a
# hint of its weave that keeps the painting from reading as a smear.
GRAIN = 0.4


def _fill(texture: np.ndarray, labels: np.ndarray, region: np.ndarray, hole: np.ndarray,
          big_hole: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """(th, tw, 3) float32 colour for the painted body. A smooth painting (OpenCV Telea at the label scale)
    alone is a visible smear where a hand or a bag covered a palm-sized patch, so it gives only the colour
    (the coarse part); the fine part is the garment's own texture, from the pixel mirrored across the spine
    (a jacket or top is nearly symmetric) where that is the same cloth and not covered too, else a grain of
    the surrounding cloth's own strength."""
    th, tw = texture.shape[:2]
    lh, lw = labels.shape
    to_tex = tw / lw
    small = cv2.resize(texture[:, :, :3], (lw, lh), interpolation=cv2.INTER_AREA)
    # The painting reads no colour of an arm's skin (the part of a hand outside the torso's region is
    # still the arm's), of the photo's background or of the matte's see-through pixels (the street
    # through tulle): they take the colour of the nearest pixel of the body that is known. Read as they
    # were, the body painted under a hand came out a pale blur of that hand. (A bag the hand carries is
    # read: under it the painting is its own business.)
    unread = (cv2.resize(texture[:, :, 3], (lw, lh), interpolation=cv2.INTER_AREA) < 230) | skin
    known = ~(unread | hole)
    if known.any():
        _, (iy, ix) = ndimage.distance_transform_edt(~known, return_indices=True)
        small = np.where((unread & ~hole)[..., None], small[iy, ix], small)
    painted = cv2.inpaint(small, hole.astype(np.uint8), 5, cv2.INPAINT_TELEA)
    usable = region & ~hole & (labels >= 0) & ~np.isin(labels, ARMS)
    ys, xs = np.nonzero(hole)
    off = np.zeros((lh, lw, 2), np.float32)
    weight = np.zeros((lh, lw), np.float32)
    axis = _spine_axis(labels, hole)
    if axis is not None:
        centre, direction = axis
        rel = np.stack([xs, ys], axis=1) - centre
        mirrored = centre + 2.0 * (rel @ direction)[:, None] * direction - rel
        mx, my = np.round(mirrored).astype(int).T
        ok = (mx >= 0) & (mx < lw) & (my >= 0) & (my < lh)
        ok[ok] = usable[my[ok], mx[ok]]
        lab = cv2.cvtColor(cv2.GaussianBlur(small, (0, 0), DETAIL_SIGMA), cv2.COLOR_RGB2LAB).astype(np.float32)
        lab_painted = cv2.cvtColor(cv2.GaussianBlur(painted, (0, 0), DETAIL_SIGMA),
                                   cv2.COLOR_RGB2LAB).astype(np.float32)
        ok[ok] = np.linalg.norm(lab[my[ok], mx[ok]] - lab_painted[ys[ok], xs[ok]], axis=1) <= SAME_CLOTH
        off[ys[ok], xs[ok]] = (mirrored[ok] - np.stack([xs[ok], ys[ok]], axis=1)).astype(np.float32)
        weight[ys[ok], xs[ok]] = 1.0
    rgb = np.ascontiguousarray(texture[:, :, :3])
    sigma = DETAIL_SIGMA * to_tex
    detail_of = rgb.astype(np.float32) - cv2.GaussianBlur(rgb, (0, 0), sigma).astype(np.float32)
    # How strong the cloth's own detail is around the hole (per channel), to scale the grain and clip.
    ring = cv2.dilate(hole.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool) & usable
    ring_big = cv2.resize(ring.astype(np.uint8), (tw, th), interpolation=cv2.INTER_NEAREST).astype(bool)
    # (A robust deviation: the ring also crosses seams, a bag's edge or the arm's own outline.)
    if ring_big.any():
        near = detail_of[ring_big]
        spread = 1.48 * np.median(np.abs(near - np.median(near, axis=0)), axis=0)
    else:
        spread = np.full(3, 3.0, np.float32)
    spread = np.maximum(spread, 1.0).astype(np.float32)
    # Mirror offsets (an affine map: smooth) and where they hold, feathered, at texture size.
    off_big = cv2.resize(off, (tw, th), interpolation=cv2.INTER_LINEAR) * to_tex
    keep = cv2.GaussianBlur(cv2.resize(weight, (tw, th), interpolation=cv2.INTER_LINEAR), (0, 0), to_tex)
    gx, gy = np.meshgrid(np.arange(tw, dtype=np.float32), np.arange(th, dtype=np.float32))
    copied = cv2.remap(detail_of, gx + off_big[..., 0], gy + off_big[..., 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REFLECT)
    np.clip(copied, -DETAIL_CLIP * spread, DETAIL_CLIP * spread, out=copied)
    # Grain: fine noise, seeded by the picture itself so the same photo paints the same way.
    rng = np.random.default_rng(int(rgb[::97, ::89].sum()) & 0xFFFFFFFF)
    grain = rng.standard_normal((th, tw, 1)).astype(np.float32)
    grain = cv2.GaussianBlur(grain, (0, 0), 0.6 * to_tex)[..., None]
    grain = grain * (GRAIN * spread / max(float(grain.std()), 1e-6))
    detail = copied * keep[..., None] + grain * (1.0 - keep[..., None])
    coarse = cv2.GaussianBlur(cv2.resize(painted, (tw, th), interpolation=cv2.INTER_LINEAR).astype(np.float32),
                              (0, 0), sigma)
    del big_hole
    return np.clip(coarse + detail, 0, 255)


def _spine_axis(labels: np.ndarray, hole: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(a point, a unit direction) of the torso's long axis at the label scale: the torso part's pixels
    and those the arms hide, whose shape is nearly symmetric about the spine."""
    ys, xs = np.nonzero((labels == TORSO) | hole)
    if len(xs) < 20:
        return None
    pts = np.stack([xs, ys], axis=1).astype(np.float64)
    centre = pts.mean(axis=0)
    cov = np.cov((pts - centre).T)
    vals, vecs = np.linalg.eigh(cov)
    direction = vecs[:, int(np.argmax(vals))]
    if abs(direction[1]) < 0.7:  # a torso wider than tall (lying, cropped): no clear spine
        return None
    return centre, direction
