"""What the landing page shows of the product, honestly.

- The operator's showcase: before/after pairs of real results the operator owns, from the storage
  folder ``LANDING_SHOWCASE_DIR`` (``<name>-before.<ext>`` next to ``<name>-after.<ext>``; JPEG, PNG
  or WebP). The project's own licensed photos include no full-body seller photo, so it ships none.
- Without one: library mannequins a seller would use (standing, hands on hips, walking, holding a
  product; featured first), never the dance, fitness, jumping or lying poses.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage

from lumiku.core.storage import storage_url
from posegen.library_i18n import pose_name_for_reader
from posegen.models import PoseLibrary
from posegen.posekit.catalog.categories import SELLER_STAPLES

SELLER_CATEGORIES = SELLER_STAPLES
_PAIR = re.compile(r"^(?P<name>.+)-(?P<side>before|after)\.(?:jpe?g|png|webp)$", re.I)


def landing_poses(*, limit: int = 8) -> list[dict[str, Any]]:
    """Seller-relevant public poses with a picture: name (reader's language) and picture URL."""
    rows = (PoseLibrary.objects.filter(is_public=True, category__slug__in=SELLER_CATEGORIES)
            .exclude(thumbnail="", preview_image="")
            .order_by("-is_featured", "-popularity_score", "name")
            .values("name", "thumbnail", "preview_image")[:limit])
    return [{"name": pose_name_for_reader(row["name"]), "url": storage_url(row["thumbnail"] or row["preview_image"])}
            for row in rows]


def landing_showcase(*, limit: int = 6) -> list[dict[str, Any]]:
    """The operator's before/after pairs (complete pairs only, by name); empty without the setting."""
    folder = (getattr(settings, "LANDING_SHOWCASE_DIR", "") or "").strip().strip("/")
    if not folder:
        return []
    try:
        _, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError, OSError):
        return []
    pairs: dict[str, dict[str, str]] = {}
    for filename in files:
        match = _PAIR.match(filename)
        if match:
            pairs.setdefault(match["name"], {})[match["side"].lower()] = f"{folder}/{filename}"
    return [{"name": name.replace("-", " ").replace("_", " "), "before": storage_url(pair["before"]),
             "after": storage_url(pair["after"])}
            for name, pair in sorted(pairs.items()) if {"before", "after"} <= pair.keys()][:limit]
