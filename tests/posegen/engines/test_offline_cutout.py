"""The avatar cut-out (issue 14: shards at the boots): pieces of the matte apart from the person were
hung on the nearest foot and drawn as floating shards. Django-free: a synthetic photo and matte."""

from __future__ import annotations

import numpy as np
import pytest

from posegen.engines.offline.cutout import HEAD_REACH, _kept_zones, make_cutout
from posegen.imaging.segmentation import PersonMatte
from posegen.posekit.extract import PoseExtraction
from posegen.posekit.keypoints import COCO18_INDEX

H, W = 400, 300
PAVEMENT = (120, 115, 110)


def _photo_and_matte() -> tuple[np.ndarray, np.ndarray]:
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[:] = PAVEMENT
    alpha = np.zeros((H, W), np.float32)
    rgb[40:360, 120:180] = (40, 50, 90)  # the person: a dark column
    alpha[40:360, 120:180] = 1.0
    return rgb, alpha


@pytest.mark.parametrize("judge_colour", [False, True])
def test_pieces_apart_from_the_person_are_dropped(judge_colour):
    rgb, alpha = _photo_and_matte()
    rgb[370:385, 60:80] = 255  # a bright bloom on the pavement the segmenter kept, apart from the person
    alpha[370:385, 60:80] = 1.0
    rgb[16:40, 140:160] = (200, 170, 150)  # a hand-sized piece touching the person through a soft edge
    alpha[16:36, 140:160] = 1.0
    alpha[36:40, 140:160] = 0.3
    cut = make_cutout(image=rgb, matte=PersonMatte(alpha=alpha, keep="main", people_detected=1),
                      judge_colour=judge_colour)
    x0, y0, _, _ = cut.box
    a = cut.texture[:, :, 3]
    assert int(a[370 - y0:385 - y0, 60 - x0:80 - x0].max()) == 0
    assert (a[40 - y0:360 - y0, 120 - x0:180 - x0] == 255).all()
    assert (a[16 - y0:36 - y0, 140 - x0:160 - x0] == 255).all()


def test_unsure_pavement_beside_the_feet_is_not_made_opaque():
    """0585's pale shape between the boots: sunlit pavement the segmenter was unsure of (0.85) was given
    the blurred colour of the person and stretched to opaque. Judged by its own colour it goes."""
    rgb, alpha = _photo_and_matte()
    rgb[300:] = (230, 224, 212)  # sunlit pavement round the feet
    rgb[300:360, 120:180] = (40, 50, 90)
    alpha[320:380, 180:240] = 0.85
    cut = make_cutout(image=rgb, matte=PersonMatte(alpha=alpha, keep="main", people_detected=1), judge_colour=True)
    x0, y0, _, _ = cut.box
    a = cut.texture[:, :, 3]
    assert int(a[330 - y0:370 - y0, 195 - x0:235 - x0].max()) == 0
    assert (a[40 - y0:360 - y0, 120 - x0:180 - x0] == 255).all()
    # A person-coloured unsure piece in the same place stays, opaque, with its own colour.
    rgb[320:380, 180:240] = (45, 55, 100)
    cut = make_cutout(image=rgb, matte=PersonMatte(alpha=alpha, keep="main", people_detected=1), judge_colour=True)
    tex = cut.texture
    assert (tex[330 - y0:370 - y0, 195 - x0:235 - x0, 3] == 255).all()
    assert (tex[330 - y0:370 - y0, 195 - x0:235 - x0, :3] == (45, 55, 100)).all()


def _pose(points: dict[str, tuple[float, float]]) -> PoseExtraction:
    kp = np.zeros((18, 3))
    for name, (x, y) in points.items():
        kp[COCO18_INDEX[name]] = (x / W, y / H, 1.0)
    return PoseExtraction(keypoints=kp, image_width=W, image_height=H, people_detected=1,
                          landmarks33=np.zeros((33, 4)))


def test_the_kept_zone_covers_the_head_in_torso_lengths_and_not_the_hands():
    # Torso: neck (150, 100) to mid-hip (150, 300) = 200 px; head centre (nose, eyes) at (150, 60).
    pose = _pose({"neck": (150, 100), "r_hip": (130, 300), "l_hip": (170, 300), "r_wrist": (40, 380),
                  "nose": (150, 60), "r_eye": (140, 55), "l_eye": (160, 65)})
    zone = _kept_zones(pose, (H, W))
    assert zone[60, 150] == 1.0 and zone[60 + int(HEAD_REACH * 200) - 2, 150] == 1.0
    assert 0.0 < zone[60 + int(1.25 * HEAD_REACH * 200), 150] < 1.0
    assert zone[60 + int(1.5 * HEAD_REACH * 200) + 2, 150] == 0.0
    assert zone[380, 40] == 0.0  # the wrist: what is there is judged by its colour
    assert _kept_zones(None, (H, W)) is None


def test_pavement_coloured_unsure_matte_at_a_hand_goes_and_dark_hair_at_the_head_stays():
    rgb, alpha = _photo_and_matte()
    rgb[300:] = (230, 224, 212)
    rgb[300:360, 120:180] = (40, 50, 90)
    alpha[320:380, 180:240] = 0.85
    rgb[:40] = rgb[40:300, :120] = rgb[40:300, 180:] = (25, 25, 28)  # a dark arcade behind the person
    rgb[10:40, 125:175] = (45, 36, 32)  # dark hair the segmenter was unsure of
    alpha[10:40, 125:175] = 0.8
    pose = _pose({"neck": (150, 60), "r_hip": (135, 200), "l_hip": (165, 200), "r_wrist": (200, 330),
                  "nose": (150, 30)})
    cut = make_cutout(image=rgb, matte=PersonMatte(alpha=alpha, keep="main", people_detected=1, pose=pose),
                      judge_colour=True)
    x0, y0, _, _ = cut.box
    assert int(cut.texture[330 - y0:370 - y0, 195 - x0:235 - x0, 3].max()) == 0
    assert (cut.texture[12 - y0:38 - y0, 128 - x0:172 - x0, 3] == 255).all()
    # More than twice the decontamination width (4 px) from clear background: its own colour.
    assert (cut.texture[20 - y0:38 - y0, 136 - x0:164 - x0, :3] == (45, 36, 32)).all()
    # Without the pose the hair is the arcade's colour and goes.
    cut = make_cutout(image=rgb, matte=PersonMatte(alpha=alpha, keep="main", people_detected=1), judge_colour=True)
    x0, y0, _, _ = cut.box
    assert int(cut.texture[20 - y0:30 - y0, 135 - x0:165 - x0, 3].max()) == 0


def test_an_opaque_piece_the_matte_was_nowhere_sure_of_goes_with_its_faint_edge():
    """0001's passer-by: unsure matte of a colour the scene round it does not show (so judged not to be
    background), joined to the person only through a faint edge. Opaque once stretched, it was drawn as a
    shard beside the coat."""
    rgb, alpha = _photo_and_matte()
    rgb[150:230, 200:250] = (200, 40, 40)
    alpha[150:230, 200:250] = 0.85
    alpha[180:200, 180:200] = 0.15  # the faint bridge to the person's edge at x = 180
    cut = make_cutout(image=rgb, matte=PersonMatte(alpha=alpha, keep="main", people_detected=1), judge_colour=True)
    x0, y0, _, _ = cut.box
    a = cut.texture[:, :, 3]
    assert int(a[150 - y0:230 - y0, 200 - x0:250 - x0].max()) == 0
    assert int(a[180 - y0:200 - y0, 192 - x0:200 - x0].max()) == 0
    assert (a[40 - y0:360 - y0, 120 - x0:180 - x0] == 255).all()
    # The same piece with a few sure pixels (a hand the segmenter saw) stays.
    alpha[180:200, 210:230] = 1.0  # 400 px, 10 % of the piece
    cut = make_cutout(image=rgb, matte=PersonMatte(alpha=alpha, keep="main", people_detected=1), judge_colour=True)
    assert (cut.texture[155 - y0:225 - y0, 205 - x0:245 - x0, 3] == 255).all()


def test_the_scene_between_the_legs_is_not_part_of_the_cut_out():
    """H36M S1: carpet between her thighs inside the matte at alpha ~1 was carried with the legs in every pose
    (posegen.imaging.segmentation_gap). The legs and the torso stay opaque."""
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[:] = (110, 40, 30)  # carpet
    rgb[40:180, 95:205] = (40, 50, 90)
    rgb[180:380, 100:130] = rgb[180:380, 170:200] = (215, 170, 140)
    alpha = np.zeros((H, W), np.float32)
    alpha[40:180, 95:205] = 1.0
    alpha[180:380, 100:200] = 1.0  # the matte fills the gap between the legs
    pose = _pose({"neck": (150, 40), "r_hip": (115, 180), "r_knee": (115, 280), "r_ankle": (115, 375),
                  "l_hip": (185, 180), "l_knee": (185, 280), "l_ankle": (185, 375)})
    cut = make_cutout(image=rgb, matte=PersonMatte(alpha=alpha, keep="main", people_detected=1, pose=pose))
    x0, y0, _, _ = cut.box
    a = cut.texture[:, :, 3]
    assert int(a[190 - y0:370 - y0, 137 - x0:163 - x0].max()) == 0
    assert (a[185 - y0:375 - y0, 102 - x0:128 - x0] == 255).all()
    assert (a[185 - y0:375 - y0, 172 - x0:198 - x0] == 255).all()
    assert (a[45 - y0:175 - y0, 100 - x0:200 - x0] == 255).all()
    # Without a pose nothing is judged: the gap stays as the matte has it.
    cut = make_cutout(image=rgb, matte=PersonMatte(alpha=alpha, keep="main", people_detected=1))
    x0, y0, _, _ = cut.box
    assert (cut.texture[190 - y0:370 - y0, 137 - x0:163 - x0, 3] == 255).all()
