"""posegen.imaging.composite and backdrops: the person stays, the background changes, light follows words."""

import numpy as np
import pytest

from posegen.imaging.backdrops import BACKDROP_LIBRARY, backdrop_get, backdrop_plan, generate_backdrop
from posegen.imaging.composite import CompositeOptions, blurred_scene, composite_person, contact_shadow, fit_cover


def _scene():
    image = np.zeros((300, 200, 3), np.uint8)
    image[:] = (40, 160, 40)  # green old background
    alpha = np.zeros((300, 200), np.float32)
    alpha[60:250, 80:120] = 1.0  # a standing "person", feet at row 249
    image[60:250, 80:120] = (200, 150, 120)
    return image, alpha


def test_person_kept_background_replaced_and_shadow_under_the_feet():
    image, alpha = _scene()
    background = np.full((600, 400, 3), (230, 230, 230), np.uint8)
    out = composite_person(image=image, alpha=alpha, background=background,
                           options=CompositeOptions(harmonise=0.0, light_wrap=0.0, shadow=0.5)).astype(int)
    assert out.shape == image.shape
    assert np.abs(out[150, 100] - (200, 150, 120)).max() <= 2  # the person, untouched inside
    assert np.abs(out[20, 20] - 230).max() <= 1  # far from the person: the new background
    assert out[252, 100].mean() < 215  # the floor just under the feet is darkened
    assert not (np.abs(out - (40, 160, 40)).max(axis=2) < 30).any()  # nothing of the old green remains


def test_harmonisation_moves_the_subject_towards_the_scene_but_bounded():
    image, alpha = _scene()
    warm = np.full((300, 200, 3), (250, 140, 40), np.uint8)
    neutral = composite_person(image=image, alpha=alpha, background=warm,
                               options=CompositeOptions(harmonise=0.0, light_wrap=0.0, shadow=0.0)).astype(int)
    tuned = composite_person(image=image, alpha=alpha, background=warm,
                             options=CompositeOptions(harmonise=1.0, light_wrap=0.0, shadow=0.0)).astype(int)
    delta = tuned[150, 100] - neutral[150, 100]
    assert delta[0] - delta[2] > 5  # warmer (more red than blue)
    assert np.abs(delta).max() < 45  # but never repainted


def test_no_contact_shadow_when_the_feet_are_out_of_frame():
    alpha = np.zeros((100, 100), np.float32)
    alpha[20:100, 40:60] = 1.0
    assert contact_shadow(alpha).max() == 0.0


def test_fit_cover_and_blurred_scene_sizes():
    assert fit_cover(np.zeros((50, 400, 3), np.uint8), 120, 90).shape == (90, 120, 3)
    image, alpha = _scene()
    blurred = blurred_scene(image=image, alpha=alpha)
    assert blurred.shape == image.shape
    assert np.abs(blurred[150, 100].astype(int) - (40, 160, 40)).max() < 30  # the person is filled in


def test_backdrop_follows_the_prompt_words():
    beige = generate_backdrop(prompt="warm beige backdrop, soft light", width=90, height=120, seed=1)
    navy = generate_backdrop(prompt="deep navy, dramatic spotlight", width=90, height=120, seed=1)
    assert beige.shape == (120, 90, 3) and beige.dtype == np.uint8
    assert beige.mean() > navy.mean() + 60  # light versus dark
    assert navy[..., 2].mean() > navy[..., 0].mean()  # blue
    assert beige[..., 0].mean() > beige[..., 2].mean()  # warm
    assert np.array_equal(beige, generate_backdrop(prompt="warm beige backdrop, soft light", width=90, height=120,
                                                   seed=1))
    left = backdrop_plan("grey wall, window light from the left")
    assert left.light_x < 0.5 and "grey" in left.understood
    assert backdrop_plan("").describe().startswith("Studio backdrop: understood nothing specific")
    assert backdrop_plan("sunset on the beach").understood == ["sunset"]
    with pytest.raises(ValueError):
        generate_backdrop(prompt="x", width=0, height=10)


def test_backdrop_library_entries_are_distinct_and_resolvable():
    ids = [b.id for b in BACKDROP_LIBRARY]
    assert len(ids) == len(set(ids)) >= 8
    assert backdrop_get("studio_white").plan.understood
    assert backdrop_get("nope") is None
