"""Is a pose physically possible? Joint limits are the skeleton's job; this checks the body against itself.

The skeleton accepts any combination of angles within each joint's limits, which still allows an arm
through the chest or one thigh through the other. :func:`pose_collisions` models the body as the
mannequin renderer draws it (torso and head ellipsoids, tapered limb capsules) and reports every
pair of parts that sink into each other by more than a tolerance, so a catalogue pose can be
rejected before anyone sees it. Touching (a hand on the hip, a forearm on the chest, one thigh on
the other) is allowed: only a limb's centre line entering another part counts.

    problems = pose_collisions(pose=pose)   # [] when the body is clear of itself
    problems[0].parts                       # ("l_forearm", "chest")
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posegen.posekit.skeleton import Pose, Skeleton3D, pose_joints_3d

# Torso and head ellipsoids as posekit.render_mannequin draws them: (name, frame joint, centre
# offset in that frame, semi-axes), fractions of body height. The head is centred on head_centre.
_ELLIPSOIDS: tuple[tuple[str, str, tuple[float, float, float], tuple[float, float, float]], ...] = (
    ("chest", "chest", (0.0, 0.105, -0.004), (0.098, 0.118, 0.066)),
    ("belly", "spine_base", (0.0, 0.062, 0.0), (0.082, 0.080, 0.057)),
    ("pelvis", "pelvis", (0.0, -0.012, -0.004), (0.098, 0.066, 0.064)),
    ("head", "head", (0.0, 0.0, 0.0), (0.047, 0.067, 0.057)),
)
# Limb capsules: (name, from joint, to joint, radius at each end as a fraction of height).
_CAPSULES: tuple[tuple[str, str, str, float, float], ...] = tuple(
    (f"{s}_{name}", f"{s}_{a}", f"{s}_{b}", ra, rb)
    for s in ("l", "r")
    for name, a, b, ra, rb in (
        ("upper_arm", "shoulder", "elbow", 0.031, 0.023),
        ("forearm", "elbow", "wrist", 0.023, 0.016),
        ("hand", "wrist", "hand", 0.014, 0.010),
        ("thigh", "hip", "knee", 0.050, 0.033),
        ("shin", "knee", "ankle", 0.032, 0.020),
        ("foot", "heel", "toe", 0.017, 0.013),
    )
)
# How deep (a fraction of the part's size) a limb's centre line may sink into an ellipsoid, and how
# close (a fraction of the sum of their radii) two limbs' centre lines may come.
ELLIPSOID_TOLERANCE = 0.15
CAPSULE_TOLERANCE = 0.55
_SAMPLES = np.linspace(0.0, 1.0, 9)  # points along each limb
_ARM = frozenset({"upper_arm", "forearm", "hand"})


@dataclass(frozen=True)
class Collision:
    parts: tuple[str, str]
    depth: float  # how far into the other part (ellipsoid) or how much of the clearance is missing

    def __str__(self) -> str:
        return f"{self.parts[0]} passes through {self.parts[1]} ({self.depth:.0%})"


def _limb_skips(limb: str, part: str) -> bool:
    """Pairs that always meet where they join (an upper arm at the shoulder, a thigh at the pelvis)."""
    kind = limb.partition("_")[2]
    return (kind == "upper_arm" and part in ("chest", "belly")) or (kind == "thigh" and part in ("pelvis", "belly"))


def _compared(a: str, b: str) -> bool:
    """Limb pairs worth comparing: not two links of the same arm or leg, which meet at a joint, and
    not the two hands, which clasp, press together and lace behind the head."""
    side_a, _, kind_a = a.partition("_")
    side_b, _, kind_b = b.partition("_")
    if kind_a == kind_b == "hand":
        return False
    return side_a != side_b or ((kind_a in _ARM) != (kind_b in _ARM))


_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (i, j) for i in range(len(_CAPSULES)) for j in range(i + 1, len(_CAPSULES))
    if _compared(_CAPSULES[i][0], _CAPSULES[j][0])
)


def pose_collisions(*, pose: Pose) -> list[Collision]:
    """Every pair of body parts that pass through each other in ``pose`` (empty when it is possible)."""
    return skeleton_collisions(skeleton=pose_joints_3d(pose=pose))


def skeleton_collisions(*, skeleton: Skeleton3D) -> list[Collision]:
    h = skeleton.proportions.height
    found: list[Collision] = []
    starts = np.array([skeleton.position(a) for _, a, _, _, _ in _CAPSULES])
    ends = np.array([skeleton.position(b) for _, _, b, _, _ in _CAPSULES])
    # (limbs, samples, 3) points along every limb's centre line, and the limb's radius at each.
    points = starts[:, None, :] + (ends - starts)[:, None, :] * _SAMPLES[None, :, None]
    radii = np.array([ra + (rb - ra) * _SAMPLES for _, _, _, ra, rb in _CAPSULES]) * h

    for name, frame, offset, semi in _ELLIPSOIDS:
        rotation = skeleton.rotations[skeleton.index(frame)]
        centre = (skeleton.position("head_centre") if name == "head"
                  else skeleton.position(frame) + rotation @ (np.asarray(offset) * h))
        unit = np.linalg.norm(((points - centre) @ rotation) / (np.asarray(semi) * h), axis=2)
        for k, (limb, *_rest) in enumerate(_CAPSULES):
            if _limb_skips(limb, name):
                continue
            # The shoulder end of an upper arm sits inside the chest's outline by construction.
            nearest = unit[k, 3:].min() if limb.endswith("upper_arm") else unit[k].min()
            depth = 1.0 - float(nearest)
            if depth > ELLIPSOID_TOLERANCE:
                found.append(Collision((limb, name), round(depth, 3)))

    half = len(_SAMPLES) // 2
    for i, j in _PAIRS:
        pa, pb, ra, rb = points[i], points[j], radii[i], radii[j]
        if _CAPSULES[i][0].endswith("thigh") and _CAPSULES[j][0].endswith("thigh"):
            # The thighs start a hip-width apart at the pelvis; compare their lower halves.
            pa, pb, ra, rb = pa[half:], pb[half:], ra[half:], rb[half:]
        gaps = np.linalg.norm(pa[:, None, :] - pb[None, :, :], axis=2) / (ra[:, None] + rb[None, :])
        missing = 1.0 - float(gaps.min())
        if missing > 1.0 - CAPSULE_TOLERANCE:
            found.append(Collision((_CAPSULES[i][0], _CAPSULES[j][0]), round(missing, 3)))
    return found


def penetration(*, pose: Pose) -> float:
    """Sum of collision depths beyond the tolerances (0 when the pose is possible); for solvers."""
    return sum(c.depth for c in pose_collisions(pose=pose))
