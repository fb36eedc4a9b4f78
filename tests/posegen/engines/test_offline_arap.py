"""ARAP deformation, retargeting and rigging of the offline engine (Django-free, synthetic data)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import Delaunay

from posegen.engines.offline.arap import arap_prepare, mesh_edges
from posegen.engines.offline.retarget import facing_sign, mirror_labels, retarget_pose
from posegen.posekit.skeleton import Camera, make_pose, project_pose


def _grid(nx: int = 8, ny: int = 24) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = np.meshgrid(np.arange(nx, dtype=float), np.arange(ny, dtype=float))
    v = np.c_[xs.ravel(), ys.ravel()] * 5.0
    return v, Delaunay(v).simplices


def _rotation(angle: float) -> np.ndarray:
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


def test_mesh_edges_finds_both_opposite_vertices():
    edges, opposite = mesh_edges(triangles=np.array([[0, 1, 2], [1, 3, 2]]))
    shared = np.flatnonzero((edges == [1, 2]).all(axis=1))[0]
    assert sorted(opposite[shared]) == [0, 3]
    assert len(edges) == 5 and (opposite[:, 1] == -1).sum() == 4


def test_identity_when_pins_unchanged():
    v, t = _grid()
    pins = np.array([0, 7, len(v) - 8, len(v) - 1])
    out = arap_prepare(vertices=v, triangles=t, pins=pins).solve(targets=v[pins])
    assert np.abs(out - v).max() < 1e-6


@pytest.mark.parametrize("angle", [0.3, 1.2, -2.5])
def test_rigid_motion_of_pins_gives_rigid_result(angle):
    v, t = _grid()
    pins = np.array([0, 7, 100, len(v) - 1])
    rot = _rotation(angle)
    moved = v @ rot.T + [40.0, -13.0]
    out = arap_prepare(vertices=v, triangles=t, pins=pins).solve(targets=moved[pins])
    assert np.abs(out - moved).max() < 1e-4


def test_pins_honoured_and_bending_keeps_edge_lengths():
    v, t = _grid()
    top = np.flatnonzero(v[:, 1] == 0)[[0, -1]]
    bottom = np.flatnonzero(v[:, 1] == v[:, 1].max())[[0, -1]]
    pins = np.r_[top, bottom]
    # Bend: the bottom pins swing 60 degrees about the grid's middle (lengths kept).
    centre = np.array([17.5, 57.5])
    swung = (v[bottom] - centre) @ _rotation(np.radians(60)).T + centre
    targets = np.vstack([v[top], swung])
    solver = arap_prepare(vertices=v, triangles=t, pins=pins)
    out = solver.solve(targets=targets)
    assert np.abs(out[pins] - targets).max() < 0.05
    edges = solver.edges
    rest = np.hypot(*(v[edges[:, 1]] - v[edges[:, 0]]).T)
    bent = np.hypot(*(out[edges[:, 1]] - out[edges[:, 0]]).T)
    # The scale-adjustment step keeps edges near their length (similarity alone would shrink them).
    assert np.median(np.abs(bent / rest - 1.0)) < 0.08
    # No triangle flips.
    a, b, c = (out[t[:, k]] for k in range(3))
    area = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    a0, b0, c0 = (v[t[:, k]] for k in range(3))
    area0 = (b0[:, 0] - a0[:, 0]) * (c0[:, 1] - a0[:, 1]) - (b0[:, 1] - a0[:, 1]) * (c0[:, 0] - a0[:, 0])
    assert (np.sign(area) == np.sign(area0)).all()


def _px(pose, w=600, h=900):
    kp = project_pose(pose=pose, width=w, height=h).keypoints.copy()
    kp[:, 0] *= w
    kp[:, 1] *= h
    return kp


BONES = ((1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (9, 10), (11, 12), (12, 13), (8, 11))


def test_retarget_keeps_avatar_lengths_and_takes_target_angles():
    avatar = _px(make_pose(angles={"shoulder.abduction": 20}))
    avatar[:, :2] *= 1.7  # a bigger photo
    avatar[[3, 4], 0] -= 15  # different proportions: a longer right arm
    target = _px(make_pose(angles={"shoulder.abduction": 150, "l_hip.flexion": 60, "l_knee.flexion": 80}))
    # Without the shoulders' shrug (tests/posegen/engines/test_offline_shrug.py), every bone keeps its length.
    out = retarget_pose(avatar=avatar, target=target, shrug=False)
    for a, b in BONES:
        assert np.hypot(*(out[b, :2] - out[a, :2])) == pytest.approx(np.hypot(*(avatar[b, :2] - avatar[a, :2])),
                                                                      rel=1e-6)
    for a, b in ((2, 3), (3, 4), (5, 6), (6, 7), (11, 12), (12, 13), (8, 9)):
        want = np.arctan2(*(target[b, :2] - target[a, :2])[::-1])
        got = np.arctan2(*(out[b, :2] - out[a, :2])[::-1])
        assert abs((got - want + np.pi) % (2 * np.pi) - np.pi) < 1e-6


def test_facing_and_mirror():
    front = _px(make_pose())
    back = _px(make_pose(camera=Camera(yaw=180)))
    assert facing_sign(front) > 0.2 and facing_sign(back) < -0.2
    assert facing_sign(mirror_labels(back)) > 0.2
