"""What a pose looks like on the pages: translated labels, badge colours and picture URLs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from posegen.library_i18n import pose_row_for_reader
from posegen.models.choices import Difficulty
from posegen.services.library_pages import picture_url

DIFFICULTY_LABELS = dict(Difficulty.choices)  # translated labels of the model's own choices
DIFFICULTY_BADGES = {"beginner": "badge-ok", "intermediate": "badge-warn", "advanced": "badge-danger"}
# Worded for a shopper browsing ("Women", not the model's "Female").
GENDER_LABELS = {"unisex": _("Unisex"), "female": _("Women"), "male": _("Men")}


def pose_thumb(row: dict[str, Any]) -> str | None:
    """The small picture of a list row: its thumbnail, else its preview."""
    return picture_url(row["thumbnail"]) or picture_url(row["preview_image"])


def pose_card(row: dict[str, Any], *, favorite_ids: set, tray_ids: set[str],
              unsupported_reason: str = "", adjusted_reason: str = "") -> dict[str, Any]:
    """A list row (selectors_library.LIST_COLUMNS) as the card template needs it, in the reader's language.
    ``unsupported_reason``: why the engine cannot make it from the chosen project's photo ("" when it can);
    ``adjusted_reason``: how it makes it adjusted for that photo ("" when as is)."""
    row = pose_row_for_reader(row)
    return {
        "id": row["id"],
        "name": row["name"],
        "thumb": pose_thumb(row),
        "difficulty": row["difficulty"],
        "difficulty_label": DIFFICULTY_LABELS.get(row["difficulty"], row["difficulty"]),
        "difficulty_badge": DIFFICULTY_BADGES.get(row["difficulty"], ""),
        "gender_label": GENDER_LABELS.get(row["gender_suitability"], row["gender_suitability"]),
        "category": row["category__display_name"],
        "is_featured": row["is_featured"],
        "is_favorite": row["id"] in favorite_ids,
        "favorite_count": row["favorite_count"],
        "in_tray": str(row["id"]) in tray_ids,
        "unsupported_reason": unsupported_reason,
        "adjusted_reason": adjusted_reason,
    }
