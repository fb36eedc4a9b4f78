"""A tear the pose encloses in the drawn person (issue 14 items 4 and 7: the photo's background gap between
arm and body or under the chin, drawn by the mesh with the photo's transparent matte, closed into a white
notch when the arms are raised) is painted with the body around it; a gap the pose really opens (between
an arm held away and the waist, closed by a hand on the hip) stays open. Synthetic window."""

from __future__ import annotations

import cv2
import numpy as np

from posegen.engines.offline.layers import fill_tears

RED, BLUE = (200, 20, 20), (20, 20, 200)


def _window() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Premultiplied RGBA, coverage and drawn mask of a 200 x 200 window: a torso (red, x 40-119) and an
    arm (blue, x 120-149) opaque over y 20-179; nothing drawn around them."""
    warped = np.zeros((200, 200, 4), np.uint8)
    warped[20:180, 40:120] = (*RED, 255)
    warped[20:180, 120:150] = (*BLUE, 255)
    drawn = warped[:, :, 3] > 0
    return warped, drawn.astype(np.float32), drawn


def test_a_background_gap_between_the_torso_and_a_touching_arm_is_painted_with_the_body():
    warped, coverage, drawn = _window()
    # The photo's gap between arm and body: drawn (the mesh spans it) but transparent, 16 px across, with
    # a pale half-opaque rim (the matte's soft edge) 2 px wide.
    cv2.circle(warped, (120, 90), 10, (100, 100, 100, 160), -1)
    cv2.circle(warped, (120, 90), 8, (0, 0, 0, 0), -1)
    hole = np.zeros((200, 200), bool)
    hole[cv2.circle(np.zeros((200, 200), np.uint8), (120, 90), 8, 1, -1) > 0] = True
    rim = (cv2.circle(np.zeros((200, 200), np.uint8), (120, 90), 10, 1, -1) > 0) & ~hole
    before = warped.copy()
    fill_tears(warped, coverage, drawn, across=30.0, rim=3)
    assert (warped[hole | rim, 3] == 255).all()
    assert (coverage[hole | rim] == 1.0).all()
    # The colour continues the body's beside it: red on the torso's side, blue on the arm's, their blend
    # between; nothing grey (the rim's or a backdrop's: green as high as red and blue) is left.
    assert (warped[86:95, 112:116, 0] > 150).all() and (warped[86:95, 112:116, 2] < 70).all()
    assert (warped[86:95, 125:129, 2] > 150).all() and (warped[86:95, 125:129, 0] < 70).all()
    assert (warped[hole | rim, 1] < 40).all()
    # Nothing outside the hole and its rim changed.
    assert (warped[~(hole | rim)] == before[~(hole | rim)]).all()


def test_a_gap_between_an_arm_held_away_and_the_waist_stays_open():
    warped, coverage, drawn = _window()
    # Arm away from the waist, its hand on the hip: the space between (x 104-121, y 60-139) is enclosed by
    # torso, arm and hand. The mesh drew only the photo's soft matte beside each part (3 px, transparent);
    # the rest no triangle drew.
    warped[60:140, 104:122] = 0
    coverage[60:140, 104:122] = 0.0
    drawn[60:140, 104:122] = False
    for x in (104, 119):
        drawn[60:140, x:x + 3] = True
        coverage[60:140, x:x + 3] = 1.0
    before, cov_before = warped.copy(), coverage.copy()
    fill_tears(warped, coverage, drawn, across=60.0, rim=3)  # small enough: open because no triangle drew it
    assert (warped == before).all()
    assert (coverage == cov_before).all()


def test_a_drawn_hole_wider_than_the_limit_or_open_to_the_backdrop_stays():
    warped, coverage, drawn = _window()
    cv2.circle(warped, (80, 60), 18, (0, 0, 0, 0), -1)  # 37 px across, drawn: over the 30 px limit
    warped[160:180, 60:70] = 0  # a notch at the bottom, open to the backdrop below
    before = warped.copy()
    fill_tears(warped, coverage, drawn, across=30.0, rim=3)
    assert (warped == before).all()
    fill_tears(warped, coverage, drawn, across=40.0, rim=3)
    assert (warped[45:76, 65:96, 3] == 255).all()  # within a 40 px limit it is painted
    assert (warped[165:180, 61:69] == 0).all()


def test_a_gap_between_soft_hair_strands_stays_open():
    warped, coverage, drawn = _window()
    # Loose strands (matte 140 of 255) over x 60-99, y 100-139, with a drawn transparent gap among them.
    warped[100:140, 60:100] = (80, 60, 40, 140)
    cv2.circle(warped, (80, 120), 6, (0, 0, 0, 0), -1)
    before = warped.copy()
    fill_tears(warped, coverage, drawn, across=30.0, rim=3)
    assert (warped == before).all()
    warped[100:140, 60:100] = (*RED, 255)  # the same gap inside firm cloth is a tear
    cv2.circle(warped, (80, 120), 6, (0, 0, 0, 0), -1)
    fill_tears(warped, coverage, drawn, across=30.0, rim=3)
    assert (warped[114:127, 74:87, 3] == 255).all()
