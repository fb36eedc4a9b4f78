"""Page/limit pagination with the response shape {"<items>": [...], "pagination": {...}}."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

MAX_LIMIT = 100


class PageInput(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=20)


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    limit: int
    total: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.limit) if self.total else 0

    def meta(self) -> dict[str, int]:
        return {"page": self.page, "limit": self.limit, "total": self.total, "totalPages": self.total_pages}


def paginate(*, queryset: QuerySet, page: int, limit: int) -> Page:
    total = queryset.count()
    offset = (page - 1) * limit
    items = list(queryset[offset : offset + limit]) if offset < total else []
    return Page(items=items, page=page, limit=limit, total=total)


def page_response(*, key: str, page: Page, serializer_class: type[serializers.Serializer], context=None) -> dict:
    data = serializer_class(page.items, many=True, context=context or {}).data
    return {key: data, "pagination": page.meta()}


class PaginationMetaSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    limit = serializers.IntegerField()
    total = serializers.IntegerField()
    totalPages = serializers.IntegerField()  # noqa: N815 - API field name


def paginated_serializer(*, name: str, key: str, item: type[serializers.Serializer]) -> type:
    """A named serializer class describing a paginated response, for the OpenAPI schema."""
    return type(
        name,
        (serializers.Serializer,),
        {key: item(many=True), "pagination": PaginationMetaSerializer(), "__module__": __name__},
    )
