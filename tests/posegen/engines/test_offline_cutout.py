"""The avatar cut-out (issue 14: shards at the boots): pieces of the matte apart from the person were
hung on the nearest foot and drawn as floating shards. Django-free: a synthetic photo and matte."""

from __future__ import annotations

import numpy as np

from posegen.engines.offline.cutout import make_cutout
from posegen.imaging.segmentation import PersonMatte

H, W = 400, 300
PAVEMENT = (120, 115, 110)


def _photo_and_matte() -> tuple[np.ndarray, np.ndarray]:
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[:] = PAVEMENT
    alpha = np.zeros((H, W), np.float32)
    rgb[40:360, 120:180] = (40, 50, 90)  # the person: a dark column
    alpha[40:360, 120:180] = 1.0
    return rgb, alpha


def test_pieces_apart_from_the_person_are_dropped():
    rgb, alpha = _photo_and_matte()
    rgb[370:385, 60:80] = 255  # a bright bloom on the pavement the segmenter kept, apart from the person
    alpha[370:385, 60:80] = 1.0
    rgb[16:40, 140:160] = (200, 170, 150)  # a hand-sized piece touching the person through a soft edge
    alpha[16:36, 140:160] = 1.0
    alpha[36:40, 140:160] = 0.3
    cut = make_cutout(image=rgb, matte=PersonMatte(alpha=alpha, keep="main", people_detected=1))
    x0, y0, _, _ = cut.box
    a = cut.texture[:, :, 3]
    assert int(a[370 - y0:385 - y0, 60 - x0:80 - x0].max()) == 0
    assert (a[40 - y0:360 - y0, 120 - x0:180 - x0] == 255).all()
    assert (a[16 - y0:36 - y0, 140 - x0:160 - x0] == 255).all()
