"""The export formats of spec 000 §2.3: exact pixel sizes, quality and file type per platform."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFormat:
    name: str
    display_name: str
    width: int | None  # None: keep the original size
    height: int | None
    aspect_ratio: str
    file_format: str  # "jpeg" | "png"
    quality: int
    category: str  # social | ecommerce | print | original
    dpi: int | None = None

    @property
    def extension(self) -> str:
        return "jpg" if self.file_format == "jpeg" else "png"


EXPORT_FORMATS: dict[str, ExportFormat] = {
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

MAX_FORMATS_PER_GENERATION = 10
