"""The library list's pages, rendered and cached: the JSON item of a pose, its pictures' URLs, and one
list page rendered to bytes and stored for everyone who reads the same query in the same language.

Both the DRF view (posegen/api/library.py) and the ASGI fast path (posegen/api/library_asgi.py) serve what
this stores, and the Celery task that refreshes a stale page (posegen.tasks.library_page_refresh) renders
it here. Speed: items are built straight from ``.values()`` rows (at 100 items per page a DRF serializer
costs more than the query), and pictures of local storage get their URL without ``urljoin``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from django.utils.encoding import filepath_to_uri
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from lumiku.core.pagination import Page
from lumiku.core.storage import storage_url
from posegen.library_cache import library_page_store
from posegen.library_i18n import pose_row_for_reader, reader_language
from posegen.selectors.library import library_browse

logger = logging.getLogger(__name__)
_DATETIME = serializers.DateTimeField()


def _picture_url() -> Callable[[str | None], str | None]:
    """storage_url, without urljoin for local storage (our names are generated, never '../')."""
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        base = storage.base_url

        def local(name: str | None) -> str | None:
            return base + filepath_to_uri(name).lstrip("/") if name else None

        return local
    return storage_url


_url_for: Callable[[str | None], str | None] | None = None


def picture_url(name: str | None) -> str | None:
    global _url_for
    if _url_for is None:
        _url_for = _picture_url()
    return _url_for(name)


# The URL function is chosen once per process; a test that swaps the storage settings chooses again.
@receiver(setting_changed)
def _storage_changed(*, setting: str, **kwargs: Any) -> None:
    global _url_for
    if setting in ("STORAGES", "MEDIA_URL", "MEDIA_ROOT"):
        _url_for = None


def pose_item(row: dict[str, Any], *, favorite_ids: set) -> dict[str, Any]:
    """The camelCase list item for a ``posegen.selectors.library.LIST_COLUMNS`` row, its texts in the reader's
    language (ids, slugs and the stored English stay as they are)."""
    row = pose_row_for_reader(row)
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "description": row["description"],
        "categoryId": str(row["category_id"]),
        "category": {"id": str(row["category_id"]), "slug": row["category__slug"], "name": row["category__name"],
                     "displayName": row["category__display_name"]},
        "previewImageUrl": picture_url(row["preview_image"]),
        "referenceImageUrl": picture_url(row["reference_image"]),
        "controlnetImageUrl": picture_url(row["controlnet_image"]),
        "thumbnailUrl": picture_url(row["thumbnail"]),
        "difficulty": row["difficulty"],
        "genderSuitability": row["gender_suitability"],
        "tags": row["tags"],
        "sourceType": row["source_type"],
        "sourceCredit": row["source_credit"],
        "licenseType": row["license_type"],
        "usageCount": row["usage_count"],
        "favoriteCount": row["favorite_count"],
        "ratingAvg": row["rating_avg"],
        "popularityScore": row["popularity_score"],
        "isPublic": row["is_public"],
        "isFeatured": row["is_featured"],
        "isPremium": row["is_premium"],
        "isFavorite": row["id"] in favorite_ids,
        "createdAt": _DATETIME.to_representation(row["created_at"]),
    }


def library_page_render(*, filters: dict, page_number: int, limit: int, owner=None, key: str | None,
                        language: str | None = None) -> bytes:
    """Render one list page as JSON bytes (favourites unset) and, given a key, store it for everyone
    who reads that language (default: the active one)."""
    with translation.override(language) if language else contextlib.nullcontext():
        page = library_browse(user=owner, page=page_number, limit=limit, with_favorite_ids=False, **filters)
        meta = Page(items=page.rows, page=page.page, limit=page.limit, total=page.total).meta()
        body = {"poses": [pose_item(r, favorite_ids=set()) for r in page.rows], "pagination": meta}
    encoded = JSONRenderer().render(body)
    if key:
        library_page_store(key, encoded)  # shared by everyone: nothing personal in it
    return encoded


def list_page_cache_parts(*, filters: dict[str, Any], page: int, limit: int,
                          language: str | None = None) -> dict[str, Any] | None:
    """What a list page is cached under (its reader's language included: names and categories are
    translated); None for pages that are never cached (personal favourites)."""
    if filters["favorites"]:
        return None
    return {**filters, "page": page, "limit": limit, "language": reader_language(language)}


def library_page_refresh_enqueue(*, filters: dict, page_number: int, limit: int, key: str, language: str) -> None:
    """Have a worker render a stale page again (posegen.tasks.library_page_refresh), best effort: with the
    broker down the page's refresh lock expires and a later reader asks again."""
    from posegen.tasks import library_page_refresh

    try:
        library_page_refresh.delay(filters, page_number, limit, key, language)
    except Exception:
        logger.warning("library page refresh not queued", exc_info=True)
