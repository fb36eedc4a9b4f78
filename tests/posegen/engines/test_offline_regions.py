"""One-piece regions of the offline engine's rig on synthetic figures (Django-free, no photos):
a dress that bridges the legs stays one piece when the legs spread, a bag in the hand turns rigidly
with it, and the face is moved by a similarity only, even with a hand touching it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from posegen.engines.offline.engine import AvatarRig, avatar_traits, repose, warp_photo_labels
from posegen.engines.offline.retarget import rotate
from posegen.engines.offline.rig import GARMENT, PART_INDEX, build_rig
from tests.posegen.engines.face_sampling import similarity_residual

TW, TH = 300, 620
W, H = 512, 768
SKIN, RED, BLUE, BROWN = (222, 182, 150), (180, 30, 40), (40, 60, 170), (120, 80, 40)


def _keypoints(*, hand_at_face: bool = False) -> np.ndarray:
    kp = np.zeros((18, 3))
    points = {0: (150, 64), 1: (150, 122), 2: (110, 126), 3: (75, 205), 4: (60, 285), 5: (190, 126),
              6: (225, 205), 7: (240, 285), 8: (130, 290), 9: (135, 440), 10: (135, 580), 11: (170, 290),
              12: (165, 440), 13: (165, 580), 14: (140, 54), 15: (160, 54), 16: (126, 60), 17: (174, 60)}
    if hand_at_face:  # the left forearm bent up, the hand resting on the cheek
        points.update({6: (232, 180), 7: (178, 86)})
    for j, (x, y) in points.items():
        kp[j] = (x, y, 0.95)
    return kp


def _limb(img: np.ndarray, a, b, width: int, colour) -> None:
    cv2.line(img, tuple(map(int, a)), tuple(map(int, b)), colour, width, cv2.LINE_AA)


def _figure(*, dress: bool = False, bag: bool = False, hand_at_face: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """An RGBA cut-out of a standing figure and its COCO-18 keypoints (texture pixels)."""
    kp = _keypoints(hand_at_face=hand_at_face)
    rgb = np.zeros((TH, TW, 3), np.uint8)
    rng = np.random.default_rng(0)
    # Legs first (the dress covers their tops), then torso, arms, head with a face that has detail.
    for hip, knee, ankle in ((8, 9, 10), (11, 12, 13)):
        _limb(rgb, kp[hip, :2], kp[knee, :2], 22, SKIN if dress else BLUE)
        _limb(rgb, kp[knee, :2], kp[ankle, :2] + (0, 8), 20, SKIN if dress else BLUE)
    cv2.rectangle(rgb, (104, 116), (196, 300), RED, -1)
    if dress:
        cv2.fillConvexPoly(rgb, np.array([[104, 280], [196, 280], [222, 432], [78, 432]], np.int32), RED)
    for sh, el, wr in ((2, 3, 4), (5, 6, 7)):
        _limb(rgb, kp[sh, :2], kp[el, :2], 24, SKIN)
        _limb(rgb, kp[el, :2], kp[wr, :2], 20, SKIN)
    if bag:
        cv2.rectangle(rgb, (30, 286), (72, 362), BROWN, -1)
        _limb(rgb, (58, 284), (40, 290), 4, BROWN)
    cv2.rectangle(rgb, (138, 90), (162, 120), SKIN, -1)  # the neck
    cv2.circle(rgb, (150, 62), 38, SKIN, -1)
    face = rgb[40:95, 125:175].astype(np.int16) + rng.integers(-40, 40, (55, 50, 3))
    rgb[40:95, 125:175] = np.clip(face, 0, 255).astype(np.uint8)
    cv2.circle(rgb, (140, 54), 4, (20, 20, 20), -1)
    cv2.circle(rgb, (160, 54), 4, (20, 20, 20), -1)
    if hand_at_face:
        _limb(rgb, kp[6, :2], kp[7, :2], 20, SKIN)
    alpha = (rgb.sum(axis=2) > 0).astype(np.uint8) * 255
    return np.dstack([rgb, alpha]), kp


def _avatar(texture: np.ndarray, kp: np.ndarray) -> AvatarRig:
    from types import SimpleNamespace

    rig = build_rig(texture=texture, keypoints=kp)
    cutout = SimpleNamespace(texture=texture, keypoints=kp, box=(0, 0, TW, TH), warnings=[])
    return AvatarRig(cutout=cutout, rig=rig)


def _target(kp: np.ndarray, turns: dict[tuple[int, ...], float]) -> np.ndarray:
    """``kp`` with each chain (root, joints...) turned about its root by degrees, normalised to W x H."""
    out = kp.copy()
    for chain, degrees in turns.items():
        root = out[chain[0], :2]
        for j in chain[1:]:
            out[j, :2] = root + rotate(out[j, :2] - root, np.radians(degrees))
    out[:, 0] = (out[:, 0] + 100) / W
    out[:, 1] = (out[:, 1] + 60) / H
    return out


def _pieces(mask: np.ndarray) -> int:
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return int((stats[1:, cv2.CC_STAT_AREA] >= 0.01 * max(mask.sum(), 1)).sum())


@pytest.fixture(scope="module")
def dressed() -> AvatarRig:
    return _avatar(*_figure(dress=True))


def test_a_dress_bridging_the_legs_is_one_garment_part(dressed):
    rig = dressed.rig
    assert rig.garment is not None and rig.present[GARMENT]
    # The hem (y 432 on legs from y 290 to 580) is about half way down the legs.
    assert 0.4 < rig.garment.hem_ratio < 0.58
    traits = avatar_traits(dressed)
    assert traits["garment"] == "dress" and traits["standing"] is True and traits["carried_hand"] is None
    assert traits["max_leg_spread_deg"] > 10
    # No triangle of a thigh or shin lies inside the dress: the cloth is never cut along the legs.
    centres = rig.vertices[rig.triangles].mean(axis=1)
    inside = (centres[:, 1] > 300) & (centres[:, 1] < 420) & (np.abs(centres[:, 0] - 150) < 40)
    legs = np.isin(rig.triangle_part, [PART_INDEX[n] for n in ("r_thigh", "l_thigh", "r_shin", "l_shin")])
    assert inside.sum() > 20 and not (inside & legs).any()
    # Below the hem the legs are legs.
    assert (rig.triangle_part == PART_INDEX["r_shin"]).sum() > 5


def test_the_dress_stays_one_piece_when_the_legs_spread(dressed):
    spread = min(avatar_traits(dressed)["max_leg_spread_deg"], 24.0) / 2.0
    target = _target(dressed.rig.keypoints, {(8, 9, 10): spread, (11, 12, 13): -spread})
    rendered, _ = repose(avatar=dressed, target=target, width=W, height=H)
    garment = rendered.masks["garment"]
    assert _pieces(garment) == 1
    assert 0.85 <= garment.sum() / rendered.source_areas["garment"] <= 1.2
    # The legs really moved apart: the ankles are further apart than in the photo (scaled).
    kp = rendered.keypoints
    assert abs(kp[10, 0] - kp[13, 0]) > 1.5 * 30 * (kp[1, 1] - kp[8, 1]) / (122 - 290)
    # The same deformation moves any label map over the photo: the dress's own pixels land on the
    # garment mask.
    labels = np.zeros((TH, TW), np.uint8)
    cv2.fillConvexPoly(labels, np.array([[104, 300], [196, 300], [222, 432], [78, 432]], np.int32), 7)
    warped = warp_photo_labels(avatar=dressed, rendered=rendered, labels=labels) == 7
    assert _pieces(warped) == 1
    assert (warped & garment).sum() > 0.9 * warped.sum()


def test_a_bag_in_the_hand_turns_rigidly_with_it():
    avatar = _avatar(*_figure(bag=True))
    assert avatar_traits(avatar)["carried_hand"] == "right"
    # The right arm swings forward and out by 50 degrees, the left one the other way.
    target = _target(avatar.rig.keypoints, {(2, 3, 4): 50.0, (5, 6, 7): -30.0})
    rendered, _ = repose(avatar=avatar, target=target, width=W, height=H)
    bag = rendered.masks["carried"]
    assert _pieces(bag) == 1
    ratio = bag.sum() / rendered.source_areas["carried"]
    assert 0.9 <= ratio <= 1.1
    # Rigid: the bag's principal axes keep their lengths (a stretched bag would not).
    source = (avatar.rig.regions == 2)
    scale = np.sqrt(rendered.source_areas["carried"] / source.sum())

    def axes(mask: np.ndarray) -> np.ndarray:
        ys, xs = np.nonzero(mask)
        return np.sqrt(np.linalg.eigvalsh(np.cov(np.stack([xs, ys]).astype(float))))

    assert np.allclose(axes(bag), axes(source) * scale, rtol=0.1)
    # And it is still at the hand.
    ys, xs = np.nonzero(bag)
    wrist = rendered.keypoints[4, :2]
    torso = np.hypot(*(rendered.keypoints[1, :2] - (rendered.keypoints[8, :2] + rendered.keypoints[11, :2]) / 2))
    assert np.hypot(xs - wrist[0], ys - wrist[1]).min() < 0.15 * torso


def test_the_face_is_moved_rigidly_and_kept_whole_when_a_hand_leaves_it():
    avatar = _avatar(*_figure(hand_at_face=True))
    face_src = avatar.rig.regions == 3
    assert face_src.sum() > 100
    # The hand lay on the cheek; it drops to the side and the head tilts.
    kp = avatar.rig.keypoints.copy()
    kp[6, :2], kp[7, :2] = (225, 205), (240, 285)
    target = _target(kp, {(1, 0, 14, 15, 16, 17): 15.0})
    rendered, _ = repose(avatar=avatar, target=target, width=W, height=H)
    face = rendered.masks["face"]
    assert _pieces(face) == 1
    assert 0.95 <= face.sum() / rendered.source_areas["face"] <= 1.05
    assert similarity_residual(rendered) < 0.6
