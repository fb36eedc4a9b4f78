"""Light on the posed person (issue 14 items 4-5): the contact shadow sits under each shoe's own sole, not a
bar below the figure, and only an arm over the body casts a soft shadow on it (the cloth's hem casts none on
the legs: its part border runs through the skin under the hem and drew seams at the knees). Synthetic maps."""

from __future__ import annotations

import numpy as np

from posegen.engines.offline.parts import ARMS, GARMENT, LEGS, PART_INDEX, TORSO
from posegen.engines.offline.shading import contact_shadow, overlap_shade

H, W = 600, 400  # canvas
GREY = 200
R_SHIN, L_SHIN = PART_INDEX["r_shin"], PART_INDEX["l_shin"]


def _figure(left_bottom: int = 500, right_bottom: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """A window the size of the canvas: a torso block and two shins ending in shoes (x 120-160 and 240-280)."""
    part = np.full((H, W), -1, np.int8)
    part[100:300, 110:290] = TORSO
    part[300:right_bottom + 1, 120:161] = R_SHIN
    part[300:left_bottom + 1, 240:281] = L_SHIN
    return part, (part >= 0).astype(np.float32)


def _shadowed(part: np.ndarray, coverage: np.ndarray) -> np.ndarray:
    canvas = np.full((H, W, 3), GREY, np.uint8)
    contact_shadow(canvas=canvas, part=part, coverage=coverage, x0=0, y0=0)
    return GREY - canvas[:, :, 0].astype(np.float32)  # darkening


def test_the_contact_shadow_is_under_each_sole_and_nowhere_above_the_feet():
    dark = _shadowed(*_figure())
    # Right under each sole (just below its last row, inside its width) the floor is clearly darker...
    assert dark[503, 125:155].min() > 40 and dark[503, 245:275].min() > 40
    # ...than beside the feet and far in front of them (a shadow following the shoes, not a bar).
    assert dark[503, 125:155].mean() > 2.5 * dark[503, 10:40].mean()
    assert dark[530:, :].max() < 0.5 * dark[503, 125:155].mean()
    # Nothing above the soles' band is touched (the shoes and legs are drawn over the floor there).
    assert dark[:470].max() == 0


def test_a_foot_farther_back_has_its_shadow_at_its_own_sole_and_a_lifted_one_a_fainter_one():
    # The left foot ends 20 px higher (within the grounded band: it stands farther back).
    dark = _shadowed(*_figure(left_bottom=480))
    assert dark[483, 245:275].min() > 40
    # Lifted well off the floor (120 px): a faint shadow, much lighter than the grounded foot's.
    dark = _shadowed(*_figure(left_bottom=380))
    assert dark[380:520, 240:281].max() < 0.6 * dark[490:520, 120:161].max()
    assert dark[380:520, 240:281].max() > 0


def test_without_visible_feet_the_lowest_rows_of_the_figure_stand_on_the_floor():
    part = np.full((H, W), -1, np.int8)
    part[200:450, 100:300] = GARMENT  # a long dress over the shoes; no shin drawn
    dark = _shadowed(part, (part >= 0).astype(np.float32))
    assert dark[453, 110:290].min() > 30
    assert dark[:420].max() == 0


def test_only_an_arm_over_the_body_casts_a_shadow_the_hem_casts_none_on_the_legs():
    part = np.full((H, W), -1, np.int8)
    part[100:300, 100:300] = TORSO
    part[150:250, 180:200] = ARMS[1]  # a forearm lying on the torso
    part[300:400, 100:300] = GARMENT
    part[400:550, 100:200] = LEGS[1]  # a shin below the hem
    part[400:550, 200:300] = LEGS[3]
    shade = overlap_shade(part, H)
    assert shade[200, 203] < 0.92  # the torso just beside the forearm
    assert shade[200, 150] == 1.0  # far from it
    assert np.all(shade[400:550] == 1.0)  # the legs under the hem: no seam-shaped band
    assert np.all(shade[150:250, 180:200] == 1.0)  # the arm itself is not shaded
