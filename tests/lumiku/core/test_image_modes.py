"""Every decodable mode is stored with the pixels it showed (issue 18 §8): 16-bit grey was stored white."""

import io

import numpy as np
import pytest
from PIL import Image

from lumiku.core.images import image_clean_upload


def _encode(img: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **params)
    return out.getvalue()


def _clean(data: bytes) -> Image.Image:
    cleaned = image_clean_upload(upload=io.BytesIO(data))
    return Image.open(io.BytesIO(cleaned.content))


def test_16_bit_grey_png_keeps_its_tones():
    source = Image.fromarray(np.array([[0, 65535], [32768, 1000]], dtype=np.uint16))
    data = _encode(source, "PNG")
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    stored = _clean(data)
    assert stored.mode == "L"
    assert np.array(stored).tolist() == [[0, 255], [128, 3]]


def test_grey_with_alpha_png_keeps_grey_and_alpha():
    source = Image.new("LA", (2, 1))
    source.putpixel((0, 0), (100, 50))
    source.putpixel((1, 0), (200, 255))
    stored = _clean(_encode(source, "PNG"))
    assert stored.mode == "LA"
    assert list(stored.get_flattened_data()) == [(100, 50), (200, 255)]


def test_palette_png_with_a_transparent_entry_keeps_it_transparent():
    source = Image.new("P", (2, 1))
    source.putpalette([255, 0, 0, 0, 0, 255])
    source.putpixel((1, 0), 1)
    stored = _clean(_encode(source, "PNG", transparency=0))
    assert stored.mode == "RGBA"
    assert list(stored.get_flattened_data()) == [(255, 0, 0, 0), (0, 0, 255, 255)]


def test_palette_png_without_transparency_is_rgb():
    source = Image.new("P", (2, 1))
    source.putpalette([10, 20, 30, 200, 100, 50])
    source.putpixel((1, 0), 1)
    stored = _clean(_encode(source, "PNG"))
    assert stored.mode == "RGB"
    assert list(stored.get_flattened_data()) == [(10, 20, 30), (200, 100, 50)]


def test_one_bit_png_is_black_and_white():
    source = Image.new("1", (2, 1))
    source.putpixel((1, 0), 1)
    stored = _clean(_encode(source, "PNG"))
    assert list(stored.convert("L").get_flattened_data()) == [0, 255]


@pytest.mark.parametrize(("cmyk", "rgb"), [((0, 255, 255, 0), (255, 0, 0)), ((255, 0, 255, 0), (0, 255, 0)),
                                           ((0, 0, 0, 255), (0, 0, 0)), ((0, 0, 0, 0), (255, 255, 255))])
def test_cmyk_jpeg_is_stored_as_the_same_colour_in_rgb(cmyk, rgb):
    data = _encode(Image.new("CMYK", (16, 16), cmyk), "JPEG", quality=95)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    stored = _clean(data)
    assert stored.mode == "RGB"
    mean = np.array(stored).reshape(-1, 3).mean(axis=0)
    assert np.abs(mean - np.array(rgb)).max() <= 6, mean


def test_rgba_webp_keeps_alpha():
    source = Image.new("RGBA", (8, 8), (10, 200, 30, 0))
    source.paste((250, 20, 40, 255), (0, 0, 4, 8))
    stored = _clean(_encode(source, "WEBP", lossless=True))
    assert stored.mode == "RGBA"
    assert np.abs(np.array(stored.getpixel((0, 0))) - (250, 20, 40, 255)).max() <= 3  # stored lossy at q92
    assert stored.getpixel((7, 7))[3] == 0
