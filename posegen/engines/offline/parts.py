"""The avatar's body parts: what each is (its bone between two keypoints, its parent, how wide a
limb's tube may be) and where its bone lies for a set of keypoints. Shared by the rig, its pins and the
renderer; no Django."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posegen.engines.offline.retarget import face_centre, pelvis

__all__ = ["ARMS", "GARMENT", "HEAD", "LEGS", "NECK", "PARTS", "PART_INDEX", "TORSO", "Part", "limb_sides",
           "part_bones", "segment_distance", "torso_quad"]

NECK = 1
# A Lab step (OpenCV 8-bit units) that ends a limb across its bone, three pixels in a row: its sleeve or
# skin against a bright strip of background the matte kept beside it, or against another garment (a
# fold or a print on the sleeve is a smaller step or a shorter one).
LIMB_EDGE, LIMB_EDGE_RUN = 30.0, 3


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
    # Cloth bridging the legs (garment.find_garment): pelvis -> between the knees (-3).
    Part("garment", -1, -3, "torso", (0.0, 0.0), 0.0),
)
PART_INDEX = {p.name: i for i, p in enumerate(PARTS)}
TORSO, HEAD = 0, 1
GARMENT = PART_INDEX["garment"]
ARMS = tuple(PART_INDEX[n] for n in ("r_upper_arm", "r_forearm", "l_upper_arm", "l_forearm"))
LEGS = tuple(PART_INDEX[n] for n in ("r_thigh", "r_shin", "l_thigh", "l_shin"))


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


def segment_distance(px: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance of points (..., 2) to segment a-b, and the projection parameter t (unclipped)."""
    ab = b - a
    t = ((px - a) @ ab) / max(float(ab @ ab), 1e-9)
    closest = a + np.clip(t, 0.0, 1.0)[..., None] * ab
    return np.hypot(*(px - closest).transpose(-1, *range(px.ndim - 1))), t


def torso_quad(kp: np.ndarray, grow: float) -> np.ndarray:
    quad = kp[[2, 5, 11, 8], :2]
    centre = quad.mean(axis=0)
    return centre + (quad - centre) * grow


def limb_sides(*, lab: np.ndarray, mask: np.ndarray, a: np.ndarray, b: np.ndarray, radius: float,
               least: float) -> tuple[float, float]:
    """How far the limb on bone a-b reaches on each side of it (left of a->b, right), at most ``radius``
    and at least ``least``: walking out from the bone, the limb ends where the silhouette does or where
    the colour steps away from the limb's own (LIMB_EDGE_RUN pixels in a row). An arm hanging against a skirt has
    no background between them, so the silhouette alone lets the arm's tube take a strip of the skirt
    (which then leaves with the arm). ``lab``: the blurred Lab image as float32."""
    h, w = mask.shape
    ab = b - a
    length = float(np.hypot(*ab))
    if length < 1e-6:
        return radius, radius
    normal = np.array([-ab[1], ab[0]]) / length
    reach = int(np.ceil(radius)) + 1
    core = max(1, round(0.35 * least))
    edges: list[list[float]] = [[], []]
    for t in np.linspace(0.2, 0.8, 7):
        centre = a + t * ab
        steps = np.arange(-reach, reach + 1)
        pts = centre + steps[:, None] * normal
        xs, ys = pts[:, 0].round().astype(int), pts[:, 1].round().astype(int)
        inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
        xs, ys = np.clip(xs, 0, w - 1), np.clip(ys, 0, h - 1)
        on = inside & mask[ys, xs]
        colours = lab[ys, xs]
        ref = np.median(colours[reach - core: reach + core + 1], axis=0)
        far = np.linalg.norm(colours - ref, axis=1) > LIMB_EDGE
        for side, idx in ((0, np.arange(reach, 2 * reach + 1)), (1, np.arange(reach, -1, -1))):
            end = None
            for k in range(1, len(idx)):
                if not on[idx[k]]:
                    break  # the silhouette's edge: the tube takes nothing beyond it anyway
                run = idx[k: k + 2 * LIMB_EDGE_RUN]
                # A step to something else inside the silhouette (not the matte's soft rim before the edge).
                if len(run) == 2 * LIMB_EDGE_RUN and far[run[:LIMB_EDGE_RUN]].all() and on[run].all():
                    end = k - 0.5
                    break
            # No step within the radius: the measured radius stands for this cross-section.
            edges[side].append(radius if end is None else end)
    out = []
    for found in edges:
        # The median: a fold, a pattern or a bracelet on one cross-section does not narrow the limb.
        out.append(float(np.clip(np.median(found), least, radius)))
    return out[0], out[1]
