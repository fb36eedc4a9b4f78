"""Arms that look like arms (issue 14 item 4, "no paper-strip arms"): a forearm across the body casts a soft
shadow on the body beside it and is shaded across its width as a cylinder (its centre lighter than its edge);
only a part drawn over another casts on it (a far arm behind the torso casts none); an arm's soft matte is
opaque inside its outline (a thin bare arm's matte let the dress through, a ghost arm). Synthetic maps."""

from __future__ import annotations

import numpy as np

from posegen.engines.offline.layers import firm_limbs
from posegen.engines.offline.parts import PART_INDEX, PARTS, TORSO
from posegen.engines.offline.shading import CYLINDER, Limb, arm_limbs, limb_shade, overlap_shade

H, W = 600, 400
R_UPPER, R_FORE = PART_INDEX["r_upper_arm"], PART_INDEX["r_forearm"]
L_UPPER, L_FORE = PART_INDEX["l_upper_arm"], PART_INDEX["l_forearm"]
RADIUS = 15.0


def _forearm_across_torso() -> np.ndarray:
    """A torso block (rows 100-400, x 100-300) under the shoulders (rows 60-100, x 40-300) and a right
    forearm lying across it (rows 200-230, x 45-340), its upper arm hanging from the shoulder at (60, 100)
    down to the elbow at the forearm's left end."""
    part = np.full((H, W), -1, np.int8)
    part[100:400, 100:300] = TORSO
    part[60:100, 40:300] = TORSO
    part[100:200, 45:76] = R_UPPER
    part[200:231, 45:341] = R_FORE
    return part


def _rank(*order: int) -> np.ndarray:
    rank = np.full(len(PARTS), -1, np.int64)
    rank[list(order)] = np.arange(len(order))
    return rank


def _shade(part: np.ndarray, rank: np.ndarray | None) -> np.ndarray:
    limbs = [Limb(parts=(R_UPPER, R_FORE), root=(60.0, 100.0), radius=RADIUS)]
    return overlap_shade(part, H, rank) * limb_shade(part, limbs)


def test_a_forearm_across_the_torso_darkens_the_torso_beside_it_and_is_lit_as_a_cylinder():
    part = _forearm_across_torso()
    shade = _shade(part, _rank(TORSO, R_UPPER, R_FORE))
    # The torso just below the forearm (the shadow falls down, away from the light) is clearly darker
    # than the torso far from any arm, which is untouched.
    assert shade[233, 150:250].max() < 0.85
    assert np.all(shade[300:400, 120:280] == 1.0)
    # The shadow is a soft band, fading with the distance from the arm.
    assert shade[233, 200] < shade[245, 200] < shade[270, 200] <= 1.0
    # Across the forearm: its centre line is lighter than its edges, and its edges darker by CYLINDER at most.
    centre, top, bottom = shade[215, 150:250], shade[200, 150:250], shade[230, 150:250]
    assert centre.min() > 0.97
    assert top.max() < centre.min() - 0.15 and bottom.max() < centre.min() - 0.15
    assert top.min() >= 1.0 - CYLINDER - 1e-6
    # Monotonic from the edge to the centre (a cylinder, not a dark outline stroked round a flat strip).
    column = shade[200:216, 200]
    assert np.all(np.diff(column) >= -1e-6)


def test_no_outline_where_the_arm_hangs_from_the_shoulder():
    part = _forearm_across_torso()
    shade = limb_shade(part, [Limb(parts=(R_UPPER, R_FORE), root=(60.0, 100.0), radius=RADIUS)])
    # The top of the upper arm joins the body at the shoulder: it is not an outline (no dark seam there).
    assert shade[101, 50:72].min() > 0.9
    # Its free side against the backdrop is one.
    assert shade[150, 45] < shade[150, 60] - 0.15


def test_a_far_arm_drawn_behind_the_torso_casts_no_shadow_on_it():
    part = _forearm_across_torso()
    behind = overlap_shade(part, H, _rank(R_UPPER, R_FORE, TORSO))
    assert np.all(behind[100:400, 100:300][part[100:400, 100:300] == TORSO] == 1.0)
    # Without an order the arms are over the body, as before.
    assert overlap_shade(part, H, None)[233, 200] < 0.85


def test_an_arm_over_the_other_arm_shadows_it_but_not_its_own_upper_arm():
    part = np.full((H, W), -1, np.int8)
    part[100:300, 200:240] = L_UPPER  # the left upper arm hanging
    part[180:210, 100:260] = R_FORE  # the right forearm across it, drawn over it
    part[100:180, 100:130] = R_UPPER  # its own upper arm, above the elbow
    shade = overlap_shade(part, H, _rank(TORSO, L_UPPER, R_UPPER, R_FORE))
    assert shade[213, 205:235].max() < 0.85  # the left arm just below the right forearm
    assert np.all(shade[100:180, 100:130] == 1.0)  # no shadow on its own upper arm at the elbow
    # Drawn the other way round (the left arm over the right forearm), the forearm casts nothing on it.
    under = overlap_shade(part, H, _rank(TORSO, R_UPPER, R_FORE, L_UPPER))
    assert np.all(under[210:300, 200:240] == 1.0)


def test_arm_limbs_hang_each_drawn_arm_from_its_shoulder():
    kp = np.zeros((18, 2))
    kp[2], kp[5] = (60.0, 100.0), (340.0, 100.0)
    radii = np.zeros(len(PARTS))
    radii[[R_UPPER, R_FORE, L_UPPER]] = (12.0, 9.0, 11.0)
    limbs = arm_limbs((TORSO, R_UPPER, R_FORE, L_UPPER), kp, radii)
    assert limbs == [Limb(parts=(R_UPPER, R_FORE), root=(60.0, 100.0), radius=12.0),
                     Limb(parts=(L_UPPER,), root=(340.0, 100.0), radius=11.0)]
    assert arm_limbs((TORSO,), kp, radii) == []


def test_an_arms_soft_matte_is_opaque_inside_its_outline_and_nothing_else_changes():
    part = np.full((60, 80), -1, np.int8)
    part[:, :] = TORSO
    part[20:40, 10:70] = R_FORE
    warped = np.zeros((60, 80, 4), np.uint8)
    warped[:, :] = (100, 50, 20, 255)  # the torso: opaque
    warped[20:40, 10:70] = (100, 80, 60, 128)  # the arm: a half matte (premultiplied skin 200, 160, 120)
    before = warped.copy()
    firm_limbs(warped, part, depth=6.0)
    # Deep inside the arm: opaque, its colour the matte's own (divided by the matte).
    assert np.all(warped[28:32, 20:60, 3] == 255)
    assert np.abs(warped[30, 40, :3].astype(int) - (199, 159, 120)).max() <= 1
    # Its outline keeps a soft edge, firmer than before but not opaque.
    assert 128 < warped[20, 40, 3] < 255
    # Rising towards the inside.
    assert np.all(np.diff(warped[20:27, 40, 3].astype(int)) >= 0)
    # The torso is untouched.
    assert np.array_equal(warped[:20], before[:20]) and np.array_equal(warped[40:], before[40:])
