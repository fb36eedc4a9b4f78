"""The matte's soft edge follows the person's size, not the photo's (posegen.imaging.segmentation).

A small figure in a large photo (H36M S1: 370 px tall in 1000 px) got the guided filter's full
photo-relative radius, a band as wide as a shin, which the offline cut-out turned into opaque
"ghost legs". Synthetic inputs only; no models.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from posegen.imaging.segmentation import _person_share
from posegen.imaging.segmentation_masks import GUIDED_RADIUS, guided_refine


def pose_spanning(share: float) -> SimpleNamespace:
    """A pose whose 33 landmarks span ``share`` of a 1000x1000 photo's height (normalised coords)."""
    landmarks = np.zeros((33, 4))
    landmarks[:, 0] = 0.5
    landmarks[:, 1] = np.linspace(0.5 - share / 2, 0.5 + share / 2, 33)
    return SimpleNamespace(landmarks33=landmarks, image_width=1000, image_height=1000)


@pytest.mark.parametrize(
    ("share", "expected"),
    [(0.9, 1.0), (0.8, 1.0), (0.37, 0.4625), (0.2, 0.4)],
)
def test_radius_share_shrinks_with_the_figure_down_to_a_floor(share, expected):
    assert _person_share(pose_spanning(share), 1000.0) == pytest.approx(expected)


def test_without_a_pose_the_full_radius_is_kept():
    assert _person_share(None, 1000.0) == 1.0


def soft_band(radius_share: float) -> int:
    """Pixels of a refined hard square's matte that are neither clearly in nor out (flat guide)."""
    guide = np.full((600, 600, 3), 128, np.uint8)
    soft = np.zeros((600, 600), np.float32)
    soft[200:400, 200:400] = 1.0
    alpha = guided_refine(guide, soft, radius_share=radius_share)
    return int(((alpha > 0.12) & (alpha < 0.8)).sum())


def test_a_smaller_radius_share_gives_a_narrower_soft_edge():
    full, half = soft_band(GUIDED_RADIUS), soft_band(GUIDED_RADIUS / 2)
    assert half > 0
    assert half < 0.65 * full
