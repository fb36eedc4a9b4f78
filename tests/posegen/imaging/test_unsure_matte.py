"""Unsure matte judged by its own colour (issue 14: a pale blob between the boots was sunlit pavement the
segmenter was unsure of, painted with an invented colour and made opaque; a held bag the segmenter was
unsure of was repainted with the skirt's colour). Django-free: synthetic photos and mattes."""

from __future__ import annotations

import numpy as np

from posegen.imaging.unsure_matte import judge_unsure

H, W = 300, 240
SIGMA = 4.0
SHADE = (55, 60, 58)  # the scene's shaded ground, above
SUNLIT = (228, 222, 210)  # the scene's sunlit pavement, round the feet
PERSON = (40, 50, 110)  # dark blue clothes
BLOB = (slice(230, 270), slice(130, 170))  # right of the person's feet, touching them
INNER = (slice(240, 260), slice(140 + int(2 * SIGMA), 165))  # the blob more than 2 sigma from the person


def _scene() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    rgb = np.empty((H, W, 3), np.uint8)
    rgb[:200] = SHADE
    rgb[200:] = SUNLIT
    rgb = np.clip(rgb.astype(np.int16) + rng.integers(-4, 5, rgb.shape), 0, 255).astype(np.uint8)
    alpha = np.zeros((H, W), np.float32)
    rgb[30:285, 90:130] = PERSON
    alpha[30:285, 90:130] = 1.0
    return rgb, alpha


def test_a_pale_unsure_blob_coloured_like_the_pavement_round_it_is_dropped():
    rgb, alpha = _scene()
    alpha[BLOB] = 0.85  # opaque once the cut-out stretches the matte's contrast
    out_a, colour = judge_unsure(image=rgb, alpha=alpha, sigma=SIGMA)
    assert float(out_a[INNER].max()) == 0.0
    # The person is untouched: sure pixels keep alpha 1 and their own colour.
    assert (out_a[30:285, 90:130] == 1.0).all()
    assert (colour[30:285, 90:130] == rgb[30:285, 90:130]).all()


def test_an_unsure_blob_of_the_persons_colour_beside_sure_pixels_is_kept_with_its_own_colour():
    rgb, alpha = _scene()
    rgb[BLOB] = (50, 62, 125)  # a fold of the same clothes in a little more light
    alpha[BLOB] = 0.7
    out_a, colour = judge_unsure(image=rgb, alpha=alpha, sigma=SIGMA)
    assert np.allclose(out_a[BLOB], 0.7)
    # Deep in the blob the colour is the photo's own, not a blur of the column's.
    assert (colour[INNER] == rgb[INNER]).all()


def test_an_unsure_held_thing_of_a_colour_neither_side_shows_keeps_its_matte_and_colour():
    rgb, alpha = _scene()
    rgb[BLOB] = (150, 105, 60)  # a brown bag: not the person's blue, not the pavement
    alpha[BLOB] = 0.6
    out_a, colour = judge_unsure(image=rgb, alpha=alpha, sigma=SIGMA)
    assert np.allclose(out_a[BLOB], 0.6)
    assert (colour[INNER] == rgb[INNER]).all()
    # Its rim next to the pavement is a blend of bag and ground: its colour comes from the bag's own
    # inner pixels, not the blue clothes (the old repaint gave a bag the skirt's colour).
    rim = colour[245, 168].astype(int)
    assert abs(rim - np.array([150, 105, 60])).max() <= 6


def test_a_kept_zone_keeps_scene_coloured_matte_but_less_of_a_colour_only_the_scene_shows():
    rgb, alpha = _scene()
    alpha[BLOB] = 0.85
    held = np.zeros((H, W), np.float32)
    held[220:280, 120:180] = 1.0
    rgb[BLOB] = (200, 195, 185)  # a little off the pavement: dropped by the colour test alone
    out_a, _ = judge_unsure(image=rgb, alpha=alpha, sigma=SIGMA)
    assert float(out_a[INNER].max()) == 0.0
    out_a, _ = judge_unsure(image=rgb, alpha=alpha, sigma=SIGMA, held=held)
    assert np.allclose(out_a[BLOB], 0.85)
    # The pavement's own colour: the evidence share tops out near 0.95 (NOVEL_PRIOR), so about half stays.
    rgb[BLOB] = SUNLIT
    out_a, _ = judge_unsure(image=rgb, alpha=alpha, sigma=SIGMA, held=held)
    assert 0.0 < float(out_a[INNER].max()) <= 0.5 * 0.85 + 0.05


def test_a_soft_edge_is_still_decontaminated():
    rgb, alpha = _scene()
    # A 3 px soft edge on the column's right side over the shade: half person, half ground.
    rgb[40:190, 130:133] = (np.array(PERSON) + np.array(SHADE)) // 2 + np.array([0, 0, 30])
    alpha[40:190, 130:133] = 0.5
    out_a, colour = judge_unsure(image=rgb, alpha=alpha, sigma=SIGMA)
    assert np.allclose(out_a[40:190, 130:133], 0.5)
    assert abs(colour[100, 131].astype(int) - np.array(PERSON)).max() <= 3


def test_a_matte_without_sure_or_clear_pixels_is_returned_as_it_is():
    rgb, _ = _scene()
    alpha = np.full((H, W), 0.5, np.float32)
    out_a, colour = judge_unsure(image=rgb, alpha=alpha, sigma=SIGMA)
    assert (out_a == 0.5).all()
    assert (colour == rgb).all()


def test_a_scene_coloured_patch_enclosed_by_the_person_is_kept():
    # A sunlit patch on the clothes, unsure, with sure person all round it: the person's own.
    rgb, alpha = _scene()
    rgb[240:270, 100:120] = SUNLIT
    alpha[240:270, 100:120] = 0.8
    out_a, _ = judge_unsure(image=rgb, alpha=alpha, sigma=SIGMA)
    assert np.allclose(out_a[240:270, 100:120], 0.8)
    # The same patch reaching the clear pavement beside the column goes (the blob test above, joined).
    alpha[240:270, 100:160] = 0.8
    rgb[240:270, 100:160] = SUNLIT
    out_a, _ = judge_unsure(image=rgb, alpha=alpha, sigma=SIGMA)
    assert float(out_a[245:265, 140:155].max()) == 0.0
