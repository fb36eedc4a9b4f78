"""The avatar's rig: body parts labelled on the cut-out ("skinning"), a triangle mesh over the
silhouette cut where limbs touch the body, and the pins that tie each part to its bone.

Why it is built this way (what the prototype taught):

* Each pixel belongs to exactly one part. Limb *tubes* (the bone's segment widened to the limb's
  measured radius) win inside their radius, even over the torso: an arm hanging against the body or
  a hand on the belly stays with the arm. Everything else goes to the nearest labelled pixel.
* The mesh is one triangulation of the silhouette, but a vertex shared by two parts is duplicated
  unless the parts meet at a joint *and* the vertex is near that joint. So an arm resting against the
  torso separates from it when it moves (no bat-wing webbing) while the shoulder stays attached.
* Pins sit along every bone (not only on joints) and move rigidly with it; ARAP fills in the rest.
* The torso's seed is a band along the spine, not only the shoulder-hip quad: in a three-quarter view
  the quad is a sliver and the jacket beside it would leave with the arm. The same band is the torso's
  backing (painted in) under an arm lying in front of it.
* Triangle edges follow the borders between parts (mesh.py), and strokes thinner than THIN_SHARE of
  the height (ski poles, straps) are trimmed before meshing.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import scipy.sparse as sp
from scipy import ndimage

from posegen.engines.offline.arap import ArapSolver, arap_prepare
from posegen.engines.offline.mesh import main_body, triangulate
from posegen.engines.offline.regions import (
    L_LEG,
    R_LEG,
    REGION_CARRIED,
    REGION_FACE,
    REGION_GARMENT,
    Carried,
    Garment,
    face_oval,
    find_carried,
    find_garment,
    leg_point,
    leg_segment_at,
)
from posegen.engines.offline.retarget import FACE, SEEN, face_centre, pelvis

__all__ = ["PARTS", "Part", "Rig", "RigError", "build_rig", "part_bones"]

NECK = 1


@dataclass(frozen=True)
class Part:
    name: str
    joint_a: int  # -1: the pelvis (mid-hips); -2: the face centre
    joint_b: int
    parent: str | None
    radius_prior: tuple[float, float]  # min, max radius as a share of the torso length
    extend: float  # the tube reaches this share of the bone past joint_b (hands, feet, skull)


PARTS: tuple[Part, ...] = (
    Part("torso", NECK, -1, None, (0.0, 0.0), 0.0),
    Part("head", NECK, -2, "torso", (0.0, 0.0), 0.0),
    Part("r_upper_arm", 2, 3, "torso", (0.05, 0.12), 0.0),
    Part("r_forearm", 3, 4, "r_upper_arm", (0.04, 0.10), 0.45),
    Part("l_upper_arm", 5, 6, "torso", (0.05, 0.12), 0.0),
    Part("l_forearm", 6, 7, "l_upper_arm", (0.04, 0.10), 0.45),
    Part("r_thigh", 8, 9, "torso", (0.08, 0.18), 0.0),
    Part("r_shin", 9, 10, "r_thigh", (0.06, 0.13), 0.3),
    Part("l_thigh", 11, 12, "torso", (0.08, 0.18), 0.0),
    Part("l_shin", 12, 13, "l_thigh", (0.06, 0.13), 0.3),
    # Cloth bridging the legs (regions.find_garment): pelvis -> between the knees (-3).
    Part("garment", -1, -3, "torso", (0.0, 0.0), 0.0),
)
PART_INDEX = {p.name: i for i, p in enumerate(PARTS)}
TORSO, HEAD = 0, 1
GARMENT = PART_INDEX["garment"]
ARMS = tuple(PART_INDEX[n] for n in ("r_upper_arm", "r_forearm", "l_upper_arm", "l_forearm"))
LEGS = tuple(PART_INDEX[n] for n in ("r_thigh", "r_shin", "l_thigh", "l_shin"))

# Mesh density: vertex spacing as a share of the person's height (about 1-2k vertices).
MESH_SPACING = 1.0 / 70.0
# The silhouette is labelled and meshed with its long side at this many pixels.
LABEL_SIDE = 420
# Half-width of the torso's seed band along the spine, as a share of the torso length.
TORSO_BAND = 0.26
# Thin protrusions (ski poles, bag straps, a hand-held stick) narrower than this share of the
# person's height are trimmed from the mesh; a finger or a sleeve is wider.
THIN_SHARE = 0.012
# Hair: unclaimed pixels this many head radii from the face and above this share of the spine go with
# the head.
HAIR_REACH, HAIR_DROP = 1.8, 0.0
# Lab distance by which a pixel must look more like the cloth than the arm to go back to the cloth.
CLOTH_MARGIN = 8.0
# Where two parts meet at a joint, vertices within this many limb radii of it stay shared.
JOINT_REACH = 1.6
# Pins along each bone (fractions from joint_a to joint_b; > 1 reaches into a hand or foot).
PIN_STEPS = {"torso": (0.0, 0.3, 0.6, 0.9), "head": (0.5, 1.0, 1.5)}
LIMB_PIN_STEPS = (0.2, 0.5, 0.8)
DISTAL_PIN_STEPS = (1.0, 1.25)


class RigError(ValueError):
    """The photo cannot be rigged; ``user_message`` says why in words a user can act on."""

    def __init__(self, message: str, *, user_message: str) -> None:
        super().__init__(message)
        self.user_message = user_message


@dataclass(frozen=True, eq=False)
class Rig:
    texture: np.ndarray  # (H, 2W, 4) uint8 premultiplied RGBA: the cut-out, then the torso's copy
    tex_width: int  # W: where the torso copy (limbs in front of the torso painted over) starts
    keypoints: np.ndarray  # (18, 3) avatar keypoints in texture pixels
    vertices: np.ndarray  # (N, 2) rest positions in texture pixels
    triangles: np.ndarray  # (T, 3)
    vertex_part: np.ndarray  # (N,) index into PARTS
    triangle_part: np.ndarray  # (T,)
    triangle_src: np.ndarray  # (T, 3, 2) where each triangle's corners sample the texture
    labels: np.ndarray  # (h, w) int8 part per pixel at label scale, -1 = background
    label_scale: float  # label pixels per texture pixel
    radii: np.ndarray  # (len(PARTS),) tube radius in texture pixels (0 for torso/head)
    pins: np.ndarray  # (P,) vertex indices
    pin_part: np.ndarray  # (P,) the part whose bone moves each pin
    present: np.ndarray  # (len(PARTS),) bool: part exists in this photo
    solver: ArapSolver
    regions: np.ndarray  # (h, w) uint8 at label scale: regions.REGION_* (0 = none)
    region_areas: dict[str, int]  # opaque label pixels of "person" and each region
    garment: Garment | None  # cloth bridging the legs (its mask at label scale)
    carried: Carried | None  # a thing held in a hand

    @property
    def torso_length(self) -> float:
        return float(np.hypot(*(self.keypoints[NECK, :2] - pelvis(self.keypoints))))


def part_bones(*, keypoints: np.ndarray, face: tuple[int, ...]) -> np.ndarray:
    """(len(PARTS), 2, 2) each part's bone (start, end) from keypoints (pixels)."""
    kp = np.asarray(keypoints, dtype=np.float64)
    centre = face_centre(kp, face)
    if centre is None:  # no face seen: a head bone straight up the spine, a third of the torso
        up = kp[NECK, :2] - pelvis(kp)
        centre = kp[NECK, :2] + up * 0.35
    out = np.empty((len(PARTS), 2, 2))
    for i, part in enumerate(PARTS):
        for k, j in enumerate((part.joint_a, part.joint_b)):
            out[i, k] = (pelvis(kp) if j == -1 else centre if j == -2
                         else (kp[9, :2] + kp[12, :2]) / 2.0 if j == -3 else kp[j, :2])
    return out


def _segment_distance(px: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance of points (..., 2) to segment a-b, and the projection parameter t (unclipped)."""
    ab = b - a
    t = ((px - a) @ ab) / max(float(ab @ ab), 1e-9)
    closest = a + np.clip(t, 0.0, 1.0)[..., None] * ab
    return np.hypot(*(px - closest).transpose(-1, *range(px.ndim - 1))), t


@dataclass(frozen=True, eq=False)
class _Labelled:
    labels: np.ndarray  # (h, w) int8 part per pixel, -1 outside
    radii: np.ndarray  # tube radius per part, label pixels
    garment: Garment | None
    carried: Carried | None
    face: np.ndarray  # (h, w) bool


def _label_parts(mask: np.ndarray, bones: np.ndarray, present: np.ndarray, torso_len: float,
                 kp: np.ndarray, rgb: np.ndarray | None = None) -> _Labelled:
    """Part per mask pixel (-1 outside), each limb's tube radius and the one-piece regions
    (regions.py), all in label pixels."""
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    pts = np.stack([xs, ys], axis=1).astype(np.float64)
    dist_in = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 5)
    radii = np.zeros(len(PARTS))
    best = np.full(len(pts), np.inf)
    label = np.full(len(pts), -1, dtype=np.int64)
    for i, part in enumerate(PARTS):
        if not present[i] or part.name in ("torso", "head", "garment"):
            continue
        a, b = bones[i]
        samples = a + np.linspace(0.2, 0.8, 9)[:, None] * (b - a)
        sx = np.clip(samples[:, 0].round().astype(int), 0, w - 1)
        sy = np.clip(samples[:, 1].round().astype(int), 0, h - 1)
        # The distance to the nearest edge along the bone; a low percentile, because where the limb
        # touches the body the far side is the only edge and the near side reads as "inside".
        measured = float(np.percentile(dist_in[sy, sx], 30)) * 1.1
        lo, hi = part.radius_prior
        radii[i] = float(np.clip(measured, lo * torso_len, hi * torso_len))
        end = b + part.extend * (b - a)
        d, _ = _segment_distance(pts, a, end)
        score = d / radii[i]
        take = (score <= 1.0) & (score < best)
        best[take] = score[take]
        label[take] = i
    # Cloth bridging the legs is one piece: it takes the leg tubes' pixels (not the arms').
    arm_img = np.zeros((h, w), bool)
    arm_img[ys, xs] = np.isin(label, ARMS)
    garment = find_garment(mask=mask, kp=kp, rgb=rgb, arm_pixels=arm_img) if present[GARMENT] else None
    if garment is not None:
        label[garment.mask[ys, xs] & ~arm_img[ys, xs]] = GARMENT
        if rgb is not None:
            _cloth_from_arm_tubes(label, ys, xs, garment.mask, rgb, bones, radii)
    # The face belongs to the head even where a hand near it or an arm's tube reaches in.
    face_px = face_oval(shape=(h, w), kp=kp, torso_len=torso_len)
    label[face_px[ys, xs]] = HEAD
    # Torso seed: the quad between shoulders and hips, pulled in a little, plus a band along the
    # spine at least TORSO_BAND torso lengths wide, where no limb tube is. In a three-quarter view the
    # quad is a sliver, and the jacket beside it would otherwise go to the nearest arm and be carried
    # off with it.
    quad = _torso_quad(kp, 0.9)
    torso_img = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(torso_img, np.round(quad).astype(np.int32), 1)
    free = label < 0
    spine_d, spine_t = _segment_distance(pts, bones[TORSO, 0], bones[TORSO, 1])
    half = max(TORSO_BAND * torso_len, 0.9 * float(np.hypot(*(kp[2, :2] - kp[5, :2]))) / 2.0)
    band = (spine_d <= half) & (spine_t >= 0.05) & (spine_t <= 1.0)
    label[free & ((torso_img[ys, xs] > 0) | band)] = TORSO
    # Head seed: a disc around the face centre reaching to about half the way to the neck.
    neck, face = bones[HEAD]
    reach = max(float(np.hypot(*(face - neck))) * 0.75, 0.12 * torso_len)
    head_d = np.hypot(*(pts - face).T)
    label[(label < 0) & (head_d < reach)] = HEAD
    # Loose hair beside the face and over the shoulders (no limb's tube, above the chest) is the head's:
    # left to the nearest seed it would go with an upper arm and be dragged off when the arm moves.
    label[(label < 0) & (head_d < HAIR_REACH * reach) & (spine_t < HAIR_DROP)] = HEAD
    # A bag, purse or phone hanging off a hand goes with that forearm (turned rigidly with it).
    seeded = np.zeros((h, w), bool)
    seeded[ys, xs] = label >= 0
    carried = find_carried(mask=mask, others=seeded, kp=kp,
                           radii={PARTS[i].name: radii[i] for i in range(len(PARTS))},
                           forearms={p.name: bool(present[i]) for i, p in enumerate(PARTS)})
    if carried is not None:
        label[carried.mask[ys, xs]] = PART_INDEX[carried.forearm]
    # Everything else: the nearest labelled pixel (skirts, hair, bags, the spaces between seeds).
    image = np.full((h, w), -1, dtype=np.int64)
    image[ys, xs] = label
    unlabelled = image < 0
    if (~unlabelled).any():
        _, (iy, ix) = ndimage.distance_transform_edt(unlabelled, return_indices=True)
        image = image[iy, ix]
    image[~mask] = -1
    if garment is not None:
        # The garment's own pixels after the fill (cloth between its seed and the silhouette edge).
        garment = Garment(mask=image == GARMENT, hem_ratio=garment.hem_ratio, kind=garment.kind,
                          max_leg_spread_deg=garment.max_leg_spread_deg)
    return _Labelled(labels=image.astype(np.int8), radii=radii, garment=garment, carried=carried, face=face_px)


def _cloth_from_arm_tubes(label: np.ndarray, ys: np.ndarray, xs: np.ndarray, cloth: np.ndarray, rgb: np.ndarray,
                          bones: np.ndarray, radii: np.ndarray) -> None:
    """An arm hanging against a skirt has a tube as wide as the arm and the cloth beside it: those tube
    pixels that look like the cloth (Lab) rather than like the arm's own core go back to the cloth, or
    a strip of the skirt would leave with the arm."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    near = cv2.dilate(cloth.astype(np.uint8), cv2.getStructuringElement(
        cv2.MORPH_ELLIPSE, (2 * round(float(radii[list(ARMS)].max())) + 3,) * 2)) > 0
    cloth_colour = np.median(lab[cloth], axis=0)
    pts = np.stack([xs, ys], axis=1).astype(np.float64)
    for i in ARMS:
        own = label == i
        if not own.any() or radii[i] <= 0:
            continue
        d, _ = _segment_distance(pts, bones[i, 0], bones[i, 1])
        core = own & (d < 0.5 * radii[i])
        if core.sum() < 5:
            continue
        arm_colour = np.median(lab[ys[core], xs[core]], axis=0)
        if float(np.linalg.norm(arm_colour - cloth_colour)) < 2 * CLOTH_MARGIN:
            continue  # a sleeve of the same cloth: colour cannot tell them apart
        cand = own & near[ys, xs] & (d >= 0.5 * radii[i])
        px = lab[ys[cand], xs[cand]]
        closer = (np.linalg.norm(px - cloth_colour, axis=1) + CLOTH_MARGIN
                  < np.linalg.norm(px - arm_colour, axis=1))
        idx = np.flatnonzero(cand)[closer]
        label[idx] = GARMENT


def _cut(vertices: np.ndarray, triangles: np.ndarray, tri_part: np.ndarray, bones: np.ndarray,
         radii: np.ndarray, torso_len: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Duplicate vertices between parts that do not meet there (see the module docstring)."""
    pairs = np.stack([triangles.ravel(), np.repeat(tri_part, 3)], axis=1)
    uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    parent = np.arange(len(uniq))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # Copies of the same original vertex sit next to each other in `uniq` (sorted by vertex).
    starts = np.flatnonzero(np.r_[True, uniq[1:, 0] != uniq[:-1, 0]])
    ends = np.r_[starts[1:], len(uniq)]
    for s, e in zip(starts, ends, strict=True):
        if e - s < 2:
            continue
        v = vertices[uniq[s, 0]]
        for x in range(s, e):
            for y in range(x + 1, e):
                pa, pb = PARTS[uniq[x, 1]], PARTS[uniq[y, 1]]
                child, other = (pa, pb) if pa.parent == pb.name else (pb, pa) if pb.parent == pa.name else (None, None)
                if child is None:
                    continue
                if child.name == "garment":  # the cloth hangs from the whole waist, never cut from it
                    parent[find(x)] = find(y)
                    continue
                ci = PART_INDEX[child.name]
                joint = bones[ci, 0]
                reach = JOINT_REACH * max(radii[ci], radii[PART_INDEX[other.name]], 0.07 * torso_len)
                if np.hypot(*(v - joint)) <= reach:
                    parent[find(x)] = find(y)
    roots = np.array([find(x) for x in range(len(uniq))])
    _, new_id = np.unique(roots, return_inverse=True)
    new_id = new_id.ravel()
    n_new = int(new_id.max()) + 1
    new_vertices = np.empty((n_new, 2))
    new_part = np.empty(n_new, dtype=np.int64)
    new_vertices[new_id] = vertices[uniq[:, 0]]
    # A shared (merged) vertex takes the part of the lowest index copy: the parent side (torso first).
    order = np.argsort(-uniq[:, 1], kind="stable")
    new_part[new_id[order]] = uniq[order, 1]
    return new_vertices, new_id[inverse].reshape(-1, 3), new_part


def _region_pins(kp: np.ndarray, bones: np.ndarray, garment: Garment | None, carried: Carried | None,
                 vertices: np.ndarray, vertex_part: np.ndarray) -> list[tuple[np.ndarray, int, int]]:
    """(point, part whose vertices may hold the pin, part whose bone moves it) for the one-piece
    regions: the garment hangs from the hips, swings with its centre line, and each half of its hem
    (out to the side seam) turns with the leg beneath it, so the legs spreading opens the cloth between
    them instead of folding it; a carried thing is pinned to its forearm at its middle and far end."""
    out: list[tuple[np.ndarray, int, int]] = []
    if garment is not None:
        for hip in (8, 11):
            out.append((kp[hip, :2], GARMENT, TORSO))
        a = bones[GARMENT, 0]
        hem_r, hem_l = leg_point(kp, R_LEG, garment.hem_ratio), leg_point(kp, L_LEG, garment.hem_ratio)
        mid_hem = (hem_r + hem_l) / 2.0
        down = (mid_hem - a) / max(float(np.hypot(*(mid_hem - a))), 1e-9)
        across = hem_l - hem_r
        across /= max(float(np.hypot(*across)), 1e-9)
        own = np.flatnonzero(vertex_part == GARMENT)
        u = (vertices[own] - mid_hem) @ down
        v = (vertices[own] - mid_hem) @ across
        reach = float(np.hypot(*(mid_hem - a)))
        bottom = own[u > -0.08 * reach]
        vb = v[u > -0.08 * reach]
        half_gap = float(np.hypot(*(hem_l - hem_r))) / 2.0
        for leg, side, sign in ((R_LEG, "r", -1.0), (L_LEG, "l", 1.0)):
            mover = PART_INDEX[f"{side}_{leg_segment_at(kp, leg, garment.hem_ratio)}"]
            out.append((leg_point(kp, leg, garment.hem_ratio), GARMENT, mover))
            mine = bottom[sign * vb > 0.5 * half_gap]
            if len(mine):
                lateral = sign * ((vertices[mine] - mid_hem) @ across)
                for q in (0.5, 0.85):
                    out.append((vertices[mine[np.argsort(lateral)[int(q * (len(mine) - 1))]]], GARMENT, mover))
        out.append((a + (mid_hem - a) * 0.6, GARMENT, GARMENT))
    if carried is not None:
        part = PART_INDEX[carried.forearm]
        ys, xs = np.nonzero(carried.mask)
        pts = np.stack([xs, ys], axis=1).astype(np.float64)
        wrist = kp[4 if carried.side == "right" else 7, :2]
        out.append((pts.mean(axis=0), part, part))
        out.append((pts[np.argmax(np.hypot(*(pts - wrist).T))], part, part))
    return out


def _pins(vertices: np.ndarray, vertex_part: np.ndarray, triangles: np.ndarray, bones: np.ndarray,
          radii: np.ndarray, present: np.ndarray, torso_len: float,
          extra: list[tuple[np.ndarray, int, int]] = ()) -> tuple[np.ndarray, np.ndarray]:
    pins: dict[int, int] = {}
    for point, holder, mover in extra:
        own = np.flatnonzero(vertex_part == holder)
        if len(own):
            k = own[int(np.argmin(np.hypot(*(vertices[own] - point).T)))]
            pins.setdefault(int(k), mover)
    for i, part in enumerate(PARTS):
        if not present[i] or part.name == "garment":
            continue
        a, b = bones[i]
        steps = PIN_STEPS.get(part.name, LIMB_PIN_STEPS + (DISTAL_PIN_STEPS if part.extend else ()))
        own = np.flatnonzero(vertex_part == i)
        if len(own) == 0:
            continue
        reach = max(radii[i], 0.1 * torso_len) * 1.2
        for t in steps:
            p = a + t * (b - a)
            d = np.hypot(*(vertices[own] - p).T)
            k = int(np.argmin(d))
            if d[k] <= reach and own[k] not in pins:
                pins[int(own[k])] = i
    # Every connected piece needs two pins to be placed and turned; loose bits (a bag strap, a
    # strand of hair cut off by the labelling) follow their part's bone.
    n = len(vertices)
    adj = sp.coo_matrix((np.ones(triangles.size), (triangles.ravel(), np.roll(triangles, 1, axis=1).ravel())),
                        shape=(n, n))
    count, comp = sp.csgraph.connected_components(adj, directed=False)
    pinned = np.zeros(count, dtype=np.int64)
    for v in pins:
        pinned[comp[v]] += 1
    for c in np.flatnonzero(pinned < 2):
        members = np.flatnonzero(comp == c)
        centre = vertices[members].mean(axis=0)
        far = members[np.argsort(-np.hypot(*(vertices[members] - centre).T))]
        for v in far[: 2 - pinned[c]] if len(far) >= 2 else far:
            pins.setdefault(int(v), int(vertex_part[v]))
    keys = np.array(sorted(pins), dtype=np.int64)
    return keys, np.array([pins[k] for k in keys], dtype=np.int64)


def _torso_quad(kp: np.ndarray, grow: float) -> np.ndarray:
    quad = kp[[2, 5, 11, 8], :2]
    centre = quad.mean(axis=0)
    return centre + (quad - centre) * grow


def _torso_region(shape: tuple[int, int], kp: np.ndarray, bones: np.ndarray, torso_len: float,
                  grow: float) -> np.ndarray:
    """(h, w) bool at label scale: the shoulder-hip quad and the band along the spine (see
    _label_parts), grown by ``grow``: where the torso continues under an arm lying in front of it."""
    h, w = shape
    region = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(region, np.round(_torso_quad(kp, grow)).astype(np.int32), 1)
    ys, xs = np.mgrid[0:h, 0:w]
    d, t = _segment_distance(np.stack([xs, ys], axis=-1).astype(np.float64), bones[TORSO, 0], bones[TORSO, 1])
    # Only the spine band's own width here, not the shoulders': the waist is narrower than the
    # shoulders, and an arm hanging beside it must not leave a painted flap of body behind.
    half = TORSO_BAND * torso_len * grow
    return (region > 0) | ((d <= half) & (t >= 0.05) & (t <= 1.0))


def _torso_fill_parts(labels: np.ndarray) -> np.ndarray:
    arms = [PART_INDEX[n] for n in ("r_upper_arm", "r_forearm", "l_upper_arm", "l_forearm")]
    return np.isin(labels, arms)


def _atlas(texture: np.ndarray, labels: np.ndarray, scale: float, region: np.ndarray,
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


def build_rig(*, texture: np.ndarray, keypoints: np.ndarray) -> Rig:
    """Rig an RGBA cut-out (person cropped, alpha = matte) whose COCO-18 ``keypoints`` are in its pixels.

    Raises RigError if the torso (shoulders and hips) is not visible."""
    kp = np.asarray(keypoints, dtype=np.float64)
    if min(kp[j, 2] for j in (2, 5, 8, 11)) <= SEEN * 0.5:
        raise RigError("shoulders or hips not found",
                       user_message="The photo must show the person's shoulders and hips.")
    th, tw = texture.shape[:2]
    scale = min(1.0, LABEL_SIDE / max(th, tw))
    lw, lh = max(1, round(tw * scale)), max(1, round(th * scale))
    alpha = cv2.resize(texture[:, :, 3], (lw, lh), interpolation=cv2.INTER_AREA)
    person = alpha > 127
    # Mesh a little past the matte's half-way line so the soft edge (hair, sleeves) is inside it.
    mesh_mask = cv2.dilate((alpha > 24).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    skp = kp.copy()
    skp[:, :2] *= scale
    face = tuple(j for j in FACE if kp[j, 2] > SEEN)
    bones = part_bones(keypoints=skp, face=face)
    torso_len = float(np.hypot(*(skp[NECK, :2] - pelvis(skp))))
    present = np.array([all(j < 0 or kp[j, 2] > SEEN * 0.5 for j in (p.joint_a, p.joint_b)) for p in PARTS])
    # A limb also needs its parent: a forearm whose upper arm is missing stays with the body.
    for i, part in enumerate(PARTS):
        if part.parent is not None and not present[PART_INDEX[part.parent]]:
            present[i] = False
    del person
    height_px = float(np.ptp(np.nonzero(mesh_mask)[0])) if mesh_mask.any() else float(lh)
    thin = max(3, round(THIN_SHARE * height_px) | 1)
    opened = cv2.morphologyEx(mesh_mask.astype(np.uint8), cv2.MORPH_OPEN,
                              cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (thin, thin))) > 0
    mesh_mask = main_body(opened)
    small_rgb = cv2.resize(np.ascontiguousarray(texture[:, :, :3]), (lw, lh), interpolation=cv2.INTER_AREA)
    found = _label_parts(mesh_mask, bones, present, torso_len, skp, small_rgb)
    labels, radii = found.labels, found.radii
    present[GARMENT] = found.garment is not None
    spacing = max(3.0, height_px * MESH_SPACING)
    verts, tris = triangulate(mesh_mask, spacing, labels)
    centres = verts[tris].mean(axis=1)
    ci = np.clip(centres.round().astype(int), 0, [lw - 1, lh - 1])
    tri_part = labels[ci[:, 1], ci[:, 0]].astype(np.int64)
    tri_part[tri_part < 0] = TORSO
    # Backing: the torso continues under any arm lying in front of it, so moving the arm away shows
    # (painted-in) torso, not a hole. Those triangles are duplicated as torso triangles.
    # The same for the garment under a hand or a bag hanging in front of it.
    region = _torso_region((lh, lw), skp, bones, torso_len, 1.04)
    cloth = np.zeros((lh, lw), bool)
    if found.garment is not None:
        # The cloth continues under a hand or forearm resting on it: close the garment over an arm's
        # width (without the arm's pixels inside, moving the hand away would leave hand-shaped holes).
        reach = 2 * round(max(radii[ARMS[1]], radii[ARMS[3]], 2.0)) + 3
        cloth = cv2.morphologyEx(found.garment.mask.astype(np.uint8), cv2.MORPH_CLOSE,
                                 cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))) > 0
        cloth &= np.isin(labels, (GARMENT, *ARMS))
    cloth_extent = cloth
    cloth = cv2.dilate(cloth.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    arms = np.isin(tri_part, ARMS)
    on_cloth = arms & cloth[ci[:, 1], ci[:, 0]]
    backing = np.flatnonzero(arms & region[ci[:, 1], ci[:, 0]] & ~on_cloth)
    cloth_backing = np.flatnonzero(on_cloth)
    # And a leg under a hand or a bag held in front of it (within the leg's tube).
    leg_of = np.full(len(tri_part), -1)
    leg_paint = np.zeros((lh, lw), bool)
    pix = np.stack(np.nonzero(np.isin(labels, ARMS))[::-1], axis=1).astype(np.float64)
    for i in LEGS:
        if not present[i] or radii[i] <= 0:
            continue
        d, _ = _segment_distance(centres, bones[i, 0], bones[i, 1])
        leg_of[arms & ~on_cloth & ~region[ci[:, 1], ci[:, 0]] & (d <= radii[i]) & (leg_of < 0)] = i
        if len(pix):
            dp, _ = _segment_distance(pix, bones[i, 0], bones[i, 1])
            hit = pix[dp <= radii[i] * 1.15].astype(int)
            leg_paint[hit[:, 1], hit[:, 0]] = True
    leg_backing = np.flatnonzero(leg_of >= 0)
    tris = np.vstack([tris, tris[backing], tris[cloth_backing], tris[leg_backing]])
    tri_part = np.concatenate([tri_part, np.full(len(backing), TORSO), np.full(len(cloth_backing), GARMENT),
                               leg_of[leg_backing]])
    painted_tri = np.isin(tri_part, (TORSO, GARMENT))
    painted_tri[len(painted_tri) - len(leg_backing):] = True
    region = region | cloth | leg_paint
    verts, tris, vpart = _cut(verts, tris, tri_part, bones, radii, torso_len)
    pins, pin_part = _pins(verts, vpart, tris, bones, radii, present, torso_len,
                           _region_pins(skp, bones, found.garment, found.carried, verts, vpart))
    regions = np.zeros((lh, lw), np.uint8)
    # The garment's region is the whole cloth, under the hands resting on it too (only where the
    # garment's own part is drawn does the output count it).
    regions[cloth_extent] = REGION_GARMENT
    if found.carried is not None:
        regions[found.carried.mask] = REGION_CARRIED
    regions[found.face & (labels == HEAD)] = REGION_FACE
    # The opaque part only, as the output's masks count it (alpha over one half).
    opaque = alpha > 127
    region_areas = {"person": int(opaque.sum()), "garment": int((opaque & (regions == REGION_GARMENT)).sum()),
                    "carried": int((opaque & (regions == REGION_CARRIED)).sum()),
                    "face": int((opaque & (regions == REGION_FACE)).sum())}
    # Everything back to texture pixels (pixel centres: label pixel i covers texture i/scale...).
    to_tex = 1.0 / scale
    verts_tex = (verts + 0.5) * to_tex - 0.5
    solver = arap_prepare(vertices=verts_tex, triangles=tris, pins=pins)
    atlas = _atlas(texture, labels, scale, region, _torso_fill_parts(labels))
    src = verts_tex[tris].copy()
    src[painted_tri, :, 0] += tw  # torso, cloth and legs under a limb sample the painted copy
    return Rig(texture=atlas, tex_width=tw, triangle_src=src, keypoints=kp, vertices=verts_tex, triangles=tris,
               vertex_part=vpart, triangle_part=tri_part, labels=labels, label_scale=scale,
               radii=radii * to_tex, pins=pins, pin_part=pin_part, present=present, solver=solver,
               regions=regions, region_areas=region_areas, garment=found.garment, carried=found.carried)
