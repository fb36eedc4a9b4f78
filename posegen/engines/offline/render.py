"""Posing a rig and drawing it: retarget, pins moved rigidly with their bones, ARAP, then one
piecewise-affine warp of the texture in depth order onto a studio backdrop."""

from __future__ import annotations

from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import cv2
import numpy as np

from posegen.engines.offline.backing import FOREARMS, HAND_REACH
from posegen.engines.offline.layers import composite_under, fill_pinholes, fill_tears, firm_limbs, under_layer
from posegen.engines.offline.parts import ARMS, GARMENT, HEAD, TORSO
from posegen.engines.offline.regions import REGION_CARRIED, REGION_FACE, REGION_GARMENT
from posegen.engines.offline.retarget import (
    FACE,
    SEEN,
    angle_of,
    facing_sign,
    mirror_labels,
    pelvis,
    retarget_pose,
    rotate,
)
from posegen.engines.offline.rig import PART_INDEX, PARTS, Rig, part_bones
from posegen.engines.offline.shading import arm_limbs, contact_shadow, limb_shade, overlap_shade, part_lut
from posegen.posekit.keypoints import MIRROR_INDEX
from posegen.posekit.studio import studio_backdrop

__all__ = ["Posed", "Rendered", "Sampling", "pose_rig", "render_posed", "warp_labels"]
REGION_NAMES = {"garment": REGION_GARMENT, "carried": REGION_CARRIED, "face": REGION_FACE}

# Default drawing order (far to near) when the target's depth is unknown: legs, the cloth over them,
# torso, head, arms.
DEFAULT_ORDER = ("l_thigh", "l_shin", "r_thigh", "r_shin", "garment", "torso", "head",
                 "l_upper_arm", "l_forearm", "r_upper_arm", "r_forearm")
# Depth biases (metres) that keep the default order unless the 3D pose clearly says otherwise.
_DEPTH_BIAS = {"torso": 0.0, "head": -0.15, "upper_arm": -0.05, "forearm": -0.07, "thigh": 0.05, "shin": 0.04,
               "garment": -0.02}
# Part -> the target keypoints whose mean depth is the part's depth.
_PART_DEPTH_JOINTS = {"torso": (2, 5, 8, 11), "head": (0, 1), "garment": (8, 11),
                      **{p.name: (p.joint_a, p.joint_b) for p in PARTS[2:] if p.joint_b >= 0}}
# Profile views (|facing_sign| below this) keep the labels as given; a clear back view is mirrored.
_BACK_VIEW_SPREAD = 0.12
# A wrist this far across the spine (a share of half the shoulder width) has crossed in front of the body.
CROSSED_REACH = 0.3
# Seams narrower than this share of the canvas height are closed (see render_posed).
CRACK_SHARE = 0.007
# Holes inside the drawn person up to this share of the canvas height across (a disc's diameter) are
# where the mesh tore open at a seam (see layers.fill_pinholes); a gap between an arm and the body is far wider.
HOLE_SHARE = 0.04
# A hole that only the legs and the cloth over them enclose, up to this share across, is where the photo
# hid one leg behind the other (0447's crossed knees): uncrossed, the hidden thigh is not in the mesh.
LEG_HOLE_SHARE = 0.16
# Tears (layers.fill_tears) up to this share of the canvas height across are painted over: the notches
# left were 0.06-0.11 torso (0.011-0.02 of the height); 0726's cleared coat (0.18 torso) is backing's.
TEAR_SHARE = 0.025
# Cut edges are rounded off at this share of the canvas height (a Gaussian's sigma; the mesh's
# triangles are about 0.012 of it) and then fade over EDGE_RAMP pixels.
EDGE_SMOOTH_SHARE = 0.003
EDGE_RAMP = 1.6
# An arm's matte is opaque this share of the canvas height inside its drawn outline (layers.firm_limbs).
FIRM_SHARE = 0.006


@dataclass(frozen=True, eq=False)
class Posed:
    vertices: np.ndarray  # (N, 2) deformed vertices, texture pixel units
    keypoints: np.ndarray  # (18, 3) the retargeted skeleton, same units
    order: tuple[int, ...]  # part indices far to near
    mirrored: bool  # the target was seen from behind and re-labelled


@dataclass(frozen=True, eq=False)
class Sampling:
    """Where each output pixel of the person's window took its colour from (texture pixels of the
    cut-out; -10 outside the person): the deformation itself, to warp any label map the same way."""

    x0: int
    y0: int
    map_x: np.ndarray  # (bh, bw) float32
    map_y: np.ndarray
    tex_width: int  # map_x >= this samples the painted copy of the same pixel (x - tex_width)


@dataclass(frozen=True, eq=False)
class Rendered:
    rgb: np.ndarray  # (H, W, 3) uint8 final picture
    alpha: np.ndarray  # (H, W) uint8 coverage of the person
    keypoints: np.ndarray  # (18, 3) the retargeted skeleton on the canvas, pixels
    # Output-size bool masks moved with the pixels: "person", "garment" (cloth bridging the legs),
    # "carried" (a thing in a hand), "face" (absent regions are all False).
    masks: dict[str, np.ndarray] = field(default_factory=dict)
    # The same regions' areas in the photo, in output pixels (the photo scaled as the person was).
    source_areas: dict[str, int] = field(default_factory=dict)
    sampling: Sampling | None = None


def _part_transforms(rest_bones: np.ndarray, posed_bones: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per part: rotation angle and the rest -> posed rigid map's translation (about joint_a)."""
    angles = np.array([angle_of(pb[1] - pb[0]) - angle_of(rb[1] - rb[0])
                       for rb, pb in zip(rest_bones, posed_bones, strict=True)])
    return angles, posed_bones[:, 0]


def _draw_order(depth: np.ndarray | None, present: np.ndarray) -> tuple[int, ...]:
    names = [n for n in DEFAULT_ORDER if present[PART_INDEX[n]]]
    if depth is None:
        return tuple(PART_INDEX[n] for n in names)
    torso = float(np.mean(depth[list(_PART_DEPTH_JOINTS["torso"])]))

    def key(name: str) -> float:
        d = float(np.mean(depth[list(_PART_DEPTH_JOINTS[name])])) - torso
        return d + _DEPTH_BIAS[name.split("_", 1)[-1] if "_" in name else name]

    # Far first; ties keep the default order.
    ranked = sorted(names, key=lambda n: (-key(n), DEFAULT_ORDER.index(n)))
    return tuple(PART_INDEX[n] for n in ranked)


def _tuck_crossed_hands(order: tuple[int, ...], kp: np.ndarray) -> tuple[int, ...]:
    """Arms crossed in front of the body: each forearm whose wrist reaches across the spine is drawn
    under the other arm's upper arm, so its hand tucks behind that arm (as folded arms look) instead of
    lying on top of it and poking out past the far side of the body."""
    pelvis_ = (kp[8, :2] + kp[11, :2]) / 2.0
    up = kp[1, :2] - pelvis_
    across = np.array([-up[1], up[0]]) / max(float(np.hypot(*up)), 1e-6)
    half = 0.5 * abs(float((kp[5, :2] - kp[2, :2]) @ across))
    out = list(order)
    for side, other, shoulder, wrist in (("r", "l", 2, 4), ("l", "r", 5, 7)):
        s_shoulder = float((kp[shoulder, :2] - pelvis_) @ across)
        s_wrist = float((kp[wrist, :2] - pelvis_) @ across)
        if kp[wrist, 2] <= SEEN or s_shoulder * s_wrist >= 0 or abs(s_wrist) < CROSSED_REACH * half:
            continue
        fore, upper = PART_INDEX[f"{side}_forearm"], PART_INDEX[f"{other}_upper_arm"]
        if fore in out and upper in out and out.index(upper) < out.index(fore):
            out.remove(upper)
            out.insert(out.index(fore) + 1, upper)
    return tuple(out)


def pose_rig(*, rig: Rig, target: np.ndarray, depth: np.ndarray | None = None) -> Posed:
    """Deform ``rig`` into ``target`` (18, 3) keypoints (any pixel scale; confidence in column 2).

    ``depth`` (18,) is the target's per-keypoint distance from the camera (larger = farther), when
    known. A target seen from behind is re-labelled left/right, since a photo only has a front."""
    target = np.asarray(target, dtype=np.float64)
    ft, fa = facing_sign(target), facing_sign(rig.keypoints)
    mirrored = ft * fa < 0 and min(abs(ft), abs(fa)) > _BACK_VIEW_SPREAD
    if mirrored:
        target = mirror_labels(target)
        depth = None if depth is None else np.asarray(depth)[list(MIRROR_INDEX)]
    posed_kp = retarget_pose(avatar=rig.keypoints, target=target)
    face = tuple(j for j in FACE if rig.keypoints[j, 2] > SEEN)
    rest_bones = part_bones(keypoints=rig.keypoints, face=face)
    posed_bones = part_bones(keypoints=posed_kp, face=face)
    # The torso and head hang from the neck: a shrug lifts the shoulders and arms, not the body.
    rigid = part_bones(keypoints=retarget_pose(avatar=rig.keypoints, target=target, shrug=False), face=face)
    posed_bones[[TORSO, HEAD]] = rigid[[TORSO, HEAD]]
    angles, anchors = _part_transforms(rest_bones, posed_bones)
    part = rig.pin_part
    rest = rig.vertices[rig.pins]
    targets = anchors[part] + rotate(rest - rest_bones[part, 0], angles[part])
    vertices = rig.solver.solve(targets=targets)
    order = _tuck_crossed_hands(_draw_order(depth, rig.present), posed_kp)
    return Posed(vertices=vertices, keypoints=posed_kp, order=order, mirrored=bool(mirrored))


# A forearm whose elbow and wrist stay within this share of the torso length of where the photo has them
# (in the torso's own frame) has not moved away: the body around its hand shows the photo, hand included.
HAND_STAYED = 0.06
_LEFTOVER_TRIANGLES: WeakKeyDictionary = WeakKeyDictionary()


def _leftover_triangles(rig: Rig) -> dict[int, np.ndarray]:
    """Forearm part -> the body (torso, cloth) triangles near it whose painted copy differs from the
    photo: the body painted in around and under that hand (backing.leftover_hands: the fingers the
    forearm's tube does not reach are painted too). Worked once per rig."""
    cached = _LEFTOVER_TRIANGLES.get(rig)
    if cached is not None:
        return cached
    tw, labels = rig.tex_width, rig.labels
    lh, lw = labels.shape
    painted = (rig.texture[:, tw:] != rig.texture[:, :tw]).any(axis=2).astype(np.uint8) * 255
    body = (cv2.resize(painted, (lw, lh), interpolation=cv2.INTER_AREA) > 0) & (labels >= 0) & ~np.isin(labels, ARMS)
    at = np.round((rig.vertices[rig.triangles].mean(axis=1) + 0.5) * rig.label_scale - 0.5).astype(int)
    cx, cy = np.clip(at[:, 0], 0, lw - 1), np.clip(at[:, 1], 0, lh - 1)
    body_tri = np.isin(rig.triangle_part, (TORSO, GARMENT)) & body[cy, cx]
    out = {}
    for fore, _ in FOREARMS:
        own = labels == fore
        if not own.any() or not body_tri.any():
            continue
        part = PARTS[fore]
        length = float(np.hypot(*(rig.keypoints[part.joint_b, :2] - rig.keypoints[part.joint_a, :2])))
        reach = (1.0 + part.extend) * length * rig.label_scale * (HAND_REACH + 0.1)
        near = cv2.distanceTransform((~own).astype(np.uint8), cv2.DIST_L2, 3) <= reach
        out[fore] = np.flatnonzero(body_tri & near[cy, cx])
    _LEFTOVER_TRIANGLES[rig] = out
    return out


def _forearm_stayed(rig: Rig, posed: Posed, fore: int) -> bool:
    rest, now = rig.keypoints, posed.keypoints
    a0, a1 = rest[1, :2], now[1, :2]
    v0, v1 = complex(*(pelvis(rest) - a0)), complex(*(pelvis(now) - a1))
    if abs(v0) < 1e-6:
        return False
    turn = v1 / v0  # the torso's similarity, photo -> pose
    part = PARTS[fore]
    for j in (part.joint_a, part.joint_b):
        moved = complex(*(rest[j, :2] - a0)) * turn
        if abs(complex(*(now[j, :2] - a1)) - moved) > HAND_STAYED * abs(v1):
            return False
    return True


def _sources(rig: Rig, posed: Posed) -> np.ndarray:
    """Where each triangle's corners sample the atlas: body triangles around a hand read the photo
    itself (the hand, the body beside it) while that forearm stays where the photo has it, the painted
    copy once it moves away (no hand left behind on the body)."""
    keep = [tris for fore, tris in _leftover_triangles(rig).items() if len(tris) and _forearm_stayed(rig, posed, fore)]
    if not keep:
        return rig.triangle_src
    src = rig.triangle_src.copy()
    src[np.concatenate(keep), :, 0] -= rig.tex_width
    return src


@dataclass(frozen=True)
class Look:
    """Seeded variation of the studio: backdrop tone, framing and light."""

    top: tuple[int, int, int] = (236, 234, 230)
    bottom: tuple[int, int, int] = (200, 196, 190)
    height_share: float = 0.86  # of the canvas height the person may fill
    shift_x: float = 0.0  # share of the canvas width
    light: float = 1.0

    @classmethod
    def seeded(cls, seed: int, variation: int) -> Look:
        if variation == 0 and seed == 0:
            return cls()
        rng = np.random.default_rng([seed, variation])
        tone = int(rng.integers(-14, 10))
        warm = int(rng.integers(-6, 7))
        return cls(top=(236 + tone + warm, 234 + tone, 230 + tone - warm),
                   bottom=(200 + tone + warm, 196 + tone, 190 + tone - warm),
                   height_share=float(rng.uniform(0.8, 0.88)), shift_x=float(rng.uniform(-0.04, 0.04)),
                   light=float(rng.uniform(0.97, 1.04)))


def render_posed(*, rig: Rig, posed: Posed, width: int, height: int, look: Look | None = None) -> Rendered:
    look = look or Look()
    # Only vertices of triangles that carry some of the person decide the framing.
    verts = posed.vertices
    lo, hi = verts.min(axis=0), verts.max(axis=0)
    size = np.maximum(hi - lo, 1.0)
    margin_bottom = (1.0 - look.height_share) * 0.45
    k = min(look.height_share * height / size[1], 0.9 * width / size[0])
    offset = np.array([width * (0.5 + look.shift_x) - k * (lo[0] + hi[0]) / 2.0,
                       height * (1.0 - margin_bottom) - k * hi[1]])
    dst = verts * k + offset
    tris = rig.triangles
    # Far parts first; within a part, the mesh order.
    rank = np.empty(len(PARTS), dtype=np.int64)
    rank[list(posed.order)] = np.arange(len(posed.order))
    absent = np.setdiff1d(np.arange(len(PARTS)), posed.order)
    rank[absent] = -1
    tri_rank = rank[rig.triangle_part]
    draw = np.argsort(tri_rank, kind="stable")
    draw = draw[tri_rank[draw] >= 0] if (tri_rank < 0).any() else draw

    x0, y0 = np.floor(np.maximum(dst.min(axis=0) - 2, 0)).astype(int)
    x1, y1 = np.ceil(np.minimum(dst.max(axis=0) + 3, [width, height])).astype(int)
    bw, bh = max(1, x1 - x0), max(1, y1 - y0)
    ids = np.full((bh, bw), -1, dtype=np.int32)
    shift = 4
    local = np.round((dst - [x0, y0]) * (1 << shift)).astype(np.int32)
    for t in draw:
        cv2.fillConvexPoly(ids, local[tris[t]], int(t), lineType=cv2.LINE_8, shift=shift)
    under = under_layer(ids, draw, local, tris, rig.triangle_part, shift)

    # Per-triangle affine map canvas -> texture: S @ inv(D).
    d = np.ones((len(tris), 3, 3))
    d[:, 0, :] = dst[tris, 0] - x0
    d[:, 1, :] = dst[tris, 1] - y0
    s = np.transpose(_sources(rig, posed), (0, 2, 1))  # (T, 2, 3)
    det = np.linalg.det(d)
    d[np.abs(det) < 1e-9] += np.eye(3) * 1e-6
    m = np.einsum("tij,tjk->tik", s, np.linalg.inv(d)).astype(np.float32)  # (T, 2, 3)

    covered = ids >= 0
    drawn = covered
    # Close cracks where pieces cut apart (legs that touched, an arm lifted off the torso) open a
    # seam narrower than a few pixels, then round the outline off: edges made of whole triangles
    # are staircases at the mesh's spacing. Pixels the rounded outline gains continue their nearest
    # triangle's mapping; what it loses fades out over EDGE_RAMP pixels (anti-aliased, not stepped).
    reach = max(3, round(CRACK_SHARE * height) | 1)
    closed = cv2.morphologyEx(covered.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((reach, reach), np.uint8))
    part_drawn = np.where(covered, rig.triangle_part[np.maximum(ids, 0)], -1)
    fill_pinholes(closed, HOLE_SHARE * height, part_drawn, LEG_HOLE_SHARE * height)
    sigma = max(1.0, EDGE_SMOOTH_SHARE * height)
    soft = cv2.GaussianBlur(closed.astype(np.float32), (0, 0), sigma)
    coverage = np.clip((soft - 0.5) * (np.sqrt(2.0 * np.pi) * sigma / EDGE_RAMP) + 0.5, 0.0, 1.0)
    inside = coverage > 0.0
    gained = inside & ~covered
    if gained.any():
        _, nearest = cv2.distanceTransformWithLabels((~covered).astype(np.uint8), cv2.DIST_L2, 3,
                                                     labelType=cv2.DIST_LABEL_PIXEL)
        label_ids = np.zeros(int(nearest.max()) + 1, dtype=np.int32)
        label_ids[nearest[covered]] = ids[covered]
        ids[gained] = label_ids[nearest[gained]]
    covered = inside
    yy, xx = np.nonzero(covered)
    tid = ids[yy, xx]
    map_x = np.full((bh, bw), -10.0, dtype=np.float32)
    map_y = np.full((bh, bw), -10.0, dtype=np.float32)
    xf, yf = xx.astype(np.float32), yy.astype(np.float32)
    mt = m[tid]
    map_x[yy, xx] = mt[:, 0, 0] * xf + mt[:, 0, 1] * yf + mt[:, 0, 2]
    map_y[yy, xx] = mt[:, 1, 0] * xf + mt[:, 1, 1] * yf + mt[:, 1, 2]
    premult = rig.texture
    warped = cv2.remap(premult, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    # The regions count where the top part itself is opaque: its soft edge over another part shows
    # that part (composite_under), not a sliver more of a bag or the cloth.
    top_opaque = warped[:, :, 3].astype(np.float32) * coverage >= 127.5
    part_win = np.where(covered, rig.triangle_part.astype(np.int8)[np.maximum(ids, 0)], np.int8(-1))
    firm_limbs(warped, part_win, FIRM_SHARE * height)
    composite_under(warped, under, m, rig.texture)
    fill_tears(warped, coverage, drawn, TEAR_SHARE * height, max(2, round(EDGE_SMOOTH_SHARE * height)))
    a = warped[:, :, 3].astype(np.float32) * (1.0 / 255.0) * coverage
    fg = warped[:, :, :3].astype(np.float32) * coverage[..., None] * look.light
    shade = overlap_shade(part_win, height, rank)
    limb_shade(part_win, arm_limbs(posed.order, posed.keypoints[:, :2] * k + offset - (x0, y0), rig.radii * k),
               out=shade)
    fg *= shade[..., None]

    canvas = studio_backdrop(width=width, height=height, top=look.top, bottom=look.bottom).copy()
    contact_shadow(canvas=canvas, part=part_win, coverage=a, x0=int(x0), y0=int(y0))
    window = canvas[y0:y0 + bh, x0:x0 + bw]
    out = fg + window.astype(np.float32) * (1.0 - a[..., None])
    window[:] = np.clip(out, 0, 255).astype(np.uint8)
    alpha = np.zeros((height, width), np.uint8)
    alpha[y0:y0 + bh, x0:x0 + bw] = np.clip(a * 255.0 + 0.5, 0, 255).astype(np.uint8)
    kp = posed.keypoints.copy()
    kp[:, :2] = kp[:, :2] * k + offset
    sampling = Sampling(x0=int(x0), y0=int(y0), map_x=map_x, map_y=map_y, tex_width=rig.tex_width)
    person = alpha > 127
    # A region counts where its own part was drawn: a forearm triangle reaching into the face oval
    # samples "face" pixels but shows the hand. Worked in the person's window only.
    regions = warp_labels(sampling=sampling, labels=rig.regions, scale=rig.label_scale, shape=(bh, bw),
                          at_origin=True)
    opaque = top_opaque
    masks = {"person": person}
    for name, value in REGION_NAMES.items():
        full = np.zeros((height, width), bool)
        full[y0:y0 + bh, x0:x0 + bw] = opaque & (regions == value) & _OWNER[name][part_win + 1]
        masks[name] = full
    # A label pixel covers (1 / label_scale)^2 texture pixels, each k^2 output pixels.
    per_label = (k / rig.label_scale) ** 2
    source_areas = {name: round(area * per_label) for name, area in rig.region_areas.items()}
    return Rendered(rgb=canvas, alpha=alpha, keypoints=kp, masks=masks, source_areas=source_areas,
                    sampling=sampling)


_OWNER = {"garment": part_lut((PART_INDEX["garment"],)), "face": part_lut((PART_INDEX["head"],)),
          "carried": part_lut((PART_INDEX["r_forearm"], PART_INDEX["l_forearm"]))}


def warp_labels(*, sampling: Sampling, labels: np.ndarray, scale: float = 1.0,
                shape: tuple[int, int], painted_labels: np.ndarray | None = None,
                at_origin: bool = False) -> np.ndarray:
    """``labels`` (an integer map over the cut-out's texture at ``scale`` label pixels per texture
    pixel) moved exactly as the pixels were (nearest neighbour), on a ``shape`` (height, width)
    canvas; 0 outside the person. ``painted_labels`` (same grid), when given, is read where the
    output shows the painted copy (body painted in under a limb). ``at_origin``: the person's window
    only (``shape`` is the window's), not placed on the canvas."""
    painted = sampling.map_x >= sampling.tex_width - 0.5
    mx = sampling.map_x.copy()
    mx[painted] -= sampling.tex_width
    lx = (mx + 0.5) * scale - 0.5
    ly = (sampling.map_y + 0.5) * scale - 0.5

    def remap(grid: np.ndarray) -> np.ndarray:
        src = np.ascontiguousarray(grid)
        if src.dtype not in (np.uint8, np.int16, np.float32):
            src = src.astype(np.float32)  # OpenCV remaps no 32/64-bit integers
        return cv2.remap(src, lx, ly, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=0)

    warped = remap(labels)
    if painted_labels is not None and painted.any():
        warped[painted] = remap(painted_labels)[painted]
    warped[sampling.map_x < -5] = 0
    if at_origin:
        return warped.astype(labels.dtype, copy=False)
    out = np.zeros(shape, dtype=labels.dtype)
    h, w = warped.shape
    out[sampling.y0:sampling.y0 + h, sampling.x0:sampling.x0 + w] = warped.astype(labels.dtype)
    return out
