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

from collections.abc import Callable
from dataclasses import dataclass, replace

import cv2
import numpy as np
from scipy import ndimage

from posegen.engines.offline.arap import ArapSolver, arap_prepare
from posegen.engines.offline.backing import TORSO_BAND, arm_pixels, atlas, torso_region
from posegen.engines.offline.carried import holding_forearms
from posegen.engines.offline.garment import Garment, cloth_beside_arms, find_garment
from posegen.engines.offline.lost_arm import lend_arm
from posegen.engines.offline.mesh import main_body, triangulate
from posegen.engines.offline.parts import (
    ARMS,
    GARMENT,
    HEAD,
    LEGS,
    NECK,
    PART_INDEX,
    PARTS,
    TORSO,
    Part,
    limb_sides,
    part_bones,
    segment_distance,
    torso_quad,
)
from posegen.engines.offline.pins import cut_mesh, pin_vertices, region_pins
from posegen.engines.offline.regions import (
    REGION_CARRIED,
    REGION_FACE,
    REGION_GARMENT,
    Carried,
    face_oval,
    find_carried,
)
from posegen.engines.offline.retarget import FACE, SEEN, facing_sign, pelvis
from posegen.engines.offline.strips import forearm_strips

__all__ = ["ARMS", "GARMENT", "LEGS", "PARTS", "PART_INDEX", "Part", "Rig", "RigError", "build_rig", "part_bones"]

# Mesh density: vertex spacing as a share of the person's height (about 1-2k vertices).
MESH_SPACING = 1.0 / 70.0
# The silhouette is labelled and meshed with its long side at this many pixels.
LABEL_SIDE = 420
# Thin protrusions (ski poles, bag straps, a hand-held stick) narrower than this share of the
# person's height are trimmed from the mesh; a finger or a sleeve is wider.
THIN_SHARE = 0.012
# Hair: unclaimed pixels this many head radii from the face and above this share of the spine go with
# the head.
HAIR_REACH, HAIR_DROP = 1.8, 0.0
# An arm measured by its colour edges is never thinner than this share of its measured radius (nor its
# prior's minimum).
ARM_LEAST = 0.6
# Facing the camera at least this much (retarget.facing_sign, torso lengths; seller photos 0.34-0.59, a
# back view -0.5, a profile about 0): the face's colour is then the skin a bare hand shows.
FRONT_VIEW = 0.2
# Finds a thing held against the body at the rig's label scale (keyword arguments rgb, mask, kp, radii,
# forearms, as carried.find_held takes them), or None.
HeldFinder = Callable[..., Carried | None]


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


@dataclass(frozen=True, eq=False)
class _Labelled:
    labels: np.ndarray  # (h, w) int8 part per pixel, -1 outside
    radii: np.ndarray  # tube radius per part, label pixels
    garment: Garment | None
    carried: Carried | None
    face: np.ndarray  # (h, w) bool


def _label_parts(mask: np.ndarray, bones: np.ndarray, present: np.ndarray, torso_len: float,
                 kp: np.ndarray, rgb: np.ndarray | None = None, held_finder: HeldFinder | None = None) -> _Labelled:
    """Part per mask pixel (-1 outside), each limb's tube radius and the one-piece regions
    (regions.py), all in label pixels. ``held_finder`` (see build_rig) may name a thing held against
    the body: it goes to that forearm before any tube, garment or torso seed claims its pixels."""
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    pts = np.stack([xs, ys], axis=1).astype(np.float64)
    dist_in = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 5)
    radii = np.zeros(len(PARTS))
    lab = (cv2.GaussianBlur(cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB), (3, 3), 0).astype(np.float32)
           if rgb is not None else None)
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
        d, _ = segment_distance(pts, a, end)
        score = d / radii[i]
        if lab is not None and i in ARMS:
            # An arm against a skirt or coat ends where its colour does, not at the measured radius.
            left, right = limb_sides(lab=lab, mask=mask, a=a, b=b, radius=radii[i],
                                     least=max(lo * torso_len, ARM_LEAST * radii[i]))
            on_left = (pts - a) @ np.array([-(b - a)[1], (b - a)[0]]) >= 0
            score = d / np.where(on_left, left, right)
        take = (score <= 1.0) & (score < best)
        best[take] = score[take]
        label[take] = i
    # A bag held against the skirt or the thigh lies under a tube, the garment's seed or the torso's:
    # shared out between them by their (geometric) borders, it tore when the hand moved. Found first,
    # it is the forearm's alone and nothing below claims it.
    held = None
    if held_finder is not None and rgb is not None:
        held = held_finder(rgb=rgb, mask=mask, kp=kp, radii={p.name: radii[i] for i, p in enumerate(PARTS)},
                           forearms={p.name: bool(present[i]) for i, p in enumerate(PARTS)})
    if held is not None:
        # One label pixel more all round: the bag's soft rim, left to the skirt, was a shard of bag
        # colour beside the moved bag.
        held = replace(held, mask=(cv2.dilate(held.mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & mask)
    held_px = held.mask[ys, xs] if held is not None else np.zeros(len(pts), bool)
    if held is not None:
        label[held_px] = PART_INDEX[held.forearm]
    # Cloth bridging the legs is one piece: it takes the leg tubes' pixels (not the arms').
    arm_img = np.zeros((h, w), bool)
    arm_img[ys, xs] = np.isin(label, ARMS)
    garment = find_garment(mask=mask, kp=kp, rgb=rgb, arm_pixels=arm_img) if present[GARMENT] else None
    face_px = face_oval(shape=(h, w), kp=kp, torso_len=torso_len)
    if garment is not None and lab is not None:
        tubes = np.full((h, w), -1, dtype=np.int64)
        tubes[ys, xs] = label
        skin = np.median(lab[face_px & mask], axis=0) if (face_px & mask).sum() >= 10 else None
        given = cloth_beside_arms(lab=lab, garment=garment.mask, labels=tubes, skin=skin,
                                  free_hands=_free_hands(rgb=rgb, mask=mask, kp=kp, radii=radii, present=present),
                                  arms={i: (bones[i, 0], bones[i, 1], radii[i]) for i in ARMS if present[i]})
        if given.any():
            arm_img &= ~given
            garment = replace(garment, mask=garment.mask | given)
    if garment is not None:
        label[garment.mask[ys, xs] & ~arm_img[ys, xs] & ~held_px] = GARMENT
    # The face belongs to the head even where a hand near it or an arm's tube reaches in.
    label[face_px[ys, xs] & ~held_px] = HEAD
    # Torso seed: the quad between shoulders and hips, pulled in a little, plus a band along the
    # spine at least TORSO_BAND torso lengths wide, where no limb tube is. In a three-quarter view the
    # quad is a sliver, and the jacket beside it would otherwise go to the nearest arm and be carried
    # off with it.
    quad = torso_quad(kp, 0.9)
    torso_img = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(torso_img, np.round(quad).astype(np.int32), 1)
    free = label < 0
    spine_d, spine_t = segment_distance(pts, bones[TORSO, 0], bones[TORSO, 1])
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
    carried = held if held is not None else find_carried(
        mask=mask, others=seeded, kp=kp, radii={PARTS[i].name: radii[i] for i in range(len(PARTS))},
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
    image = _limbs_whole(image, mask, carried.mask if carried is not None else None, bones)
    if lab is not None:  # the body's cloth a straight forearm tube took beside the arm goes back (strips.py)
        image = forearm_strips(image, lab, bones, radii, present, face_px & mask, carried)
    if garment is not None:
        # The garment's own pixels after the fill (cloth between its seed and the silhouette edge).
        garment = Garment(mask=image == GARMENT, hem_ratio=garment.hem_ratio, kind=garment.kind,
                          max_leg_spread_deg=garment.max_leg_spread_deg)
    return _Labelled(labels=image.astype(np.int8), radii=radii, garment=garment, carried=carried, face=face_px)


def _limbs_whole(image: np.ndarray, mask: np.ndarray, carried: np.ndarray | None,
                 bones: np.ndarray) -> np.ndarray:
    """Each limb is one piece: a patch of a limb's label cut off from the rest of it (the forearm's
    reach past the wrist into the coat below a pocketed hand) went with that limb and flew loose when it
    moved (0139 arms raised: a dark fragment above the head). Such patches go to the nearest other part.
    Kept: the pieces the limb's bone runs through (else its largest) and a carried thing with its rim."""
    stray = np.zeros(image.shape, bool)
    for i in (*ARMS, *LEGS):
        own = (image == i).astype(np.uint8)
        count, comp, stats, _ = cv2.connectedComponentsWithStats(own, connectivity=8)
        if count <= 2:
            continue
        line = np.zeros(image.shape, np.uint8)
        cv2.line(line, tuple(int(v) for v in np.round(bones[i, 0])), tuple(int(v) for v in np.round(bones[i, 1])), 1, 3)
        keep = set(np.unique(comp[(line > 0) & (comp > 0)]).tolist())
        if carried is not None:
            keep |= set(np.unique(comp[carried & (comp > 0)]).tolist())
        if not keep:
            keep = {1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))}
        stray |= (comp > 0) & ~np.isin(comp, list(keep))
    if not stray.any() or stray.all():
        return image
    unknown = stray | (image < 0)
    _, (iy, ix) = ndimage.distance_transform_edt(unknown, return_indices=True)
    out = image.copy()
    out[stray] = image[iy[stray], ix[stray]]
    out[~mask] = -1
    return out


def _face_pins(face: np.ndarray) -> list[tuple[np.ndarray, int, int]]:
    """Pins over the face oval (a 3 x 3 grid across it), moved rigidly with the head: hair joined to a
    shoulder (pins.cut_mesh) must not pull the face out of shape when the arm moves."""
    ys, xs = np.nonzero(face)
    if len(xs) < 9:
        return []
    centre, spread = np.array([xs.mean(), ys.mean()]), np.array([xs.std(), ys.std()])
    out = []
    for dx in (-0.8, 0.0, 0.8):
        for dy in (-0.8, 0.0, 0.8):
            p = centre + spread * (dx, dy)
            if face[round(float(p[1])), round(float(p[0]))]:
                out.append((p, HEAD, HEAD))
    return out


def _free_hands(*, rgb: np.ndarray, mask: np.ndarray, kp: np.ndarray, radii: np.ndarray,
                present: np.ndarray) -> set[int]:
    """The forearms whose hand holds nothing carried.find_held can see (a bag, purse or clutch at the
    hand, against the body or hanging off it): past their wrist the tube holds only the bare hand. Only
    from the front: seen from behind or in profile the face oval's colour is hair, not the hand's skin."""
    if facing_sign(kp) < FRONT_VIEW:
        return set()
    forearms = {f: bool(present[PART_INDEX[f]]) for f in ("r_forearm", "l_forearm")}
    holding = holding_forearms(rgb=rgb, mask=mask, kp=kp, radii={p.name: float(radii[i]) for i, p in enumerate(PARTS)},
                               forearms=forearms)
    return {PART_INDEX[f] for f, seen in forearms.items() if seen and f not in holding}


def build_rig(*, texture: np.ndarray, keypoints: np.ndarray, held_finder: HeldFinder | None = None) -> Rig:
    """Rig an RGBA cut-out (person cropped, alpha = matte) whose COCO-18 ``keypoints`` are in its pixels.
    ``held_finder`` outlines a bag held against the body (None: only regions.find_carried's free blobs).

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
    found = _label_parts(mesh_mask, bones, present, torso_len, skp, small_rgb, held_finder)
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
    region = torso_region((lh, lw), skp, bones, torso_len, 1.04)
    cloth = np.zeros((lh, lw), bool)
    if found.garment is not None:
        # The cloth continues under a hand or forearm resting on it: close the garment over an arm's
        # width (without the arm's pixels inside, moving the hand away would leave hand-shaped holes).
        reach = 2 * round(max(radii[ARMS[1]], radii[ARMS[3]], 2.0)) + 3
        cloth = cv2.morphologyEx(found.garment.mask.astype(np.uint8), cv2.MORPH_CLOSE,
                                 cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))) > 0
        cloth &= np.isin(labels, (GARMENT, *ARMS))
        if found.carried is not None:
            # A bag held against the skirt hides cloth as wide as itself, not an arm's width, often the
            # skirt's own edge too: the garment continues under it up to its outline's convex hull
            # (painted in; two pixels past it, the labels' rounding), so the hand carrying the bag away leaves
            # no hole.
            hull = np.zeros((lh, lw), np.uint8)
            gy, gx = np.nonzero(found.garment.mask)
            cv2.fillConvexPoly(hull, cv2.convexHull(np.stack([gx, gy], axis=1).astype(np.int32)), 1)
            cloth |= found.carried.mask & (cv2.dilate(hull, np.ones((5, 5), np.uint8)) > 0)
    cloth_extent = cloth
    cloth = cv2.dilate(cloth.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    arms = np.isin(tri_part, ARMS)
    on_cloth = arms & cloth[ci[:, 1], ci[:, 0]]
    backing = np.flatnonzero(arms & region[ci[:, 1], ci[:, 0]] & ~on_cloth)
    cloth_backing = np.flatnonzero(on_cloth)
    tris = np.vstack([tris, tris[backing], tris[cloth_backing]])
    tri_part = np.concatenate([tri_part, np.full(len(backing), TORSO), np.full(len(cloth_backing), GARMENT)])
    region = region | cloth
    verts, tris, vpart = cut_mesh(verts, tris, tri_part, bones, radii, torso_len)
    pins, pin_part = pin_vertices(verts, vpart, tris, bones, radii, present, torso_len,
                                   region_pins(skp, bones, found.garment, found.carried, verts, vpart)
                                   + _face_pins(found.face))
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
    painted = atlas(texture, labels, scale, region, arm_pixels(labels), cloth=cloth_extent)
    src = verts_tex[tris].copy()
    src[np.isin(tri_part, (TORSO, GARMENT)), :, 0] += tw  # torso and cloth sample the painted copy
    src = lend_arm(src, tri_part, labels=labels, rgba=np.dstack([small_rgb, alpha]), bones=bones, to_tex=to_tex,
                   front=facing_sign(skp) >= FRONT_VIEW, carried=found.carried.forearm if found.carried else None)
    return Rig(texture=painted, tex_width=tw, triangle_src=src, keypoints=kp, vertices=verts_tex, triangles=tris,
               vertex_part=vpart, triangle_part=tri_part, labels=labels, label_scale=scale,
               radii=radii * to_tex, pins=pins, pin_part=pin_part, present=present, solver=solver,
               regions=regions, region_areas=region_areas, garment=found.garment, carried=found.carried)
