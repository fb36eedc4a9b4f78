"""The finder of things held against the body (engines/offline/carried.py) on synthetic figures
(Django-free, no photos): a dark bag with a strap under a hand over a light skirt is found, a plain skirt
under the hand finds nothing, and the rig's traits keep an unsure hand where it is."""

from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from posegen.engines.offline.carried import find_held, held_traits
from posegen.engines.offline.engine import AvatarRig, repose, warp_photo_labels
from posegen.engines.offline.parts import PART_INDEX, PARTS
from posegen.engines.offline.regions import REGION_CARRIED, Carried
from posegen.engines.offline.retarget import rotate
from posegen.engines.offline.rig import build_rig

TW, TH = 300, 620
SKIN, CREAM, NAVY, BLACK = (222, 182, 150), (236, 228, 208), (40, 50, 90), (30, 26, 24)
BAG = (66, 300, 108, 370)  # x0, y0, x1, y1: against the skirt, right under the right hand


def _keypoints() -> np.ndarray:
    kp = np.zeros((18, 3))
    points = {0: (150, 64), 1: (150, 122), 2: (110, 126), 3: (92, 205), 4: (80, 285), 5: (190, 126),
              6: (208, 205), 7: (220, 285), 8: (130, 290), 9: (135, 440), 10: (135, 580), 11: (170, 290),
              12: (165, 440), 13: (165, 580), 14: (140, 54), 15: (160, 54), 16: (126, 60), 17: (174, 60)}
    for j, (x, y) in points.items():
        kp[j] = (x, y, 0.95)
    return kp


def _figure(*, bag: bool, kp: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A woman in a navy top and a wide cream skirt, arms hanging with the hands on the skirt (or where
    ``kp`` puts them); with ``bag``, a black bag against the skirt under the right hand, its strap in that
    hand."""
    kp = _keypoints() if kp is None else kp
    rgb = np.zeros((TH, TW, 3), np.uint8)
    rng = np.random.default_rng(1)
    for hip, ankle in ((8, 10), (11, 13)):
        cv2.line(rgb, tuple(map(int, kp[hip, :2])), tuple(map(int, kp[ankle, :2] + (0, 8))), SKIN, 22)
    cv2.rectangle(rgb, (104, 116), (196, 290), NAVY, -1)
    cv2.fillConvexPoly(rgb, np.array([[70, 270], [230, 270], [270, 470], [30, 470]], np.int32), CREAM)
    # A little cloth texture, so the skirt is not a flat colour a finder could trivially split.
    noise = rng.integers(-8, 9, rgb.shape)
    rgb = np.where(rgb.any(axis=2, keepdims=True), np.clip(rgb.astype(int) + noise, 0, 255), 0).astype(np.uint8)
    if bag:
        cv2.rectangle(rgb, BAG[:2], BAG[2:], BLACK, -1)
        cv2.line(rgb, (72, 300), (82, 282), BLACK, 3)  # the strap up into the hand
        cv2.line(rgb, (100, 300), (82, 282), BLACK, 3)
    for sh, el, wr in ((2, 3, 4), (5, 6, 7)):
        cv2.line(rgb, tuple(map(int, kp[sh, :2])), tuple(map(int, kp[el, :2])), SKIN, 22)
        cv2.line(rgb, tuple(map(int, kp[el, :2])), tuple(map(int, kp[wr, :2])), SKIN, 18)
        cv2.circle(rgb, tuple(map(int, kp[wr, :2] + (kp[wr, :2] - kp[el, :2]) * 0.15)), 10, SKIN, -1)
    cv2.rectangle(rgb, (138, 90), (162, 120), SKIN, -1)
    cv2.circle(rgb, (150, 62), 38, SKIN, -1)
    cv2.circle(rgb, (140, 54), 4, (20, 20, 20), -1)
    cv2.circle(rgb, (160, 54), 4, (20, 20, 20), -1)
    alpha = (rgb.sum(axis=2) > 0).astype(np.uint8) * 255
    return np.dstack([rgb, alpha]), kp


def _find(texture: np.ndarray, kp: np.ndarray):
    radii = {p.name: 0.0 for p in PARTS} | {"r_forearm": 9.0, "l_forearm": 9.0}
    return find_held(rgb=np.ascontiguousarray(texture[:, :, :3]), mask=texture[:, :, 3] > 0, kp=kp, radii=radii,
                     forearms={"r_forearm": True, "l_forearm": True})


def test_a_dark_bag_with_a_strap_under_a_hand_over_a_light_skirt_is_found():
    texture, kp = _figure(bag=True)
    found = _find(texture, kp)
    assert found is not None and found.side == "right" and found.forearm == "r_forearm"
    truth = np.zeros(found.mask.shape, bool)
    truth[BAG[1]:BAG[3] + 1, BAG[0]:BAG[2] + 1] = True
    iou = (found.mask & truth).sum() / (found.mask | truth).sum()
    assert iou > 0.8, iou


def test_a_plain_skirt_under_the_hands_finds_nothing():
    texture, kp = _figure(bag=False)
    assert _find(texture, kp) is None


@pytest.mark.parametrize("bag", [True, False])
def test_the_rig_traits_keep_only_a_hand_that_may_hold_something(bag):
    texture, kp = _figure(bag=bag)
    traits = held_traits(rig=build_rig(texture=texture, keypoints=kp))
    assert traits["carried_forearm_deg"] is None
    if not bag:
        assert traits["held_unsure"] == {}
        return
    assert list(traits["held_unsure"]) == ["right"]
    x, y = traits["held_unsure"]["right"]
    # The right wrist (80, 285) from the shoulder (110, 126), over an arm 81 + 81 px long, y up.
    assert x == pytest.approx(-30 / 163.0, abs=0.02) and y == pytest.approx(-159 / 163.0, abs=0.02)


def _paint(texture: np.ndarray, box: tuple[int, int, int, int], colour: tuple[int, int, int]) -> np.ndarray:
    rgb = np.ascontiguousarray(texture[:, :, :3])
    cv2.rectangle(rgb, box[:2], box[2:], colour, -1)
    return np.dstack([rgb, texture[:, :, 3]])


RED = (200, 30, 40)


@pytest.mark.parametrize(("boxes", "held"), [
    ([(60, 300, 92, 340)], ["right"]),  # a red purse under the right hand
    ([(60, 300, 92, 340), (208, 300, 240, 340)], []),  # the same red under both hands: the skirt's print
])
def test_a_hand_holds_what_the_other_side_of_the_body_lacks(boxes, held):
    texture, kp = _figure(bag=False)
    for box in boxes:
        texture = _paint(texture, box, RED)
    assert list(held_traits(rig=build_rig(texture=texture, keypoints=kp))["held_unsure"]) == held


def _hands_meeting() -> np.ndarray:
    kp = _keypoints()
    kp[[3, 4, 6, 7], :2] = [(100, 215), (138, 282), (200, 215), (162, 282)]
    return kp


@pytest.mark.parametrize("clutch", [True, False])
def test_hands_meeting_on_a_clutch_both_hold_it(clutch):
    """A clutch held in both hands at the front is its own mirror image across the spine: the two hands
    meeting over a thing find_held sees flag both; the same hands meeting over the plain skirt flag none."""
    kp = _hands_meeting()
    texture, _ = _figure(bag=False, kp=kp)
    if clutch:
        texture = _paint(texture, (122, 292, 178, 336), BLACK)
        rgb = np.ascontiguousarray(texture[:, :, :3])
        for elbow, wrist in ((3, 4), (6, 7)):  # the hands over it again
            cv2.circle(rgb, tuple(map(int, kp[wrist, :2] + (kp[wrist, :2] - kp[elbow, :2]) * 0.15)), 10, SKIN, -1)
        texture = np.dstack([rgb, texture[:, :, 3]])
    held = held_traits(rig=build_rig(texture=texture, keypoints=kp))["held_unsure"]
    assert list(held) == (["right", "left"] if clutch else [])


def _bag_finder(calls: list):
    """A held_finder that names the synthetic bag (the rig's label scale), as a reliable finder would."""

    def finder(*, rgb, mask, kp, radii, forearms):
        calls.append(forearms["r_forearm"])
        sy, sx = mask.shape[0] / TH, mask.shape[1] / TW
        bag = np.zeros(mask.shape, bool)
        bag[round(BAG[1] * sy):round(BAG[3] * sy) + 1, round(BAG[0] * sx):round(BAG[2] * sx) + 1] = True
        return Carried(mask=bag & mask, side="right", forearm="r_forearm")

    return finder


def test_a_bag_held_against_the_skirt_is_the_forearms_alone_when_a_finder_names_it():
    texture, kp = _figure(bag=True)
    calls: list = []
    rig = build_rig(texture=texture, keypoints=kp, held_finder=_bag_finder(calls))
    assert calls == [True]
    assert rig.carried is not None and rig.carried.side == "right"
    bag = rig.carried.mask
    # Every pixel of the bag is the right forearm's (no tube, garment or torso seed took a share), and the
    # rig reports it as the carried region.
    assert set(np.unique(rig.labels[bag]).tolist()) == {PART_INDEX["r_forearm"]}
    assert (rig.regions[bag] == REGION_CARRIED).all()
    # Without the finder the same bag is shared out between parts (why it tore when the hand moved).
    plain = build_rig(texture=texture, keypoints=kp)
    assert plain.carried is None and len(np.unique(plain.labels[bag])) >= 2


def test_a_bag_held_against_the_skirt_moves_whole_with_the_hand():
    texture, kp = _figure(bag=True)
    rig = build_rig(texture=texture, keypoints=kp, held_finder=_bag_finder([]))
    cutout = SimpleNamespace(texture=texture, keypoints=kp, box=(0, 0, TW, TH), warnings=[])
    avatar = AvatarRig(cutout=cutout, rig=rig)
    # The right arm swings out by 40 degrees (the hand leaves the skirt).
    target = rig.keypoints.copy()
    root = target[2, :2].copy()
    for j in (3, 4):
        target[j, :2] = root + rotate(target[j, :2] - root, np.radians(40.0))
    target[:, 0] = (target[:, 0] + 100) / 512
    target[:, 1] = (target[:, 1] + 60) / 768
    rendered, _ = repose(avatar=avatar, target=target, width=512, height=768)
    labels = np.zeros((TH, TW), np.uint8)
    labels[BAG[1]:BAG[3] + 1, BAG[0]:BAG[2] + 1] = 5
    warped = warp_photo_labels(avatar=avatar, rendered=rendered, labels=labels) == 5
    _, _, stats, _ = cv2.connectedComponentsWithStats(warped.astype(np.uint8), connectivity=8)
    assert int((stats[1:, cv2.CC_STAT_AREA] >= 0.01 * warped.sum()).sum()) == 1
    scale = (rendered.keypoints[1, 1] - rendered.keypoints[8, 1]) / (kp[1, 1] - kp[8, 1])
    assert 0.85 <= warped.sum() / (labels.astype(bool).sum() * scale * scale) <= 1.15
    # Still at the hand.
    ys, xs = np.nonzero(warped)
    wrist = rendered.keypoints[4, :2]
    torso = abs(rendered.keypoints[1, 1] - rendered.keypoints[8, 1])
    assert np.hypot(xs - wrist[0], ys - wrist[1]).min() < 0.15 * torso


def _straddling(rig) -> int:
    """Triangles with corners or edge midpoints both inside the synthetic bag and clear of it, other than the
    forearm's own and the skirt's backing copies of them (cloth continued under the bag)."""
    bag = _bag_finder([])(rgb=None, mask=rig.labels >= 0, kp=None, radii=None, forearms={"r_forearm": True}).mask
    inside = cv2.erode(bag.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    outside = cv2.dilate(bag.astype(np.uint8), np.ones((5, 5), np.uint8)) == 0
    corners = rig.vertices[rig.triangles]
    probes = np.concatenate([corners, (corners + np.roll(corners, 1, axis=1)) / 2], axis=1)
    probes = (probes + 0.5) * rig.label_scale - 0.5  # texture -> label pixels (pixel centres)
    at = np.clip(np.round(probes).astype(int), 0, [bag.shape[1] - 1, bag.shape[0] - 1])
    across = inside[at[..., 1], at[..., 0]].any(axis=1) & outside[at[..., 1], at[..., 0]].any(axis=1)
    fore = PART_INDEX["r_forearm"]
    own = {tuple(np.round(np.sort(c.ravel())).astype(int)) for c in corners[rig.triangle_part == fore]}
    return sum(1 for t in np.flatnonzero(across) if rig.triangle_part[t] != fore
               and tuple(np.round(np.sort(corners[t].ravel())).astype(int)) not in own)


def test_no_triangle_of_another_part_straddles_a_named_bags_outline():
    texture, kp = _figure(bag=True)
    assert _straddling(build_rig(texture=texture, keypoints=kp, held_finder=_bag_finder([]))) == 0
    # Without the finder the skirt's and the tube's triangles cross the bag (it tears along them).
    assert _straddling(build_rig(texture=texture, keypoints=kp)) > 10
