"""The export formats of spec 000 §2.3: exact pixel sizes, quality and file type per platform.

WebP (spec 000 §2.3 "format conversion (JPEG, PNG, WebP)"): every JPEG format and the original have a
WebP twin named `<name>_webp` — same pixel size, same per-format quality (the original stays lossless),
about a third smaller than the JPEG. `custom:WxH_webp` is the WebP twin of a custom size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFormat:
    name: str
    display_name: str
    width: int | None  # None: keep the original size
    height: int | None
    aspect_ratio: str
    file_format: str  # "jpeg" | "png" | "webp"
    quality: int
    category: str  # social | ecommerce | print | original
    dpi: int | None = None

    @property
    def extension(self) -> str:
        return {"jpeg": "jpg", "webp": "webp"}.get(self.file_format, "png")

    @property
    def content_type(self) -> str:
        return f"image/{self.file_format}"


WEBP_SUFFIX = "_webp"


def webp_twin(spec: ExportFormat) -> ExportFormat:
    """The same size and quality as ``spec``, encoded as WebP."""
    return ExportFormat(f"{spec.name}{WEBP_SUFFIX}", f"{spec.display_name} (WebP)", spec.width, spec.height,
                        spec.aspect_ratio, "webp", spec.quality, spec.category)


# The 13 formats of spec 000 §2.3 (JPEG and PNG), the benchmark's set.
SPEC_FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("instagram_story", "Instagram Story", 1080, 1920, "9:16", "jpeg", 90, "social"),
        ExportFormat("instagram_feed", "Instagram Feed", 1080, 1080, "1:1", "jpeg", 85, "social"),
        ExportFormat("instagram_portrait", "Instagram Portrait", 1080, 1350, "4:5", "jpeg", 85, "social"),
        ExportFormat("tiktok", "TikTok", 1080, 1920, "9:16", "jpeg", 90, "social"),
        ExportFormat("facebook_post", "Facebook Post", 1200, 630, "1.91:1", "jpeg", 85, "social"),
        ExportFormat("twitter_post", "Twitter / X Post", 1200, 675, "16:9", "jpeg", 85, "social"),
        ExportFormat("linkedin_post", "LinkedIn Post", 1200, 627, "1.91:1", "jpeg", 85, "social"),
        ExportFormat("shopee_product", "Shopee Product", 1000, 1000, "1:1", "jpeg", 95, "ecommerce"),
        ExportFormat("tokopedia_product", "Tokopedia Product", 1200, 1200, "1:1", "jpeg", 95, "ecommerce"),
        ExportFormat("lazada_product", "Lazada Product", 1000, 1000, "1:1", "jpeg", 95, "ecommerce"),
        ExportFormat("print_a4", "Print A4 (300 DPI)", 2480, 3508, "A4", "png", 100, "print", dpi=300),
        ExportFormat("print_4x6", "Print 4×6 in (300 DPI)", 1800, 1200, "3:2", "png", 100, "print", dpi=300),
        ExportFormat("original", "Original", None, None, "original", "png", 100, "original"),
    )
}
# Print stays PNG only: print shops and their RIP software take PNG/TIFF/JPEG, not WebP.
EXPORT_FORMATS: dict[str, ExportFormat] = {
    **SPEC_FORMATS,
    **{f"{name}{WEBP_SUFFIX}": webp_twin(spec) for name, spec in SPEC_FORMATS.items() if spec.category != "print"},
}

MAX_FORMATS_PER_GENERATION = 10


# --- catalogue for the API: categories, recommendations, size estimates, custom sizes ---------------
CATEGORIES: dict[str, str] = {
    "social": "Social media",
    "ecommerce": "E-commerce",
    "print": "Print",
    "original": "Original",
    "custom": "Custom size",
}

# Spec 000 §2.3 getRecommendedFormats, with the spec's short names ("facebook", "twitter") spelled as
# the formats are actually named.
RECOMMENDED: dict[str, tuple[str, ...]] = {
    "social_media": ("instagram_story", "instagram_feed", "tiktok", "facebook_post"),
    "ecommerce": ("shopee_product", "tokopedia_product", "lazada_product", "original"),
    "print": ("print_a4", "print_4x6", "original"),
    "all_social": ("instagram_story", "instagram_feed", "tiktok", "facebook_post", "twitter_post", "linkedin_post"),
}

# Custom sizes: `custom:WxH`, each side within these bounds (and the area within CUSTOM_MAX_PIXELS).
CUSTOM_PREFIX = "custom:"
CUSTOM_MIN_SIDE = 64
CUSTOM_MAX_SIDE = 4096
CUSTOM_MAX_PIXELS = 4096 * 4096
CUSTOM_QUALITY = 90
_CUSTOM_RE = re.compile(r"^custom:([1-9][0-9]{1,4})x([1-9][0-9]{1,4})(_webp)?$")

# Bytes per output pixel measured on the benchmark's 20 studio images (bench/bench_export.py): a
# JPEG's size depends mostly on its quality, a lossless PNG's on the content. Used only to tell the
# user roughly how large a download will be.
_BYTES_PER_PIXEL = {("jpeg", 85): 0.11, ("jpeg", 90): 0.12, ("jpeg", 95): 0.20, ("png", 100): 1.2,
                    ("webp", 85): 0.07, ("webp", 90): 0.09, ("webp", 95): 0.13, ("webp", 100): 0.8}
ORIGINAL_ESTIMATE_PIXELS = 1024 * 1536


class UnknownExportFormat(ValueError):
    """The name is neither one of EXPORT_FORMATS nor a valid, in-bounds `custom:WxH`."""


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def custom_format(*, width: int, height: int) -> ExportFormat:
    if not (CUSTOM_MIN_SIDE <= width <= CUSTOM_MAX_SIDE and CUSTOM_MIN_SIDE <= height <= CUSTOM_MAX_SIDE):
        raise UnknownExportFormat(
            f"Custom sizes must be {CUSTOM_MIN_SIDE}–{CUSTOM_MAX_SIDE} pixels on each side."
        )
    if width * height > CUSTOM_MAX_PIXELS:
        raise UnknownExportFormat(f"Custom sizes may have at most {CUSTOM_MAX_PIXELS} pixels.")
    g = _gcd(width, height)
    return ExportFormat(f"{CUSTOM_PREFIX}{width}x{height}", f"Custom {width}×{height}", width, height,
                        f"{width // g}:{height // g}", "jpeg", CUSTOM_QUALITY, "custom")


def export_format_get(name: str) -> ExportFormat:
    """The named format, or a custom one for `custom:WxH`; UnknownExportFormat otherwise."""
    spec = EXPORT_FORMATS.get(name)
    if spec is not None:
        return spec
    match = _CUSTOM_RE.match(name or "")
    if match is None:
        raise UnknownExportFormat(
            f"Unknown export format {name!r}. Use one of {', '.join(EXPORT_FORMATS)} or custom:WIDTHxHEIGHT"
            f" (custom:WIDTHxHEIGHT{WEBP_SUFFIX} for WebP)."
        )
    spec = custom_format(width=int(match.group(1)), height=int(match.group(2)))
    return webp_twin(spec) if match.group(3) else spec


def file_label(name: str) -> str:
    """The format's name as it may appear in a file name (`custom:800x600` → `custom-800x600`)."""
    return name.replace(":", "-")


def estimated_bytes(spec: ExportFormat) -> int:
    pixels = (spec.width * spec.height) if spec.width and spec.height else ORIGINAL_ESTIMATE_PIXELS
    per_pixel = _BYTES_PER_PIXEL.get((spec.file_format, spec.quality))
    if per_pixel is None:
        per_pixel = 1.2 if spec.file_format == "png" else 0.02 + 0.0012 * spec.quality
        if spec.file_format == "webp":
            per_pixel *= 0.65
    return int(pixels * per_pixel)


def estimated_size(spec: ExportFormat) -> str:
    """Spec 000 §2.3 estimateFileSize: a rough, human-readable size ("~150 KB", "~7.4 MB")."""
    size = estimated_bytes(spec)
    if size >= 1024 * 1024:
        return f"~{size / (1024 * 1024):.1f} MB"
    return f"~{max(1, round(size / 1024, -1 if size >= 100 * 1024 else 0)):.0f} KB"


def formats_by_category() -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {key: [] for key in CATEGORIES if key != "custom"}
    for spec in EXPORT_FORMATS.values():
        grouped.setdefault(spec.category, []).append(spec.name)
    return grouped
