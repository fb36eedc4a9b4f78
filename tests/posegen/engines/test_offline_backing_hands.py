"""No traces of the old pose (issue 14 item 4): a hand the forearm's tube does not reach is painted out of
the body's copy, the painting reads no arm, background or see-through colour, and the body around a hand
shows the photo while that forearm stays and the painted copy once it moves. Synthetic cut-outs, and the
licensed skier fixture for the render side."""

from __future__ import annotations

import numpy as np
import pytest

from posegen.engines.offline import rig_avatar
from posegen.engines.offline.backing import atlas, leftover_hands
from posegen.engines.offline.parts import PART_INDEX, TORSO
from posegen.engines.offline.render import _forearm_stayed, _leftover_triangles, _sources, pose_rig
from posegen.posekit.skeleton import make_pose, project_pose
from tests.paths import REPO

H, W = 240, 160  # texture pixels; labels at the same scale
NAVY, SKIN, STREET = np.array([40, 50, 110]), np.array([215, 170, 140]), np.array([235, 235, 228])
FORE, UPPER = PART_INDEX["r_forearm"], PART_INDEX["r_upper_arm"]


def _cutout():
    """A navy torso; an upper arm down its left side, a forearm across the waist ending in a hand whose
    fingers (x 104-118) lie past the forearm's tube, labelled torso as the rig does."""
    texture = np.zeros((H, W, 4), np.uint8)
    texture[:, :, :3] = STREET  # the photo's background keeps its colour under alpha 0
    texture[20:220, 30:130, :3] = NAVY
    texture[20:220, 30:130, 3] = 255
    labels = np.full((H, W), -1, np.int8)
    labels[20:220, 30:130] = TORSO
    labels[40:120, 30:46] = UPPER
    texture[40:120, 30:46, :3] = NAVY
    labels[110:126, 30:104] = FORE
    texture[110:126, 46:104, :3] = SKIN
    texture[106:132, 104:118, :3] = SKIN  # the fingers beyond the tube, labelled torso
    return texture, labels


def test_the_fingers_past_the_forearms_tube_are_found_and_nothing_beside_the_forearm():
    texture, labels = _cutout()
    found, skin = leftover_hands(np.ascontiguousarray(texture[:, :, :3]), labels)
    fingers = np.zeros((H, W), bool)
    fingers[106:132, 104:118] = True
    assert found[fingers].mean() > 0.85  # (the corners blur into the navy)
    # Not the navy body above or below the forearm's middle, nor the upper arm's side.
    assert not found[60:100, 50:100].any() and not found[140:200, 40:100].any()
    assert not found[labels == UPPER].any()
    # The forearm's bare skin is the skin the painting must not read; the navy upper arm is not.
    assert skin[112:124, 50:100].all() and not skin[labels == UPPER].any()


def test_the_painted_body_has_no_ghost_hand_and_no_street_colour():
    texture, labels = _cutout()
    region = labels >= 0
    arms = np.isin(labels, (FORE, UPPER))
    out = atlas(texture, labels, 1.0, region, arms)
    copy = out[:, W:, :3].astype(np.float32)
    # Where the fingers were: navy, not skin (the painting read neither the hand nor the tube's skin).
    under = copy[108:130, 106:116].reshape(-1, 3).mean(axis=0)
    assert np.abs(under - NAVY).max() < 20
    # The upper arm lies along the outline: the body painted under it is navy, not the street's colour.
    edge = copy[50:110, 31:44].reshape(-1, 3).mean(axis=0)
    assert np.abs(edge - NAVY).max() < 20
    # The painted body is opaque inside the torso, and gains no opaque rim over the background.
    assert (out[50:110, W + 31:W + 44, 3] == 255).all()
    assert (out[:, W:W + 28, 3] == 0).all()


SKIER = REPO / "tests" / "fixtures" / "images" / "fullbody_skier_snow_coco785.jpg"


@pytest.fixture(scope="module")
def skier():
    return rig_avatar(image=SKIER.read_bytes())


def test_the_body_around_a_hand_shows_the_photo_while_the_forearm_stays_and_the_copy_once_it_moves(skier):
    rig = skier.rig
    leftover = _leftover_triangles(rig)
    assert sum(len(t) for t in leftover.values()) > 0
    # Posed as in the photo: every forearm stayed, its body triangles sample the photo (x < tex_width).
    same = pose_rig(rig=rig, target=rig.keypoints)
    src = _sources(rig, same)
    for fore, tris in leftover.items():
        assert _forearm_stayed(rig, same, fore)
        assert (src[tris, :, 0] < rig.tex_width).all()
    # Arms raised: the forearms moved away, the same triangles sample the painted copy.
    kp = project_pose(pose=make_pose(angles={"shoulder.abduction": 170}), width=600, height=900).keypoints.copy()
    kp[:, 0] *= 600
    kp[:, 1] *= 900
    raised = pose_rig(rig=rig, target=kp)
    src = _sources(rig, raised)
    for fore, tris in leftover.items():
        assert not _forearm_stayed(rig, raised, fore)
        assert (src[tris, :, 0] >= rig.tex_width - 1).all()


def test_street_the_matte_kept_inside_an_arms_tube_is_not_painted_into_the_body():
    """A thin arm whose tube holds the street beside it (the matte kept it at alpha 255): the body painted
    under that arm continues the navy cloth, not the pale street."""
    texture, labels = _cutout()
    texture[40:120, 46:52, :3] = STREET  # inside the upper arm's tube, just past the navy sleeve
    labels[40:120, 46:52] = UPPER
    region = labels >= 0
    region[40:120, 46:52] = False  # the street strip is beside the body, not over it
    arms = np.isin(labels, (FORE, UPPER))
    copy = atlas(texture, labels, 1.0, region, arms)[:, W:, :3].astype(np.float32)
    under = copy[50:108, 32:44].reshape(-1, 3).mean(axis=0)
    assert np.abs(under - NAVY).max() < 20
