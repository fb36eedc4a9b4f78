"""Pose fidelity of a re-posed picture, as the product's quality bar defines it.

MediaPipe Pose is run on the output; the reference is the target's bone directions at the avatar's
own bone lengths (``retarget_pose``: a re-posed person keeps their proportions). After a scale +
translation fit of the detected joints that the detector sees (visibility > 0.5) onto the reference,
a joint is correct within 0.1 x the reference torso length (PCK@0.1); the score is over the 14 body
joints the target shows, taking the better of the target and its left/right mirror (back views).
"""

from __future__ import annotations

import numpy as np

from posegen.engines.offline.retarget import mirror_labels, pelvis, retarget_pose

__all__ = ["pck_fidelity", "pose_fidelity"]

BODY = np.arange(14)
VISIBLE = 0.5
PCK_SHARE = 0.1


def pck_fidelity(*, detected: np.ndarray, reference: np.ndarray) -> float:
    """PCK@0.1 of ``detected`` (18, 3: pixels, visibility) against ``reference`` (18, 3)."""
    det, ref = np.asarray(detected, float), np.asarray(reference, float)
    scored = BODY[ref[BODY, 2] > 0]
    fit = scored[det[scored, 2] > VISIBLE]
    if len(fit) < 3:
        return 0.0
    a, b = det[fit, :2], ref[fit, :2]
    ac, bc = a - a.mean(axis=0), b - b.mean(axis=0)
    scale = float((ac * bc).sum() / max((ac * ac).sum(), 1e-9))
    moved = (det[scored, :2] - a.mean(axis=0)) * scale + b.mean(axis=0)
    torso = float(np.hypot(*(ref[1, :2] - pelvis(ref))))
    err = np.hypot(*(moved - ref[scored, :2]).T)
    return float(np.mean(err < PCK_SHARE * torso))


def pose_fidelity(*, detected: np.ndarray, target: np.ndarray, avatar: np.ndarray) -> float:
    """Fidelity of a picture whose detected keypoints are ``detected`` (pixels) to ``target`` (pixels,
    any scale), for an avatar whose own keypoints are ``avatar`` (pixels)."""
    scores = []
    for tg in (np.asarray(target, float), mirror_labels(np.asarray(target, float))):
        scores.append(pck_fidelity(detected=detected, reference=retarget_pose(avatar=avatar, target=tg)))
    return max(scores)
