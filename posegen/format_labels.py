"""Export-format names as the pages say them. `posegen.imaging` stays Django-free with English names;
the words that differ by language (categories, print sizes, "Original") are translated here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from posegen.imaging.export_formats import CATEGORIES, EXPORT_FORMATS

_CATEGORY_LABELS = {
    "social": _("Social media"),
    "ecommerce": _("E-commerce"),
    "print": _("Print"),
    "original": _("Original"),
    "custom": _("Custom size"),
}
_FORMAT_LABELS = {
    "print_a4": _("Print A4 (300 DPI)"),
    "print_4x6": _("Print 4×6 in (300 DPI)"),
    "original": _("Original"),
}


def format_category_label(key: str) -> str:
    return str(_CATEGORY_LABELS.get(key, CATEGORIES.get(key, key)))


def format_label(name: str) -> str:
    """Brand formats ("Instagram Story", "Shopee Product") keep their names in every language."""
    if name in _FORMAT_LABELS:
        return str(_FORMAT_LABELS[name])
    spec = EXPORT_FORMATS.get(name)
    return spec.display_name if spec else name
