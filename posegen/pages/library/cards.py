"""What a pose looks like on the pages: translated labels, badge colours and picture URLs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from posegen.api.library import picture_url

# The model's choice labels are not marked for translation (changing them would need a migration).
DIFFICULTY_LABELS = {"beginner": _("Beginner"), "intermediate": _("Intermediate"), "advanced": _("Advanced")}
DIFFICULTY_BADGES = {"beginner": "badge-ok", "intermediate": "badge-warn", "advanced": "badge-danger"}
GENDER_LABELS = {"unisex": _("Unisex"), "female": _("Women"), "male": _("Men")}


def picture(name: str | None) -> str | None:
    return picture_url(name)


def pose_card(row: dict[str, Any], *, favorite_ids: set, tray_ids: set[str]) -> dict[str, Any]:
    """A list row (selectors_library.LIST_COLUMNS) as the card template needs it."""
    return {
        "id": row["id"],
        "name": row["name"],
        "thumb": picture(row["thumbnail"]) or picture(row["preview_image"]),
        "difficulty": row["difficulty"],
        "difficulty_label": DIFFICULTY_LABELS.get(row["difficulty"], row["difficulty"]),
        "difficulty_badge": DIFFICULTY_BADGES.get(row["difficulty"], ""),
        "gender_label": GENDER_LABELS.get(row["gender_suitability"], row["gender_suitability"]),
        "category": row["category__display_name"],
        "is_featured": row["is_featured"],
        "is_favorite": row["id"] in favorite_ids,
        "favorite_count": row["favorite_count"],
        "in_tray": str(row["id"]) in tray_ids,
    }
