"""Retargeting: the target pose's bone directions at the avatar's own bone lengths (2D forward kinematics).

A re-posed person keeps their proportions, so only angles come from the target. The torso is one
rigid piece (its shoulder and hip widths are the avatar's, turned with the target's spine), the head
turns with the target's face, and each limb bone takes the target's direction; a joint the target
does not show keeps the avatar's angle relative to its parent bone.
"""

from __future__ import annotations

import numpy as np

from posegen.posekit.keypoints import MIRROR_INDEX

__all__ = [
    "FACE", "LIMB_CHAINS", "angle_of", "face_centre", "facing_sign", "mirror_labels", "pelvis",
    "retarget_pose", "rotate",
]

NECK, R_SH, L_SH, R_HIP, L_HIP = 1, 2, 5, 8, 11
FACE: tuple[int, ...] = (0, 14, 15, 16, 17)
# (root joint, middle joint, end joint): shoulder/hip, elbow/knee, wrist/ankle.
LIMB_CHAINS: tuple[tuple[int, int, int], ...] = ((2, 3, 4), (5, 6, 7), (8, 9, 10), (11, 12, 13))
SEEN = 0.3  # keypoint confidence above which a joint counts as shown
# How far the head may turn relative to the torso: past this the face texture would shear.
HEAD_LIMIT = np.radians(50.0)
# How far a shoulder rises (and comes in toward the neck) with its arm straight up, torso lengths.
SHRUG, SHRUG_IN = 0.07, 0.05


def pelvis(kp: np.ndarray) -> np.ndarray:
    return (kp[R_HIP, :2] + kp[L_HIP, :2]) / 2.0


def angle_of(v: np.ndarray) -> float:
    return float(np.arctan2(v[1], v[0]))


def rotate(v: np.ndarray, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    v = np.asarray(v, dtype=np.float64)
    return np.stack([c * v[..., 0] - s * v[..., 1], s * v[..., 0] + c * v[..., 1]], axis=-1)


def face_centre(kp: np.ndarray, use: tuple[int, ...]) -> np.ndarray | None:
    if not use:
        return None
    return kp[list(use), :2].mean(axis=0)


def mirror_labels(kp: np.ndarray) -> np.ndarray:
    """Left and right swapped: the same points, labelled as a person seen from behind."""
    return np.asarray(kp)[list(MIRROR_INDEX)].copy()


def facing_sign(kp: np.ndarray) -> float:
    """> 0 when the person faces the viewer (their left side on the image's right), < 0 seen from
    behind, near 0 in profile; measured across the torso so lying poses work too. Units: torso lengths."""
    up = kp[NECK, :2] - pelvis(kp)
    length = float(np.hypot(*up))
    if length < 1e-6:
        return 0.0
    # Perpendicular to the spine; for an upright figure it points to the image right.
    across = np.array([-up[1], up[0]]) / length
    spread = (kp[L_SH, :2] - kp[R_SH, :2]) + (kp[L_HIP, :2] - kp[R_HIP, :2])
    return float((spread @ across) / (2.0 * length))


def retarget_pose(*, avatar: np.ndarray, target: np.ndarray, shrug: bool = True) -> np.ndarray:
    """(18, 3) keypoints: ``target``'s pose (pixels, any scale) at ``avatar``'s bone lengths (pixels).

    Returned in the avatar's pixel scale, the pelvis placed at the target's pelvis scaled to that
    size; confidence is the target's. Labels are taken literally (see ``mirror_labels``).
    ``shrug``: a shoulder rises with its arm lifted above the horizontal (see _shrug); without it the
    shoulders stay where the rigid torso has them (the rig anchors the torso and head there)."""
    av = np.asarray(avatar, dtype=np.float64)
    tg = np.asarray(target, dtype=np.float64)
    out = np.zeros((18, 3))
    out[:, 2] = tg[:, 2]
    av_up = av[NECK, :2] - pelvis(av)
    tg_up = tg[NECK, :2] - pelvis(tg)
    torso_turn = angle_of(tg_up) - angle_of(av_up)
    scale = float(np.hypot(*av_up)) / max(float(np.hypot(*tg_up)), 1e-6)
    root = pelvis(tg) * scale
    av_pelvis = pelvis(av)
    # Torso: rigid, turned by the spine's change of direction.
    for j in (NECK, R_SH, L_SH, R_HIP, L_HIP):
        out[j, :2] = root + rotate(av[j, :2] - av_pelvis, torso_turn)
    # Head: the face points turn about the neck with the face's direction.
    common = tuple(j for j in FACE if av[j, 2] > SEEN and tg[j, 2] > SEEN)
    head_turn = torso_turn
    if common:
        fa, ft = face_centre(av, common), face_centre(tg, common)
        relative = _wrap(angle_of(ft - tg[NECK, :2]) - angle_of(fa - av[NECK, :2]) - torso_turn)
        head_turn = torso_turn + float(np.clip(relative, -HEAD_LIMIT, HEAD_LIMIT))
    for j in FACE:
        out[j, :2] = out[NECK, :2] + rotate(av[j, :2] - av[NECK, :2], head_turn)
    # Limbs: each bone takes the target's direction if both its ends are shown there.
    for a, b, c in LIMB_CHAINS:
        parent_turn = torso_turn
        for p, q in ((a, b), (b, c)):
            av_bone = av[q, :2] - av[p, :2]
            if tg[p, 2] > SEEN and tg[q, 2] > SEEN and np.hypot(*(tg[q, :2] - tg[p, :2])) > 1e-6:
                turn = angle_of(tg[q, :2] - tg[p, :2]) - angle_of(av_bone)
            else:
                turn = parent_turn
            out[q, :2] = out[p, :2] + rotate(av_bone, turn)
            parent_turn = turn
    if shrug:
        _shrug(out, tg, float(np.hypot(*av_up)), rotate(av_up, torso_turn))
    return out


def _shrug(out: np.ndarray, tg: np.ndarray, torso_len: float, up: np.ndarray) -> None:
    """Lift each shoulder whose arm the target raises above the horizontal, the whole arm with it, up and
    toward the neck (up to SHRUG and SHRUG_IN torso lengths with the arm straight up): the shoulder girdle
    rises with a raised arm, and a rigid one makes raised arms look pulled out of a flat shoulder line.
    The neck (COCO's is the shoulders' midpoint) rises as far as both shoulders do: with one arm raised and
    the other down it stays, so an arm kept in place (held_arm) keeps its place in the body's frame."""
    up = up / max(float(np.hypot(*up)), 1e-6)
    tg_up = tg[NECK, :2] - pelvis(tg)
    tg_up = tg_up / max(float(np.hypot(*tg_up)), 1e-6)
    lifts = []
    for shoulder, chain in ((R_SH, (3, 4)), (L_SH, (6, 7))):
        elbow = chain[0]
        if tg[shoulder, 2] <= SEEN or tg[elbow, 2] <= SEEN:
            lifts.append(0.0)
            continue
        arm = tg[elbow, :2] - tg[shoulder, :2]
        lift = max(0.0, float(arm @ tg_up) / max(float(np.hypot(*arm)), 1e-6))
        inward = out[NECK, :2] - out[shoulder, :2]
        inward = inward - (inward @ up) * up
        inward = inward / max(float(np.hypot(*inward)), 1e-6)
        shift = lift * torso_len * (SHRUG * up + SHRUG_IN * inward)
        out[[shoulder, *chain], :2] += shift
        lifts.append(lift)
    out[NECK, :2] += min(lifts) * torso_len * SHRUG * up


def _wrap(angle: float) -> float:
    return float((angle + np.pi) % (2.0 * np.pi) - np.pi)
