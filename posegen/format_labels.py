"""Export-format names, and why a format could not be made, as the pages and the API say them. `posegen.imaging`
stays Django-free with English names and texts; the words that differ by language (categories, print sizes,
"Original", export failures) are translated here."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from posegen.imaging.export_formats import (
    CATEGORIES,
    CUSTOM_PREFIX,
    EXPORT_FORMATS,
    UnknownExportFormat,
    export_format_get,
)

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
    """Brand formats ("Instagram Story", "Shopee Product") keep their names in every language; a custom size
    ("custom:320x200") reads "Custom 320x200" / "Kustom 320x200"."""
    if name in _FORMAT_LABELS:
        return str(_FORMAT_LABELS[name])
    if name.startswith(CUSTOM_PREFIX):
        return gettext("Custom %(size)s") % {"size": name[len(CUSTOM_PREFIX):]}
    spec = EXPORT_FORMATS.get(name)
    return spec.display_name if spec else name


# posegen.imaging.export's failure texts, stored in English in a pose's export_failures (and what the API and
# events always said); said in the reader's language where they are read (the API's exportFailures, the ZIP's
# EXPORT-FAILURES.txt). A text not known here (an older or a new one) is shown as stored.
_FAILURE_TEXTS = (gettext_noop("The image is too large to export."), gettext_noop("The image could not be read."))
_ENCODE_FAILED = " could not be encoded."
_CUSTOM_NAME = "Custom "  # posegen.imaging.export_formats.custom_format's display name


def _failure_format_label(display_name: str, name: str) -> str:
    if name in _FORMAT_LABELS:
        return str(_FORMAT_LABELS[name])
    if display_name.startswith(_CUSTOM_NAME):
        return gettext("Custom %(size)s") % {"size": display_name[len(_CUSTOM_NAME):]}
    return display_name


def export_failure_text(*, format_name: str, message: str) -> str:
    """One stored export failure (``{format_name: message}``) in the active language."""
    if message in _FAILURE_TEXTS:
        return gettext(message)
    try:
        display_name = export_format_get(format_name).display_name
    except UnknownExportFormat:
        return message
    if message == f"{display_name}{_ENCODE_FAILED}":
        return gettext("%(format)s could not be encoded.") % {
            "format": _failure_format_label(display_name, format_name)}
    return message
