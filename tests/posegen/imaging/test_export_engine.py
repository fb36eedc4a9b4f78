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


WEBP_TWINS = {f"{name}_webp": (w, h, "webp", q) for name, (w, h, _kind, q) in SPEC_000.items()
              if not name.startswith("print_")}


def test_every_format_of_spec_000_with_exact_size_type_and_quality():
    assert {name: (f.width, f.height, f.file_format, f.quality) for name, f in EXPORT_FORMATS.items()} == {
        **SPEC_000, **WEBP_TWINS}
    out = export_image(data=_photo(), formats=[EXPORT_FORMATS[n] for n in SPEC_000], subject=(300, 120, 420, 700))
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
    } | {key: names + [f"{n}_webp" for n in names] for key, names in {
        "social": ["instagram_story", "instagram_feed", "instagram_portrait", "tiktok", "facebook_post",
                   "twitter_post", "linkedin_post"],
        "ecommerce": ["shopee_product", "tokopedia_product", "lazada_product"], "original": ["original"]}.items()}
    assert all(name in EXPORT_FORMATS for names in RECOMMENDED.values() for name in names)
    assert estimated_size(EXPORT_FORMATS["print_a4"]).endswith("MB")
    assert estimated_size(EXPORT_FORMATS["instagram_feed"]).endswith("KB")


def test_webp_twins_keep_size_and_per_format_quality():
    data = _photo(subject=(200, 200, 300, 500))
    names = ["instagram_feed", "shopee_product", "original"]
    out = export_image(data=data, formats=[EXPORT_FORMATS[n] for n in names + [f"{n}_webp" for n in names]])
    for name in names:
        jpeg_or_png, webp = out[name], out[f"{name}_webp"]
        img = Image.open(io.BytesIO(webp.data))
        assert (img.format, img.size, webp.extension, webp.content_type) == (
            "WEBP", (jpeg_or_png.width, jpeg_or_png.height), "webp", "image/webp")
        assert b"EXIF" not in webp.data and b"ICCP" not in webp.data
    # The original stays lossless; the others follow their format's quality (85 below 95: smaller).
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(out["original_webp"].data)).convert("RGB")),
                          np.asarray(Image.open(io.BytesIO(out["original"].data)).convert("RGB")))
    # Same 1000×1000 window: Shopee's quality 95 makes a larger file than a custom size's 90.
    q90 = export_image(data=data, formats=[export_format_get("custom:1000x1000_webp")])["custom:1000x1000_webp"]
    assert export_format_get("custom:1000x1000_webp").quality == 90
    assert Image.open(io.BytesIO(q90.data)).size == (1000, 1000)
    assert len(out["shopee_product_webp"].data) > len(q90.data)
    assert EXPORT_FORMATS["instagram_feed_webp"].quality == 85 and EXPORT_FORMATS["shopee_product_webp"].quality == 95
    assert "print_a4_webp" not in EXPORT_FORMATS


def test_png_is_filtered_and_fast_compressed_and_smaller_than_unfiltered():
    import pyvips

    from posegen.imaging import export as export_module

    rng = np.random.default_rng(3)
    gradient = (np.linspace(0, 255, 700)[None, :, None] + rng.normal(0, 2, (500, 700, 3))).clip(0, 255)
    buf = io.BytesIO()
    Image.fromarray(gradient.astype(np.uint8)).save(buf, "PNG")
    out = export_image(data=buf.getvalue(), formats=[EXPORT_FORMATS["original"]])["original"].data
    unfiltered = pyvips.Image.new_from_buffer(buf.getvalue(), "").pngsave_buffer(compression=6, keep="none")
    assert (export_module.PNG_COMPRESSION, export_module.PNG_FILTER) == (1, "up")
    assert len(out) < len(unfiltered)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(out))), gradient.astype(np.uint8))  # still lossless


def _failing_encode(monkeypatch, failing: set[str]):
    from posegen.imaging import export as export_module

    real = export_module._encode

    def encode(image, spec):
        if spec.name in failing:
            raise pyvips_error()
        return real(image, spec)

    def pyvips_error():
        import pyvips

        return pyvips.Error("out of memory in the encoder")

    monkeypatch.setattr(export_module, "_encode", encode)


def test_a_failing_format_leaves_the_others_and_is_reported(monkeypatch):
    _failing_encode(monkeypatch, {"tiktok"})
    specs = [EXPORT_FORMATS[n] for n in ("tiktok", "instagram_feed", "original_webp")]
    failed: dict[str, str] = {}
    out = export_image(data=_photo(), formats=specs, failed=failed)
    assert set(out) == {"instagram_feed", "original_webp"}
    assert failed == {"tiktok": "TikTok could not be encoded."}
    with pytest.raises(ExportError, match="TikTok could not be encoded"):  # without failed=: all or nothing
        export_image(data=_photo(), formats=specs)
    with pytest.raises(ExportError):  # an unreadable source is still an error: no format can be made
        export_image(data=b"nonsense", formats=specs, failed={})


def test_export_many_finds_the_subject_on_the_pool_and_reports_failures_per_image(monkeypatch):
    _failing_encode(monkeypatch, {"print_4x6"})
    seen = []

    def find_subject(data):
        seen.append(len(data))
        return (420, 60, 510, 740)  # hugging the right edge: a centre crop would cut it

    sources = [(f"img{i}", _photo(subject=(420, 60, 510, 740))) for i in range(3)]
    failed: dict[str, dict[str, str]] = {}
    results = list(export_many(sources=iter(sources), formats=[EXPORT_FORMATS["facebook_post"],
                                                               EXPORT_FORMATS["print_4x6"]],
                               find_subject=find_subject, failed=failed))
    assert len(seen) == 3
    assert [name for name, _ in results] == ["img0", "img1", "img2"]
    assert all(set(r) == {"facebook_post"} for _, r in results)
    assert failed == {f"img{i}": {"print_4x6": "Print 4×6 in (300 DPI) could not be encoded."} for i in range(3)}
    spec = EXPORT_FORMATS["facebook_post"]
    expected = 90 * 680 * (spec.width / cover_window(src_w=512, src_h=768, dst_w=spec.width, dst_h=spec.height,
                                                     subject=(420, 60, 510, 740))[2]) ** 2
    assert _red_pixels(results[0][1]["facebook_post"].data) == pytest.approx(expected, rel=0.08)
