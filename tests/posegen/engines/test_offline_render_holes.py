"""A seam the mesh tore open inside the drawn person (a white dot in 0447's skirt in every pose) is
covered; a gap as wide as one between an arm and the body, or background open to the outside, is not."""

from __future__ import annotations

import cv2
import numpy as np

from posegen.engines.offline.layers import fill_pinholes
from posegen.engines.offline.parts import GARMENT, PART_INDEX


def test_a_pinhole_inside_the_person_is_covered_and_a_wide_gap_or_an_open_notch_is_not():
    closed = np.zeros((300, 300), np.uint8)
    closed[20:280, 20:280] = 1
    cv2.circle(closed, (60, 60), 8, 0, -1)  # a torn seam, 17 px across
    closed[120:220, 120:220] = 0  # the gap inside a bent arm, 100 px across
    closed[250:280, 200:230] = 0  # a notch open to the outside (touches the background)
    fill_pinholes(closed, across=30.0)
    assert closed[52:69, 52:69].all()
    assert not closed[120:220, 120:220].any()
    assert not closed[251:, 201:229].any()
    # A hole just wider than the limit stays open.
    again = np.ones((300, 300), np.uint8)
    again[0] = 0
    cv2.circle(again, (150, 150), 18, 0, -1)
    fill_pinholes(again, across=30.0)
    assert again[150, 150] == 0


def test_a_wider_hole_only_legs_and_cloth_enclose_is_covered_and_one_an_arm_borders_is_not():
    def scene(side_part: int) -> tuple[np.ndarray, np.ndarray]:
        part = np.full((300, 300), -1, np.int8)
        part[20:100, 20:280] = GARMENT  # the skirt above
        part[100:280, 20:150] = PART_INDEX["r_thigh"]
        part[100:280, 150:280] = side_part
        part[120:200, 110:190] = -1  # a hole 80 px across between them
        return (part >= 0).astype(np.uint8), part

    closed, part = scene(PART_INDEX["l_thigh"])
    fill_pinholes(closed, 30.0, part, 100.0)
    assert closed[120:200, 110:190].all()  # the hidden thigh's place (crossed knees) is drawn
    closed, part = scene(PART_INDEX["l_forearm"])
    fill_pinholes(closed, 30.0, part, 100.0)
    assert not closed[125:195, 115:185].any()  # an arm borders it: the background inside a bent arm
    closed, part = scene(PART_INDEX["l_thigh"])
    fill_pinholes(closed, 30.0, part, 60.0)
    assert not closed[125:195, 115:185].any()  # wider than the legs' limit
