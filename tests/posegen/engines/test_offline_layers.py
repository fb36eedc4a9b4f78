"""The part drawn under a soft edge shows through it (issue 14 item 4, "white cracks"): an arm's sleeve edge
or the hair's soft matte over the body composites over the body drawn under it, not over the backdrop.
Synthetic triangles and texture."""

from __future__ import annotations

import cv2
import numpy as np

from posegen.engines.offline.layers import composite_under, under_layer
from posegen.engines.offline.parts import PART_INDEX, TORSO

FORE = PART_INDEX["r_forearm"]
SHIFT = 4


def _square(x0: int, y0: int, x1: int, y1: int) -> list[list[list[int]]]:
    a, b, c, d = (x0, y0), (x1, y0), (x1, y1), (x0, y1)
    return [[a, b, c], [a, c, d]]


def _scene() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A torso square over the whole 40 x 40 window, a forearm strip over x 10-20 drawn on top of it,
    and a second forearm strip (x 30-38) over y 0-10 only, where the torso is (same part: never its own under)."""
    squares = [_square(0, 0, 40, 40), _square(10, 0, 20, 40), _square(30, 0, 38, 10)]
    pts = np.array([t for sq in squares for t in sq], dtype=np.float64)  # (6, 3, 2)
    tris = np.arange(len(pts) * 3).reshape(-1, 3)
    local = np.round(pts.reshape(-1, 2) * (1 << SHIFT)).astype(np.int32)
    part = np.array([TORSO, TORSO, FORE, FORE, FORE, FORE])
    ids = np.full((40, 40), -1, np.int32)
    for t in range(len(tris)):
        cv2.fillConvexPoly(ids, local[tris[t]], t, lineType=cv2.LINE_8, shift=SHIFT)
    return ids, np.arange(len(tris)), local, tris, part


def test_the_layer_under_an_arm_is_the_body_and_a_part_is_never_under_itself():
    ids, draw, local, tris, part = _scene()
    under = under_layer(ids, draw, local, tris, part, SHIFT)
    assert (part[ids[5:35, 12:18]] == FORE).all()
    assert (part[under[5:35, 12:18]] == TORSO).all()  # the torso under the arm
    assert (under[5:35, 25:28] == -1).all()  # torso on top: nothing of another part under it
    assert (part[under[2:8, 32:36]] == TORSO).all()


def test_a_soft_arm_edge_over_the_body_shows_the_body_not_the_backdrop():
    ids, draw, local, tris, part = _scene()
    under = under_layer(ids, draw, local, tris, part, SHIFT)
    # Texture: the torso reads red, opaque (x 0-39); the arm reads a half-transparent blue edge (x 40-79,
    # premultiplied), as a sleeve's matte edge against the photo's background.
    texture = np.zeros((40, 80, 4), np.uint8)
    texture[:, :40] = (200, 0, 0, 255)
    texture[:, 40:] = (0, 0, 100, 128)
    m = np.zeros((len(tris), 2, 3), np.float32)
    m[:, 0, 0] = m[:, 1, 1] = 1.0
    m[part == FORE, 0, 2] = 40.0
    warped = np.zeros((40, 40, 4), np.uint8)
    warped[ids >= 0] = texture[:, :40][ids >= 0]
    warped[part[ids] == FORE] = (0, 0, 100, 128)
    before = warped.copy()
    composite_under(warped, under, m, texture)
    edge = warped[20, 15].astype(int)
    # Over: blue edge + (1 - 128/255) of the red body, fully opaque (was half backdrop).
    assert edge[3] == 255
    assert abs(edge[0] - round(200 * (1 - 128 / 255))) <= 1 and edge[2] == 100
    # The body alone and the arm over nothing are unchanged.
    assert (warped[:, 25:28] == before[:, 25:28]).all()
    assert before[20, 15, 3] == 128
