"""Where the rig's cloth bridging the legs ends (garment.find_garment) on synthetic silhouettes
(Django-free, no photos): a black skirt over black legs is a skirt (its hem steps in to the legs), a
long dress under a coat is cloth to the feet (the coat's edge is no hem); black trouser legs that touch,
or stand together to the feet, are not cloth bridging the legs."""

from __future__ import annotations

import cv2
import numpy as np

from posegen.engines.offline.garment import find_garment

W, H = 300, 620
BLACK, SKIN, GREY = (22, 22, 26), (222, 182, 150), (120, 120, 125)


def _keypoints() -> np.ndarray:
    kp = np.zeros((18, 3))
    points = {0: (150, 64), 1: (150, 122), 2: (110, 126), 3: (80, 205), 4: (72, 280), 5: (190, 126),
              6: (220, 205), 7: (228, 280), 8: (135, 290), 9: (130, 440), 10: (128, 580), 11: (165, 290),
              12: (170, 440), 13: (172, 580)}
    for j, (x, y) in points.items():
        kp[j] = (x, y, 0.95)
    return kp


def _figure(*, skirt: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mask, rgb, keypoints): black legs 34 px wide that touch below the hips and part at about a third
    of the way down (background between them from there), a grey top, and with ``skirt`` a black A-line
    skirt from the hips to just above where the legs part."""
    kp = _keypoints()
    rgb = np.zeros((H, W, 3), np.uint8)
    for hip, knee, ankle in ((8, 9, 10), (11, 12, 13)):
        for a, b in ((hip, knee), (knee, ankle)):
            cv2.line(rgb, tuple(map(int, kp[a, :2])), tuple(map(int, kp[b, :2])), BLACK, 34)
    cv2.rectangle(rgb, (108, 118), (192, 300), GREY, -1)
    if skirt:
        cv2.fillConvexPoly(rgb, np.array([[110, 286], [190, 286], [225, 372], [75, 372]], np.int32), BLACK)
    cv2.circle(rgb, (150, 62), 36, SKIN, -1)
    mask = rgb.sum(axis=2) > 0
    return mask, rgb, kp


def _walk_gap(mask: np.ndarray, kp: np.ndarray) -> float:
    """Where background first shows between the legs (share of hip -> ankle) in the figure itself."""
    for y in range(290, 580):
        t = (y - 290) / 290
        xr, xl = np.interp(t, [0, 0.517, 1], [135, 130, 128]), np.interp(t, [0, 0.517, 1], [165, 170, 172])
        if not mask[y, int(xr): int(xl) + 1].all():
            return t
    return 1.0


def test_a_black_skirt_over_black_legs_is_cloth_bridging_them():
    mask, rgb, kp = _figure(skirt=True)
    gap = _walk_gap(mask, kp)
    assert 0.25 < gap < 0.45  # the figure is what the test means: the legs part just below the skirt
    garment = find_garment(mask=mask, kp=kp, rgb=rgb)
    # Same colour above and below the hem: only the silhouette stepping in says it is a skirt.
    assert garment is not None
    assert abs(garment.hem_ratio - gap) < 0.05
    assert garment.mask[300:360, 100:200].mean() > 0.9


def test_black_trouser_legs_that_touch_are_not_a_skirt():
    mask, rgb, kp = _figure(skirt=False)
    assert 0.2 < _walk_gap(mask, kp) < 0.6
    assert find_garment(mask=mask, kp=kp, rgb=rgb) is None


def _coat_over(*, dress: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mask, rgb, keypoints): a grey coat to a little below the hips over, with ``dress``, a wide black
    dress to the feet, else black trouser legs together down to the ankles (they never part either)."""
    kp = _keypoints()
    kp[10, :2], kp[13, :2] = (143, 580), (157, 580)  # the feet together
    rgb = np.zeros((H, W, 3), np.uint8)
    if dress:
        cv2.fillConvexPoly(rgb, np.array([[90, 290], [210, 290], [230, 595], [70, 595]], np.int32), BLACK)
    else:
        for hip, knee, ankle in ((8, 9, 10), (11, 12, 13)):
            for a, b in ((hip, knee), (knee, ankle)):
                cv2.line(rgb, tuple(map(int, kp[a, :2])), tuple(map(int, kp[b, :2])), BLACK, 34)
    cv2.rectangle(rgb, (100, 118), (200, 330), GREY, -1)
    cv2.circle(rgb, (150, 62), 36, SKIN, -1)
    return rgb.sum(axis=2) > 0, rgb, kp


def test_a_long_dress_under_a_coat_is_cloth_to_the_feet():
    mask, rgb, kp = _coat_over(dress=True)
    garment = find_garment(mask=mask, kp=kp, rgb=rgb)
    # The coat's edge changes the colour between the legs near the top; the dress goes on to the feet.
    assert garment is not None and garment.hem_ratio == 1.0
    assert garment.mask[400:560, 110:190].mean() > 0.9


def test_trouser_legs_together_to_the_feet_under_a_coat_are_not_a_dress():
    mask, rgb, kp = _coat_over(dress=False)
    assert find_garment(mask=mask, kp=kp, rgb=rgb) is None


STRIPES = ((225, 185, 60), (30, 40, 95), (205, 45, 55), (120, 120, 125))


def _bare_legs(*, cloth_to: int, striped: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mask, rgb, keypoints): bare legs (the face's skin) that touch below the hips and part about 0.4 of
    the way down, a grey top, and cloth as wide as the hips from the hips down to y = ``cloth_to``:
    bands of four colours 10 px high with ``striped`` (a striped skirt), else black (shorts). The cloth
    does not step in above the legs, so only its colours tell where it ends."""
    kp = _keypoints()
    kp[14], kp[15] = (138, 56, 0.95), (162, 56, 0.95)  # the eyes: the face oval gives the skin colour
    kp[9, :2], kp[12, :2] = (134, 440), (166, 440)  # knees a little closer: the legs part lower
    rgb = np.zeros((H, W, 3), np.uint8)
    for hip, knee, ankle in ((8, 9, 10), (11, 12, 13)):
        for a, b in ((hip, knee), (knee, ankle)):
            cv2.line(rgb, tuple(map(int, kp[a, :2])), tuple(map(int, kp[b, :2])), SKIN, 34)
    for y in range(280, cloth_to, 10):
        colour = STRIPES[(y - 280) // 10 % len(STRIPES)] if striped else BLACK
        cv2.rectangle(rgb, (116, y), (184, min(y + 9, cloth_to)), colour, -1)
    cv2.rectangle(rgb, (108, 118), (192, 282), GREY, -1)
    cv2.circle(rgb, (150, 62), 36, SKIN, -1)
    return rgb.sum(axis=2) > 0, rgb, kp


def test_a_striped_skirt_over_bare_legs_ends_where_the_legs_turn_to_skin():
    mask, rgb, kp = _bare_legs(cloth_to=352, striped=True)
    # The figure is what the test means: bare skin between the legs from the hem (t 0.21) down past t 0.4.
    assert (rgb[356:406, 150] == SKIN).all()
    garment = find_garment(mask=mask, kp=kp, rgb=rgb)
    # The stripes change the colour between the legs at t 0.1 (a hem too short for a skirt): the skirt
    # ends where the skin begins.
    assert garment is not None
    assert abs(garment.hem_ratio - (352 - 290) / 290) < 0.04
    assert garment.mask[300:345, 125:175].mean() > 0.9
    assert not garment.mask[370:, :].any()  # the bare legs stay legs


def test_shorts_turning_to_bare_legs_at_the_crotch_are_not_a_skirt():
    mask, rgb, kp = _bare_legs(cloth_to=318, striped=False)
    assert find_garment(mask=mask, kp=kp, rgb=rgb) is None
