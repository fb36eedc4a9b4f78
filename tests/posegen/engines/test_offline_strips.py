"""A forearm hanging against a skirt (issue 14 item 1, seller photos 0506 and 0672): the strip of skirt its
straight tube takes goes back to the skirt (strips.cloth_strips), and the painted copy has no body beside
the skirt where the forearm hung, only across the body where it lay (backing.atlas). Django-free,
synthetic label-scale arrays."""

from __future__ import annotations

import numpy as np

from posegen.engines.offline.backing import atlas
from posegen.engines.offline.parts import GARMENT, PART_INDEX, TORSO
from posegen.engines.offline.strips import HAND_ALONG, HAND_MARGIN, STRIP_ALONG, STRIP_MARGIN, STRIP_WIDE, cloth_strips

H, W = 160, 120
FOREARM = PART_INDEX["r_forearm"]
# OpenCV 8-bit Lab: a skin-toned forearm, a skirt in dark and yellow stripes (its median is neither), a
# sleeve of the skirt's own dark colour.
SKIN = (170.0, 145.0, 150.0)
DARK, YELLOW = (40.0, 128.0, 128.0), (190.0, 125.0, 185.0)
BONE_X, RADIUS = 30, 8.0


def _scene(*, sleeve: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(lab, labels): a forearm from (30, 40) to (30, 120) whose tube (radius 8) also holds a 3-pixel strip
    of the striped skirt beside it (x 35..37: the hips bulging into the straight tube); the skirt from x 35
    rightwards. ``sleeve``: the forearm is the skirt's dark colour (nothing to tell apart)."""
    lab = np.zeros((H, W, 3), np.float32)
    stripes = np.where((np.arange(H) // 6) % 2 == 0, 0, 1)
    skirt = np.array([DARK, YELLOW], np.float32)[stripes]
    lab[:, 35:] = skirt[:, None, :]
    lab[:, BONE_X - 8:35] = DARK if sleeve else SKIN
    labels = np.full((H, W), -1, np.int8)
    labels[:, 35:] = GARMENT
    labels[30:130, BONE_X - 8:BONE_X + 9] = FOREARM  # the tube: x 22..38, over the skirt's edge
    return lab, labels


def _run(lab, labels, keep=None) -> np.ndarray:
    arms = {FOREARM: (np.array([float(BONE_X), 40.0]), np.array([float(BONE_X), 120.0]), RADIUS)}
    return cloth_strips(labels=labels, lab=lab, arms=arms, body=(TORSO, GARMENT), skin=np.array(SKIN), keep=keep)


def test_the_strip_of_striped_skirt_in_a_forearms_tube_goes_back_to_the_skirt():
    lab, labels = _scene()
    out = _run(lab, labels)
    strip = np.zeros((H, W), bool)
    strip[40:110, 35:39] = True  # the bone's first STRIP_ALONG (its wrist end holds the hand, a bag's handle)
    assert (labels[strip] == FOREARM).all()
    # Both stripes, the dark and the yellow, are the skirt's: a median colour would have kept the yellow.
    assert (out[strip] == GARMENT).all()
    assert 40 + STRIP_ALONG * 80 >= 110
    # The forearm's own skin stays the forearm's, and nothing is given further than STRIP_WIDE from the skirt.
    assert (out[30:130, 22:35] == FOREARM).all()
    assert STRIP_WIDE < 35 - 22
    # Past the wrist (t > 1 from row 120) the hand is bare skin: the skirt beside it goes back too.
    assert (out[113:130, 35:39] == GARMENT).all()
    assert 40 + HAND_ALONG * 80 >= 130


def test_a_sleeve_of_the_skirts_colour_and_a_kept_bag_stay_with_the_arm():
    lab, labels = _scene(sleeve=True)
    out = _run(lab, labels)
    # The dark stripes beside a dark sleeve cannot be told apart from it: only yellow rows go back.
    dark_rows = (np.arange(H) // 6) % 2 == 0
    assert (out[40:110][dark_rows[40:110]][:, 22:39] == FOREARM).all()
    lab, labels = _scene()
    keep = np.zeros((H, W), bool)
    keep[60:90, 20:40] = True  # a bag in the hand (a carried thing): never given
    out = _run(lab, labels, keep=keep)
    assert (out[60:90, 35:39] == FOREARM).all()
    assert (out[40:55, 35:39] == GARMENT).all()


# Seller 0807: a charcoal sleeve, a bare hand past the wrist resting on a black skirt, the hand's dark shadow
# on the skirt's edge in its tube (nearer the sleeve's colour than the skirt's, far from the skin's).
CHARCOAL, BLACK, SHADOW, STRAP = (50.0, 128.0, 128.0), (20.0, 128.0, 128.0), (55.0, 130.0, 132.0), (90.0, 140.0, 150.0)


def _hand_scene(*, strap: bool) -> tuple[np.ndarray, np.ndarray]:
    """(lab, labels): the _scene forearm in a charcoal sleeve to the wrist (row 120), the hand below it; the
    skirt black from x 35 with the hand's shadow on its edge (x 35..37) in the tube. ``strap``: the hand holds
    a brown strap (its middle and the strap over the skirt's edge): what the hand holds stays with it."""
    lab = np.zeros((H, W, 3), np.float32)
    lab[:, 35:] = BLACK
    lab[:, BONE_X - 8:35] = CHARCOAL
    lab[120:130, BONE_X - 8:35] = STRAP if strap else SKIN
    lab[30:130, 35:38] = SHADOW
    if strap:
        lab[120:130, 35:38] = STRAP
    labels = np.full((H, W), -1, np.int8)
    labels[:, 35:] = GARMENT
    labels[30:130, BONE_X - 8:BONE_X + 9] = FOREARM
    return lab, labels


def test_the_skirt_under_a_bare_hand_goes_back_and_a_held_strap_stays():
    lab, labels = _hand_scene(strap=False)
    out = _run(lab, labels)
    # Against the hand's own palette (its skin), not the sleeve's: the shadowed skirt edge is the skirt's.
    assert (out[113:130, 35:38] == GARMENT).all()
    # Beside the sleeve the same shadow is nearer the sleeve than the skirt: left to the arm, as before.
    assert (out[40:110, 35:38] == FOREARM).all()
    assert (out[30:130, 22:35] == FOREARM).all()
    lab, labels = _hand_scene(strap=True)
    out = _run(lab, labels)
    assert (out[120:130, 35:38] == FOREARM).all()


def test_past_the_wrist_only_a_bare_hand_and_only_by_the_hands_margin():
    lab, labels = _hand_scene(strap=False)
    # The hand's outline mixed with what it holds: nearer the skirt than the skin by 10 (under HAND_MARGIN).
    lab[120:130, 35] = (90.0, 135.0, 138.0)
    out = _run(lab, labels)
    assert (out[120:130, 35] == FOREARM).all()
    assert (out[120:130, 36:38] == GARMENT).all()
    assert STRIP_MARGIN < 10 < HAND_MARGIN
    # A gloved (grey) hand is no bare hand (under HAND_SKIN skin-toned): nothing beside it past the sleeve's
    # end is given, though the shadow is nearer the skirt than the grey by 30.
    lab, labels = _hand_scene(strap=False)
    lab[120:130, BONE_X - 8:35] = (120.0, 128.0, 128.0)
    out = _run(lab, labels)
    assert (out[113:130, 35:38] == FOREARM).all()
    assert (out[40:110, 35:38] == FOREARM).all()


def _painted_copy(fore_x: slice) -> tuple[np.ndarray, np.ndarray]:
    """(copy RGBA, labels) at scale 1: a torso over a skirt, the forearm at columns ``fore_x`` rows 60..110,
    all of it inside the torso's region (as rig.torso_region's quad reaches over a hanging arm)."""
    texture = np.zeros((H, W, 4), np.uint8)
    labels = np.full((H, W), -1, np.int8)
    texture[10:60, 30:90] = (40, 50, 110, 255)
    labels[10:60, 30:90] = TORSO
    texture[60:140, 30:90] = (200, 180, 60, 255)
    labels[60:140, 30:90] = GARMENT
    texture[60:110, fore_x] = (215, 170, 140, 255)
    labels[60:110, fore_x] = FOREARM
    region = np.zeros((H, W), bool)
    region[5:150, 5:115] = True
    out = atlas(texture, labels, 1.0, region, labels == FOREARM)
    return out[:, W:], labels


def test_a_forearm_beside_the_skirt_leaves_no_painted_body_and_one_across_it_does():
    beside, _ = _painted_copy(slice(14, 30))  # hanging along the skirt's side: background beyond it
    assert (beside[62:108, 16:28, 3] == 0).all()
    # The skirt beside it keeps its own colour.
    assert np.abs(beside[70:100, 40:80, :3].astype(int) - (200, 180, 60)).max() <= 2
    across, _ = _painted_copy(slice(45, 61))  # in front of the skirt, the skirt on both sides
    assert (across[65:105, 48:58, 3] == 255).all()
    assert np.abs(across[65:105, 48:58, :3].astype(float).mean(axis=(0, 1)) - (200, 180, 60)).max() < 12
