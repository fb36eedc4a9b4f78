"""posegen.imaging.export: exact sizes, crop around the subject, encoding settings, watermark, custom sizes."""

import io
import random

import numpy as np
import pytest
from PIL import Image, ImageCms

from posegen.imaging.export import ExportError, Watermark, cover_window, export_image, export_many
from posegen.imaging.export_formats import (
    EXPORT_FORMATS,
    RECOMMENDED,
    UnknownExportFormat,
    estimated_size,
    export_format_get,
    file_label,
    formats_by_category,
)

SPEC_000 = {  # spec 000 §2.3: name -> (width, height, type, quality)
    "instagram_story": (1080, 1920, "jpeg", 90), "instagram_feed": (1080, 1080, "jpeg", 85),
    "instagram_portrait": (1080, 1350, "jpeg", 85), "tiktok": (1080, 1920, "jpeg", 90),
    "facebook_post": (1200, 630, "jpeg", 85), "twitter_post": (1200, 675, "jpeg", 85),
    "linkedin_post": (1200, 627, "jpeg", 85), "shopee_product": (1000, 1000, "jpeg", 95),
    "tokopedia_product": (1200, 1200, "jpeg", 95), "lazada_product": (1000, 1000, "jpeg", 95),
    "print_a4": (2480, 3508, "png", 100), "print_4x6": (1800, 1200, "png", 100), "original": (None, None, "png", 100),
}


def _photo(width=512, height=768, subject=(300, 120, 420, 700), fmt="PNG", **save) -> bytes:
    """A grey studio with a red 'person' box; EXIF and an ICC profile when asked."""
    img = np.full((height, width, 3), 190, np.uint8)
    x0, y0, x1, y1 = subject
    img[y0:y1, x0:x1] = (220, 30, 30)
    out = io.BytesIO()
    Image.fromarray(img).save(out, fmt, **save)
    return out.getvalue()


def _red_pixels(data: bytes) -> int:
    arr = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)
    return int(((arr[..., 0] > 160) & (arr[..., 1] < 90) & (arr[..., 2] < 90)).sum())


def test_every_format_of_spec_000_with_exact_size_type_and_quality():
    assert {name: (f.width, f.height, f.file_format, f.quality) for name, f in EXPORT_FORMATS.items()} == SPEC_000
    out = export_image(data=_photo(), formats=EXPORT_FORMATS.values(), subject=(300, 120, 420, 700))
    assert set(out) == set(SPEC_000)
    for name, (width, height, kind, _q) in SPEC_000.items():
        img = Image.open(io.BytesIO(out[name].data))
        assert img.format == ("JPEG" if kind == "jpeg" else "PNG")
        assert img.size == ((width, height) if width else (512, 768)), name
        assert not img.info.get("exif") and not img.info.get("icc_profile"), name
        if kind == "jpeg":
            assert img.info.get("progressive") == 1, name  # progressive, Huffman-optimised
            assert img.mode == "RGB"
    for name in ("print_a4", "print_4x6"):
        dpi = Image.open(io.BytesIO(out[name].data)).info["dpi"]
        assert (round(dpi[0]), round(dpi[1])) == (300, 300)


def test_metadata_is_stripped_orientation_applied_and_profile_converted():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    exif[0x010F] = "SecretCam"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = _photo(width=300, height=200, subject=(10, 10, 60, 60), fmt="JPEG", exif=exif, icc_profile=srgb,
                  quality=95)
    out = export_image(data=data, formats=[EXPORT_FORMATS["original"], EXPORT_FORMATS["instagram_feed"]])
    original = Image.open(io.BytesIO(out["original"].data))
    assert original.size == (200, 300)  # EXIF orientation applied before export
    for item in out.values():
        assert b"SecretCam" not in item.data
        info = Image.open(io.BytesIO(item.data)).info
        assert "exif" not in info and "icc_profile" not in info


@pytest.mark.parametrize("name", [n for n in SPEC_000 if n != "original"])
def test_the_subject_is_never_cut(name):
    # The red subject hugs the right edge: a centre crop would cut it in every landscape format.
    subject = (420, 60, 510, 740)
    data = _photo(subject=subject)
    spec = EXPORT_FORMATS[name]
    out = export_image(data=data, formats=[spec], subject=subject)[name]
    scale_x = spec.width / cover_window(src_w=512, src_h=768, dst_w=spec.width, dst_h=spec.height,
                                        subject=subject)[2]
    expected = (subject[2] - subject[0]) * (subject[3] - subject[1]) * scale_x * scale_x
    assert _red_pixels(out.data) == pytest.approx(expected, rel=0.08)


def test_cover_window_properties_on_random_cases():
    rng = random.Random(7)
    for _ in range(500):
        sw, sh = rng.randint(64, 3000), rng.randint(64, 3000)
        dw, dh = rng.randint(64, 3000), rng.randint(64, 3000)
        x0, y0 = rng.uniform(0, sw - 2), rng.uniform(0, sh - 2)
        subject = (x0, y0, rng.uniform(x0 + 1, sw), rng.uniform(y0 + 1, sh))
        left, top, w, h = cover_window(src_w=sw, src_h=sh, dst_w=dw, dst_h=dh, subject=subject)
        assert abs((w / h) / (dw / dh) - 1.0) < 2.0 / min(w, h) + 1e-6
        assert left <= subject[0] + 1 and top <= subject[1] + 1
        assert left + w >= subject[2] - 1 and top + h >= subject[3] - 1
        if w <= sw and h <= sh:  # it fits: never past the image
            assert left >= 0 and top >= 0 and left + w <= sw and top + h <= sh
    assert cover_window(src_w=1000, src_h=500, dst_w=100, dst_h=100) == (250, 0, 500, 500)


def test_custom_sizes_are_bounded():
    spec = export_format_get("custom:800x600")
    assert (spec.width, spec.height, spec.aspect_ratio, spec.file_format, spec.category) == (
        800, 600, "4:3", "jpeg", "custom")
    assert file_label(spec.name) == "custom-800x600"
    for bad in ("custom:10x10", "custom:5000x100", "custom:800x", "custom:-1x5", "custom:800x600x2", "tiktok2", ""):
        with pytest.raises(UnknownExportFormat):
            export_format_get(bad)
    img = Image.open(io.BytesIO(export_image(data=_photo(), formats=[spec])[spec.name].data))
    assert img.size == (800, 600)


def test_watermark_goes_in_the_chosen_corner_at_the_chosen_opacity():
    logo = io.BytesIO()
    Image.new("RGBA", (100, 50), (0, 0, 255, 255)).save(logo, "PNG")
    data = _photo(subject=(200, 200, 300, 500))
    spec = EXPORT_FORMATS["instagram_feed"]
    plain = np.asarray(Image.open(io.BytesIO(export_image(data=data, formats=[spec])[spec.name].data))).astype(int)
    marked = export_image(data=data, formats=[spec], watermark=Watermark(logo=logo.getvalue(), corner="top_left",
                                                                      opacity=0.5))[spec.name]
    arr = np.asarray(Image.open(io.BytesIO(marked.data))).astype(int)
    # Blue at half strength over the grey studio in the top-left corner: red halves, blue rises.
    assert abs(arr[60, 60, 0] - plain[60, 60, 0] / 2) <= 8
    assert abs(arr[60, 60, 2] - (plain[60, 60, 2] + 255) / 2) <= 8
    assert abs(arr[-40, -40] - plain[-40, -40]).max() <= 3  # the opposite corner untouched
    with pytest.raises(ExportError):
        Watermark(logo=b"x", corner="middle")
    with pytest.raises(ExportError):
        export_image(data=data, formats=[spec], watermark=Watermark(logo=b"not an image"))


def test_undecodable_input_is_an_export_error():
    with pytest.raises(ExportError):
        export_image(data=b"GIF89a nonsense", formats=[EXPORT_FORMATS["tiktok"]])


def test_export_many_keeps_order_and_decodes_each_image_once():
    sources = [(f"img{i}", _photo(subject=(10 * i + 10, 50, 10 * i + 100, 400))) for i in range(5)]
    results = list(export_many(sources=iter(sources), formats=[EXPORT_FORMATS["shopee_product"],
                                                               EXPORT_FORMATS["print_4x6"]]))
    assert [name for name, _ in results] == [f"img{i}" for i in range(5)]
    assert all(set(r) == {"shopee_product", "print_4x6"} for _, r in results)


def test_catalogue_helpers():
    assert formats_by_category() == {
        "social": ["instagram_story", "instagram_feed", "instagram_portrait", "tiktok", "facebook_post",
                   "twitter_post", "linkedin_post"],
        "ecommerce": ["shopee_product", "tokopedia_product", "lazada_product"],
        "print": ["print_a4", "print_4x6"], "original": ["original"],
    }
    assert all(name in EXPORT_FORMATS for names in RECOMMENDED.values() for name in names)
    assert estimated_size(EXPORT_FORMATS["print_a4"]).endswith("MB")
    assert estimated_size(EXPORT_FORMATS["instagram_feed"]).endswith("KB")
