"""The cloth beside and below a hand hanging against a skirt (garment.cloth_beside_arms; Django-free,
synthetic label-scale arrays). Past the wrist a forearm's tube holds the hand: for a hand that holds
nothing, what is nearer the skirt's colour than the skin there is the skirt's, even when the sleeve is the
skirt's colour (a black jacket over black tulle); for a hand that may hold something it stays the arm's
(a clutch the skirt's colour would be torn off the hand)."""

from __future__ import annotations

import numpy as np

from posegen.engines.offline.garment import cloth_beside_arms
from posegen.engines.offline.parts import PARTS
from posegen.engines.offline.rig import _free_hands

H, W = 200, 200
FOREARM = 3
BLACK, SLEEVE, SKIN = (24.0, 128.0, 128.0), (30.0, 128.0, 127.0), (175.0, 142.0, 145.0)
WRIST, FINGERTIPS = 100, 119


def _scene() -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """(lab, garment, tube labels, arms): a forearm from (50, 40) to the wrist at (50, 100) in a black
    sleeve, the bare hand below it down to the fingertips, a black skirt from x 52 rightwards and flaring
    under the hand; the tube (radius 10, reaching 0.45 of the bone past the wrist) covers the skirt beside
    and below the hand."""
    a, b, radius = np.array([50.0, 40.0]), np.array([50.0, float(WRIST)]), 10.0
    lab = np.zeros((H, W, 3), np.float32)
    lab[95:, 52:] = BLACK
    lab[FINGERTIPS:, 20:52] = BLACK
    lab[40:WRIST, 40:61] = SLEEVE
    lab[WRIST:FINGERTIPS, 44:57] = SKIN
    ys, xs = np.mgrid[0:H, 0:W]
    end_y = b[1] + 0.45 * (b[1] - a[1])
    along = np.clip((ys - a[1]) / (end_y - a[1]), 0.0, 1.0)
    d = np.hypot(xs - a[0], ys - (a[1] + along * (end_y - a[1])))
    on = lab.any(axis=2)
    tube = on & (d <= radius) & (ys >= 30)
    labels = np.where(tube, FOREARM, -1)
    garment = on & ~tube & (ys >= 95) & (np.abs(lab - BLACK).sum(axis=2) < 1)
    return lab, garment, labels, {FOREARM: (a, b, radius)}


def _skirt_under_the_hand(lab: np.ndarray, labels: np.ndarray) -> np.ndarray:
    below = (labels == FOREARM) & (np.arange(H)[:, None] >= FINGERTIPS + 2) & (lab[..., 0] < 50)
    assert below.sum() > 50  # the scene is what the test means: the tube holds skirt below the hand
    return below


def test_the_skirt_under_a_free_hand_goes_back_to_the_garment():
    lab, garment, labels, arms = _scene()
    given = cloth_beside_arms(lab=lab, garment=garment, labels=labels, arms=arms, skin=np.array(SKIN),
                              free_hands={FOREARM})
    assert given[_skirt_under_the_hand(lab, labels)].mean() > 0.9
    # The hand and the sleeve stay with the arm.
    assert not given[WRIST:FINGERTIPS, 44:57].any()
    assert not given[40:WRIST].any()


def test_under_a_hand_that_may_hold_something_nothing_is_given_back():
    lab, garment, labels, arms = _scene()
    _skirt_under_the_hand(lab, labels)
    # The sleeve is the skirt's colour, and what the hand holds may be too: it stays with the arm.
    for free in (set(), None):
        assert not cloth_beside_arms(lab=lab, garment=garment, labels=labels, arms=arms, skin=np.array(SKIN),
                                     free_hands=free).any()


def test_without_the_skins_colour_nothing_past_the_wrist_is_judged():
    lab, garment, labels, arms = _scene()
    assert not cloth_beside_arms(lab=lab, garment=garment, labels=labels, arms=arms, skin=None,
                                 free_hands={FOREARM}).any()



def test_seen_from_behind_no_hand_is_judged_by_the_skin():
    """Plain grey photo, nothing held: from the front both hands are free; from behind (the person's
    right shoulder and hip on the image's right) none, since the face oval holds hair."""
    def free(sign: float) -> set[int]:
        kp = np.zeros((18, 3))
        for j, (dx, y) in {1: (0, 60), 2: (-30, 62), 5: (30, 62), 8: (-15, 150), 11: (15, 150),
                           3: (-34, 100), 4: (-36, 140), 6: (34, 100), 7: (36, 140)}.items():
            kp[j] = (100 + sign * dx, y, 0.95)
        return _free_hands(rgb=np.full((H, W, 3), 120, np.uint8), mask=np.ones((H, W), bool), kp=kp,
                           radii=np.full(len(PARTS), 8.0), present=np.ones(len(PARTS), bool))

    assert free(1.0) == {PARTS.index(p) for p in PARTS if p.name in ("r_forearm", "l_forearm")}
    assert free(-1.0) == set()
