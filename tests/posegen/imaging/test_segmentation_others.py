"""Other people's pixels leave the main person's matte (posegen.imaging.segmentation_others).

The synthetic tests draw two people as BlazePose skeletons and masks; the photo test reads the
annotated three-people photo from <repo>/../shared/testdata and skips when it is absent.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from posegen.imaging.segmentation import segment_person
from posegen.imaging.segmentation_others import SKELETON, claimed_by_others, skeleton_distance
from tests.paths import TESTDATA

SHAPE = (240, 240)


def standing(x: float, top: float, *, wrist: tuple[float, float] | None = None) -> np.ndarray:
    """BlazePose (33, 2) points of a person standing at ``x``, head at ``top`` (torso 60 px); ``wrist``
    moves the right wrist and hand (landmarks 16, 18, 20, 22) there (an arm raised or misplaced)."""
    p = np.zeros((33, 2))
    p[0:11] = (x, top + 15)
    p[7], p[8] = (x - 10, top + 12), (x + 10, top + 12)
    p[11], p[12] = (x - 20, top + 40), (x + 20, top + 40)
    p[13], p[14] = (x - 25, top + 70), (x + 25, top + 70)
    p[[15, 17, 19, 21]] = (x - 27, top + 95)
    p[[16, 18, 20, 22]] = wrist if wrist is not None else (x + 27, top + 95)
    p[23], p[24] = (x - 12, top + 100), (x + 12, top + 100)
    p[[25, 27, 29, 31]] = (x - 14, top + 150)
    p[[26, 28, 30, 32]] = (x + 14, top + 150)
    return p


def body(points: np.ndarray, *, thickness: int = 12) -> np.ndarray:
    """A person's silhouette: every bone drawn thick, and the head."""
    out = np.zeros(SHAPE, np.uint8)
    pts = np.round(points).astype(np.int32)
    for a, b in SKELETON:
        cv2.line(out, tuple(int(v) for v in pts[a]), tuple(int(v) for v in pts[b]), 1, thickness)
    cv2.fillConvexPoly(out, pts[[11, 12, 24, 23]], 1)
    cv2.circle(out, tuple(int(v) for v in pts[0]), 14, 1, -1)
    return out > 0


def test_a_neighbours_raised_arm_behind_the_head_is_theirs():
    """The main person (left) at x=70; the neighbour at x=170 raises his right arm over the main one's head.
    The main person's pose mask spills onto that arm as surely as onto her own body (the seated man in
    the three-people photo): the neighbour's skeleton, nearer there, claims it."""
    me = standing(70, 60)
    neighbour = standing(170, 20, wrist=(60, 10))
    mine_body, their_body = body(me), body(neighbour)
    arm = their_body & ~mine_body & (np.arange(SHAPE[0])[:, None] < 55)
    mine = np.where(mine_body | arm, 0.95, 0.0).astype(np.float32)
    theirs = np.where(their_body, 0.7, 0.0).astype(np.float32)
    claimed = claimed_by_others(mine=mine, core=mine_body, points=me, others=[(neighbour, theirs)])
    assert arm.sum() > 300
    assert (claimed & arm).sum() >= 0.9 * arm.sum()
    assert not (claimed & mine_body).any()
    # Where she is and he is not, nothing is claimed: her legs, her left arm.
    assert not claimed[:, :50].any()


def test_nothing_is_claimed_without_other_people_or_where_they_are_unsure():
    me = standing(70, 60)
    mine = body(me).astype(np.float32)
    assert not claimed_by_others(mine=mine, core=mine > 0, points=me, others=[]).any()
    neighbour = standing(170, 20, wrist=(60, 10))
    faint = np.where(body(neighbour), 0.4, 0.0).astype(np.float32)
    assert not claimed_by_others(mine=mine, core=mine > 0, points=me, others=[(neighbour, faint)]).any()


def test_the_main_persons_own_limb_in_front_of_a_neighbour_stays():
    """Her right arm crosses the neighbour's body; his mask (which does not stop at an occluder) is sure
    and surer than hers there: within reach of her own bones it stays hers."""
    me = standing(100, 60, wrist=(150, 130))
    neighbour = standing(160, 50)
    mine_body = body(me)
    mine = np.where(mine_body, 0.6, 0.0).astype(np.float32)
    theirs = np.where(body(neighbour, thickness=30), 0.95, 0.0).astype(np.float32)
    forearm = np.zeros(SHAPE, np.uint8)
    cv2.line(forearm, (125, 130), (150, 130), 1, 3)
    claimed = claimed_by_others(mine=mine, core=mine_body, points=me, others=[(neighbour, theirs)])
    assert not (claimed & (forearm > 0)).any()


def test_a_hand_put_on_the_passer_by_does_not_keep_them():
    """0001: her hidden hand was placed on the passer-by behind her sleeve (visibility 0.93). A landmark on
    the other person, outside her sure core, loses its bones, so they do not protect the passer-by."""
    me = standing(80, 60, wrist=(30, 120))
    passer = standing(30, 50)
    mine_body = body(standing(80, 60))  # her real silhouette: the hand is in her pocket
    mine = np.where(mine_body | body(passer), 0.95, 0.0).astype(np.float32)
    theirs = np.where(body(passer), 0.9, 0.0).astype(np.float32)
    claimed = claimed_by_others(mine=mine, core=mine_body, points=me, others=[(passer, theirs)])
    near_hand = skeleton_distance(me[[16]].repeat(33, axis=0), SHAPE) < 6
    assert (claimed & near_hand).sum() >= 0.9 * (near_hand & ~mine_body).sum() > 0
    assert not (claimed & mine_body).any()
    # With the hand's bones kept (the landmark taken at its word), they would have kept the passer-by there.
    kept = claimed_by_others(mine=mine, core=mine_body | near_hand, points=me, others=[(passer, theirs)])
    assert not (kept & near_hand).any()


def test_skeleton_distance_leaves_out_the_bones_of_a_misplaced_landmark():
    me = standing(80, 60, wrist=(200, 200))
    assert skeleton_distance(me, SHAPE)[200, 200] == 0
    assert skeleton_distance(me, SHAPE, without=frozenset({16, 18, 20, 22}))[200, 200] > 50


def test_three_people_main_mode_leaves_the_neighbours_raised_arm_out():
    """The left man's raised arm runs behind the seated man's head; before, 67 % of the box it crosses
    above that head was in the seated man's matte (his pose mask covered it), now 3 %."""
    photo = TESTDATA / "images" / "upper_three_people_waving_office.jpg"
    if not photo.is_file():
        pytest.skip(f"shared test data not available: {photo}")
    matte = segment_person(image=photo.read_bytes())
    ours = matte.mask()
    assert ours[200:320, 430:560].mean() < 0.1
    assert ours[330:420, 330:480].mean() > 0.95  # his head stays
