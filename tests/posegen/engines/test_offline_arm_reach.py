"""How far an arm of the offline engine's rig reaches (Django-free, synthetic figures, no photos): an arm
hanging against a dress, its hand hidden behind the skirt, takes none of the dress with it, so the dress
stays one piece when the arm is raised; a bright strip of background the matte kept between a sleeve and
the skirt is not the arm's."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from posegen.engines.offline.engine import AvatarRig, repose, warp_photo_labels
from posegen.engines.offline.parts import ARMS, limb_sides
from posegen.engines.offline.retarget import rotate
from posegen.engines.offline.rig import GARMENT, build_rig
from tests.posegen.engines.face_sampling import similarity_residual

TW, TH = 300, 620
W, H = 512, 768
SKIN, RED, NAVY, WHITE = (222, 182, 150), (180, 30, 40), (30, 40, 90), (250, 250, 245)
DRESS = np.array([[104, 280], [196, 280], [226, 470], [74, 470]], np.int32)


def _keypoints() -> np.ndarray:
    kp = np.zeros((18, 3))
    # The right arm hangs straight down against the dress; its wrist is at the dress's edge.
    points = {0: (150, 64), 1: (150, 122), 2: (110, 126), 3: (100, 205), 4: (98, 282), 5: (190, 126),
              6: (225, 205), 7: (240, 285), 8: (130, 290), 9: (135, 440), 10: (135, 580), 11: (170, 290),
              12: (165, 440), 13: (165, 580), 14: (140, 54), 15: (160, 54), 16: (126, 60), 17: (174, 60)}
    for j, (x, y) in points.items():
        kp[j] = (x, y, 0.95)
    return kp


def _limb(img: np.ndarray, a, b, width: int, colour) -> None:
    cv2.line(img, tuple(map(int, a)), tuple(map(int, b)), colour, width, cv2.LINE_AA)


def _figure() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An RGBA cut-out in a red dress, its keypoints and a label map (1 = the dress, 2 = the arms)."""
    kp = _keypoints()
    rgb = np.zeros((TH, TW, 3), np.uint8)
    labels = np.zeros((TH, TW), np.uint8)
    rng = np.random.default_rng(0)
    for hip, knee, ankle in ((8, 9, 10), (11, 12, 13)):
        _limb(rgb, kp[hip, :2], kp[knee, :2], 22, SKIN)
        _limb(rgb, kp[knee, :2], kp[ankle, :2] + (0, 8), 20, SKIN)
    for sh, el, wr in ((2, 3, 4), (5, 6, 7)):
        _limb(rgb, kp[sh, :2], kp[el, :2], 24, SKIN)
        _limb(rgb, kp[el, :2], kp[wr, :2], 20, SKIN)
        _limb(labels, kp[sh, :2], kp[el, :2], 24, 2)
        _limb(labels, kp[el, :2], kp[wr, :2], 20, 2)
    # The bodice and the skirt over the arm's inner edge and the hand (hidden behind the skirt).
    cv2.rectangle(rgb, (104, 116), (196, 300), RED, -1)
    cv2.fillConvexPoly(rgb, DRESS, RED)
    cv2.fillConvexPoly(labels, DRESS, 1)
    cv2.rectangle(rgb, (138, 90), (162, 120), SKIN, -1)
    cv2.circle(rgb, (150, 62), 38, SKIN, -1)
    face = rgb[40:95, 125:175].astype(np.int16) + rng.integers(-40, 40, (55, 50, 3))
    rgb[40:95, 125:175] = np.clip(face, 0, 255).astype(np.uint8)
    alpha = (rgb.sum(axis=2) > 0).astype(np.uint8) * 255
    return np.dstack([rgb, alpha]), kp, labels


def _pieces(mask: np.ndarray) -> int:
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return int((stats[1:, cv2.CC_STAT_AREA] >= 0.01 * max(mask.sum(), 1)).sum())


@pytest.fixture(scope="module")
def figure():
    from types import SimpleNamespace

    texture, kp, labels = _figure()
    rig = build_rig(texture=texture, keypoints=kp)
    cutout = SimpleNamespace(texture=texture, keypoints=kp, box=(0, 0, TW, TH), warnings=[])
    return AvatarRig(cutout=cutout, rig=rig), labels


def test_an_arm_hanging_against_the_dress_takes_none_of_it(figure):
    avatar, labels = figure
    rig = avatar.rig
    assert rig.garment is not None and rig.present[GARMENT]
    h, w = rig.labels.shape
    dress = cv2.resize(labels, (w, h), interpolation=cv2.INTER_NEAREST) == 1
    # The dress's edge shared with the arm in the resampled labels aside (one label pixel), no more than
    # a speck of the dress is any arm's (a tube of the measured radius took 154 pixels of it).
    inner = cv2.erode(dress.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    arms = np.isin(rig.labels, ARMS)
    assert (arms & inner).sum() <= 8
    # ... and the arm is still the arm: its pixels down to the wrist are the right arm's.
    arm = cv2.resize(labels, (w, h), interpolation=cv2.INTER_NEAREST) == 2
    assert (arms & arm).sum() > 0.9 * arm.sum()


def test_the_dress_stays_one_piece_when_that_arm_is_raised(figure):
    avatar, labels = figure
    target = avatar.rig.keypoints.copy()
    root = target[2, :2]
    for j in (3, 4):  # the right arm out and up, 120 degrees about the shoulder
        target[j, :2] = root + rotate(target[j, :2] - root, np.radians(120.0))
    target[:, 0] = (target[:, 0] + 100) / W
    target[:, 1] = (target[:, 1] + 60) / H
    rendered, _ = repose(avatar=avatar, target=target, width=W, height=H)
    warped = warp_photo_labels(avatar=avatar, rendered=rendered, labels=labels) == 1
    assert _pieces(warped) == 1
    kp = rendered.keypoints
    scale = np.hypot(*(kp[1, :2] - (kp[8, :2] + kp[11, :2]) / 2)) / 168.0  # the torso was 168 px in the photo
    assert 0.85 <= warped.sum() / ((labels == 1).sum() * scale**2) <= 1.2


def test_a_bright_strip_beside_a_sleeve_is_not_the_arm():
    # A navy sleeve 24 px wide on a vertical bone at x 50; on its right a 6 px white strip of background
    # the matte kept, then the red skirt; on its left the background.
    rgb = np.zeros((100, 120, 3), np.uint8)
    rgb[:, 38:62] = NAVY
    rgb[:, 62:68] = WHITE
    rgb[:, 68:110] = RED
    mask = rgb.sum(axis=2) > 0
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    a, b = np.array([50.0, 10.0]), np.array([50.0, 90.0])
    # Bone downwards: "left" of a->b (the normal (-dy, dx)) is towards -x.
    left, right = limb_sides(lab=lab, mask=mask, a=a, b=b, radius=20.0, least=6.0)
    assert right == pytest.approx(12.0, abs=1.0)  # the sleeve's edge, not the strip's or the skirt's
    # Towards the background the silhouette ends the tube anyway (its soft rim is not a step).
    assert left == 20.0
    # A sleeve that is the skirt's colour cannot be told from it: the measured radius stands on that side.
    rgb[:, 62:110] = NAVY
    same = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    assert limb_sides(lab=same, mask=rgb.sum(axis=2) > 0, a=a, b=b, radius=20.0, least=6.0) == (20.0, 20.0)
    # Never thinner than ``least``: a step right beside the bone is a print on the sleeve.
    rgb[:, 53:110] = RED
    printed = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    assert limb_sides(lab=printed, mask=rgb.sum(axis=2) > 0, a=a, b=b, radius=20.0, least=6.0)[1] == 6.0


def test_hair_lying_on_a_shoulder_stays_joined_to_the_sleeve_there():
    # Long hair falls from the head onto the left shoulder (the head's part); the sleeve below it is the
    # upper arm's. Cut along that seam, moving the arm opened a hole between them: the background
    # showing through as a crescent beside the head. Near the shoulder joint the mesh stays one sheet.
    from posegen.engines.offline.parts import PART_INDEX

    texture, kp, _ = _figure()
    rgb = np.ascontiguousarray(texture[:, :, :3])
    cv2.fillConvexPoly(rgb, np.array([[160, 40], [196, 60], [204, 121], [166, 121]], np.int32), (70, 45, 30))
    alpha = (rgb.sum(axis=2) > 0).astype(np.uint8) * 255
    texture = np.dstack([rgb, alpha])
    rig = build_rig(texture=texture, keypoints=kp)
    tri = rig.triangle_part
    head = np.unique(rig.triangles[tri == PART_INDEX["head"]])
    arm = np.unique(rig.triangles[tri == PART_INDEX["l_upper_arm"]])
    shared = np.intersect1d(head, arm)
    assert len(shared) >= 2
    # Only near the shoulder: the head's and the arm's tube radii, 1.6 times over.
    reach = 1.6 * max(rig.radii[PART_INDEX["l_upper_arm"]], 0.07 * rig.torso_length)
    assert np.hypot(*(rig.vertices[shared] - kp[5, :2]).T).max() <= reach + 1.0
    # The hair joined to the sleeve does not pull the face out of shape when the arm is raised: the face
    # is still moved by a similarity (texture pixels of departure from the best one).
    from types import SimpleNamespace

    avatar = AvatarRig(cutout=SimpleNamespace(texture=texture, keypoints=kp, box=(0, 0, TW, TH), warnings=[]),
                       rig=rig)
    target = kp.copy()
    for j in (6, 7):
        target[j, :2] = kp[5, :2] + rotate(kp[j, :2] - kp[5, :2], np.radians(-120.0))
    target[:, 0] = (target[:, 0] + 100) / W
    target[:, 1] = (target[:, 1] + 60) / H
    rendered, _ = repose(avatar=avatar, target=target, width=W, height=H)
    assert rendered.masks["face"].sum() > 0.9 * rendered.source_areas["face"]
    assert similarity_residual(rendered) < 0.6
