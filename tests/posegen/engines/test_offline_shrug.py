"""Raised arms lift the shoulders (the shoulder girdle rises with the arm), the arm with them; the torso and
head stay where the rigid torso has them (issue 14: raised arms looked pulled out of a flat shoulder line,
and the re-detected shoulders sat above the drawn ones)."""

from __future__ import annotations

import numpy as np
import pytest

from posegen.engines.offline import rig_avatar
from posegen.engines.offline.render import _part_transforms, pose_rig
from posegen.engines.offline.retarget import FACE, SEEN, SHRUG, SHRUG_IN, pelvis, retarget_pose, rotate
from posegen.engines.offline.rig import PART_INDEX, part_bones
from posegen.posekit.skeleton import make_pose, project_pose
from tests.paths import REPO

SKIER = REPO / "tests" / "fixtures" / "images" / "fullbody_skier_snow_coco785.jpg"


def _px(pose, w=600, h=900):
    kp = project_pose(pose=pose, width=w, height=h).keypoints.copy()
    kp[:, 0] *= w
    kp[:, 1] *= h
    return kp


AVATAR = _px(make_pose(angles={"shoulder.abduction": 20}))
ARMS_UP = _px(make_pose(angles={"shoulder.abduction": 180}))
ARMS_DOWN = _px(make_pose(angles={"shoulder.abduction": 10}))
R_ARM, L_ARM = (2, 3, 4), (5, 6, 7)


def _torso(kp):
    return float(np.hypot(*(kp[1, :2] - pelvis(kp))))


def test_arms_straight_up_lift_the_shoulders_up_and_in_with_the_whole_arm():
    flat = retarget_pose(avatar=AVATAR, target=ARMS_UP, shrug=False)
    out = retarget_pose(avatar=AVATAR, target=ARMS_UP)
    torso = _torso(flat)
    for arm, inward in ((R_ARM, +1.0), (L_ARM, -1.0)):  # the right shoulder is on the image left
        shift = out[list(arm), :2] - flat[list(arm), :2]
        # The same shift for shoulder, elbow and wrist: the arm keeps its bones and angles.
        assert np.allclose(shift, shift[0], atol=1e-9)
        assert shift[0, 1] == pytest.approx(-SHRUG * torso, rel=0.02)  # up (image y grows down)
        assert shift[0, 0] * inward == pytest.approx(SHRUG_IN * torso, rel=0.05)
    # COCO's neck is the shoulders' midpoint: it rises with both; the hips, the head and the legs do not move.
    assert out[1, 1] - flat[1, 1] == pytest.approx(-SHRUG * torso, rel=0.02)
    assert out[1, 0] == pytest.approx(flat[1, 0], abs=0.02 * torso)
    untouched = [0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]
    assert np.allclose(out[untouched, :2], flat[untouched, :2])


def test_one_arm_raised_lifts_its_own_shoulder_only_and_the_neck_stays():
    one = _px(make_pose(angles={"shoulder.abduction": 10, "l_shoulder.abduction": 180}))
    flat = retarget_pose(avatar=AVATAR, target=one, shrug=False)
    out = retarget_pose(avatar=AVATAR, target=one)
    assert out[5, 1] < flat[5, 1] - 0.5 * SHRUG * _torso(flat)
    assert np.allclose(out[[0, 1, 2, 3, 4], :2], flat[[0, 1, 2, 3, 4], :2])


def test_arms_below_the_horizontal_leave_the_shoulders_where_they_are():
    assert np.allclose(retarget_pose(avatar=AVATAR, target=ARMS_DOWN),
                       retarget_pose(avatar=AVATAR, target=ARMS_DOWN, shrug=False))


def test_the_torso_and_head_are_drawn_where_the_rigid_torso_has_them():
    avatar = rig_avatar(image=SKIER.read_bytes())
    rig = avatar.rig
    h, w = 768, 512
    target = project_pose(pose=make_pose(angles={"shoulder.abduction": 170}), width=w, height=h).keypoints.copy()
    target[:, 0] *= w
    target[:, 1] *= h
    posed = pose_rig(rig=rig, target=target)
    flat = retarget_pose(avatar=rig.keypoints, target=target, shrug=False)
    assert posed.keypoints[2, 1] < flat[2, 1] and posed.keypoints[5, 1] < flat[5, 1]
    # Pinned torso and head vertices sit exactly where the unshrugged rigid torso puts them.
    face = tuple(j for j in FACE if rig.keypoints[j, 2] > SEEN)
    rest = part_bones(keypoints=rig.keypoints, face=face)
    angles, anchors = _part_transforms(rest, part_bones(keypoints=flat, face=face))
    for name in ("torso", "head"):
        part = PART_INDEX[name]
        pins = rig.pins[rig.pin_part == part]
        want = anchors[part] + rotate(rig.vertices[pins] - rest[part, 0], angles[part])
        assert np.abs(posed.vertices[pins] - want).max() < 0.5  # pixels (ARAP meets its pins)
