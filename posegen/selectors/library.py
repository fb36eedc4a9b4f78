"""Reads for the pose library: browsing with filters, search and sorting; one pose; the category tree.

Only public poses are ever listed or shown. Categories are a small tree (tens of rows), read whole
and walked in Python; a category filter includes all its descendants.

Search. A query (Bahasa Indonesia or English, colloquial, with typos) becomes groups of the
catalogue's own wording by :func:`posegen.posekit.search_terms.search_plan` ("berkacak pinggang" ->
"hands on hips"); every group must match, any of its alternatives may. A pose concept is looked for
in names and tags only (every description ends with what the pose is good for); a word nobody's
vocabulary knows, in the description too. On PostgreSQL: the trigger-maintained ``search_vector``
(name A, tags B, description C; English stemming), in the requested order (popular by default, or
``relevance``: text rank); alternatives whose stop words carry the meaning ("looking up") as text;
when nothing matches, trigram similarity on the name (typos the vocabulary could not fix). On
SQLite: the same alternatives at the start of a word (regular expressions). Relevance is opt-in
because ranking thousands of matches costs tens of milliseconds on 50,000 poses, while the popular
order walks an index and stops after one page.

Totals for the pagination block are cached for ``COUNT_CACHE_SECONDS`` per filter combination:
counting 50,000 rows on every page view costs more than the page itself. Writes that change what
is listed (seeding, hiding poses) call :func:`library_cache_bump`; anything else (an admin edit) is
reflected within the cache lifetime.
"""

from __future__ import annotations

import operator
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.core.cache import cache
from django.db.models import F, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast

from lumiku.core.errors import NotFound, ValidationFailed
from posegen.library_cache import library_cache_get_bytes, library_cache_key, library_cache_set_bytes
from posegen.models import PoseCategory, PoseLibrary
from posegen.models.library import PoseFavorite
from posegen.posekit.search_terms import search_plan

SORTS = ("popular", "newest", "name", "relevance")
COUNT_CACHE_SECONDS = 60
_SEARCH_WORDS = 8
_TRIGRAM_THRESHOLD = 0.3

# The columns a list item needs (the list never loads keypoints, OpenPose JSON or the search vector).
LIST_COLUMNS = (
    "id", "name", "description", "category_id", "category__slug", "category__name", "category__display_name",
    "preview_image", "reference_image", "controlnet_image", "thumbnail", "difficulty", "gender_suitability", "tags",
    "source_type", "source_credit", "license_type", "usage_count", "favorite_count", "rating_avg", "popularity_score",
    "is_public", "is_featured", "is_premium", "created_at",
)
DETAIL_EXTRA_COLUMNS = ("keypoints", "openpose_json", "pose_structure")


@dataclass(frozen=True)
class CategoryNode:
    id: uuid.UUID
    slug: str
    name: str
    display_name: str
    description: str
    icon: str
    color: str
    display_order: int
    direct_count: int
    parent_id: uuid.UUID | None
    children: list[CategoryNode]

    @property
    def pose_count(self) -> int:
        """Public poses here and in every descendant."""
        return self.direct_count + sum(child.pose_count for child in self.children)

    def descendant_ids(self) -> list[uuid.UUID]:
        ids = [self.id]
        for child in self.children:
            ids += child.descendant_ids()
        return ids


def category_tree(*, active_only: bool = True) -> list[CategoryNode]:
    """Root categories (ordered by display order, then name) with their children nested."""
    rows = PoseCategory.objects.all()
    if active_only:
        rows = rows.filter(is_active=True)
    rows = rows.order_by("display_order", "display_name").values(
        "id", "slug", "name", "display_name", "description", "icon", "color", "display_order", "pose_count",
        "parent_id",
    )
    nodes = {
        row["id"]: CategoryNode(row["id"], row["slug"], row["name"], row["display_name"], row["description"],
                                row["icon"], row["color"], row["display_order"], row["pose_count"],
                                row["parent_id"], [])
        for row in rows
    }
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id else None
        if parent is not None:
            parent.children.append(node)
        elif node.parent_id is None:
            roots.append(node)
    return roots


def _walk(nodes: Iterable[CategoryNode]) -> Iterable[CategoryNode]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def category_resolve(*, category: str) -> CategoryNode:
    """A category by slug or id; a 400 listing the valid slugs when there is none."""
    tree = list(_walk(category_tree()))
    wanted = category.strip()
    for node in tree:
        if node.slug == wanted or str(node.id) == wanted.lower():
            return node
    allowed = ", ".join(sorted(node.slug for node in tree))
    raise ValidationFailed(
        f"Unknown category “{wanted[:60]}”. Use a category id or one of: {allowed}.",
        code="UNKNOWN_CATEGORY", fields={"category": [f"Unknown category; one of: {allowed}."]},
    )


def _search_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())[:_SEARCH_WORDS]


def _alternative_sql(alternative: str, *, loose: bool) -> Q:
    """Names and tags (and descriptions when ``loose``) with the alternative at the start of a word."""
    pattern = r"(^|[^a-z0-9])" + re.escape(alternative)
    fields = ("name", "tags_text", "description") if loose else ("name", "tags_text")
    # LIKE first (SQLite's C, left to right): the regular expression (a Python call per row) runs
    # only on the rows that contain the text at all.
    return reduce(operator.or_, (Q(**{f"{field}__icontains": alternative}) & Q(**{f"{field}__iregex": pattern})
                                 for field in fields))


# Words PostgreSQL's English configuration drops that still carry the meaning of a phrase
# ("looking up" is not "looking left"): such alternatives are matched as text there too.
_MEANINGFUL_STOP_WORDS = frozenset(("up", "down", "over", "from", "out"))
_ENGLISH_STOP_WORDS = _MEANINGFUL_STOP_WORDS | {"a", "an", "the", "on", "in", "at", "to", "of", "with", "and"}


def _alternative_tsquery(alternative: str, *, loose: bool) -> SearchQuery:
    """The words in order (stop words keep their place). A concept's wording is matched as stemmed
    words in names and tags (weights A and B: "running" is not "runway"); a word nobody knows, as
    a prefix anywhere (the search box is searched as the seller types)."""
    words = re.findall(r"[a-z0-9/]+", alternative)
    form = "{}:*" if loose else "{}:AB"
    return SearchQuery(" <-> ".join(form.format(w) for w in words), search_type="raw", config="english")


def _group_postgres(group: tuple[str, ...], *, loose: bool) -> tuple[Q, SearchQuery | None]:
    textual = [a for a in group if _MEANINGFUL_STOP_WORDS & set(a.split())]
    indexed = [a for a in group if a not in textual]
    query = reduce(operator.or_, (_alternative_tsquery(a, loose=loose) for a in indexed)) if indexed else None
    match = Q(search_vector=query) if query is not None else Q(pk__in=[])
    for alternative in textual:
        text = _alternative_sql(alternative, loose=loose)
        if set(alternative.split()) - _ENGLISH_STOP_WORDS:  # the index narrows, the text decides
            text &= Q(search_vector=_alternative_tsquery(alternative, loose=loose))
        match |= text
    return match, query


def _search(qs: QuerySet, text: str, *, rank: bool, fuzzy: bool) -> QuerySet:
    """The poses matching every group of :func:`search_plan` (any alternative of each)."""
    plan = search_plan(text=text)
    if not plan.groups:
        return qs
    if settings.IS_POSTGRES and fuzzy:
        phrase = " ".join(_search_words(text))
        return qs.filter(name__trigram_similar=phrase).annotate(relevance=TrigramSimilarity("name", phrase))
    qs = qs.annotate(tags_text=Cast("tags", TextField()))
    ranking = None
    for index, group in enumerate(plan.groups):
        loose = index in plan.loose
        if settings.IS_POSTGRES:
            match, query = _group_postgres(group, loose=loose)
            if query is not None:
                ranking = query if ranking is None else ranking & query
        else:
            match = reduce(operator.or_, (_alternative_sql(a, loose=loose) for a in group))
        qs = qs.filter(match)
    if rank and settings.IS_POSTGRES:
        return qs.annotate(relevance=SearchRank(F("search_vector"), ranking) if ranking is not None else Value(0.0))
    return qs


def _ordering(sort: str | None, *, searched: bool, fuzzy: bool) -> tuple[str, ...]:
    if sort == "newest":
        return ("-created_at", "-id")
    if sort == "name":
        return ("name", "id")
    if searched and settings.IS_POSTGRES and (fuzzy or sort == "relevance"):
        return ("-relevance", "-popularity_score", "id")
    return ("-popularity_score", "seller_rank", "name", "id")  # a new shop sees seller poses first


def library_list(**filters: Any) -> QuerySet:
    """Public poses as dicts of :data:`LIST_COLUMNS`, filtered and ordered (see :func:`library_filtered`)."""
    return library_filtered(**filters).values(*LIST_COLUMNS)


def library_filtered(
    *,
    user=None,
    category: str | None = None,
    difficulty: str | None = None,
    gender_suitability: str | None = None,
    featured: bool | None = None,
    search: str | None = None,
    sort: str | None = None,
    favorites: bool = False,
    fuzzy: bool = False,
) -> QuerySet:
    """Public poses, filtered and ordered (a model queryset). ``favorites`` needs a user; ``fuzzy``
    searches by trigram similarity instead of full text (PostgreSQL)."""
    qs = PoseLibrary.objects.filter(is_public=True)
    if category:
        node = category_resolve(category=category)
        ids = node.descendant_ids()
        qs = qs.filter(category_id=ids[0]) if len(ids) == 1 else qs.filter(category_id__in=ids)
    if difficulty:
        qs = qs.filter(difficulty=difficulty)
    if gender_suitability:
        qs = qs.filter(gender_suitability=gender_suitability)
    if featured is not None:
        qs = qs.filter(is_featured=featured)
    if favorites:
        qs = qs.filter(id__in=PoseFavorite.objects.filter(user=user).values("pose_id"))
    searched = bool(search and search_plan(text=search).groups)
    if searched:
        qs = _search(qs, search, rank=sort == "relevance", fuzzy=fuzzy)
    return qs.order_by(*_ordering(sort, searched=searched, fuzzy=fuzzy))


def library_count(*, queryset: QuerySet, cache_key_parts: dict[str, Any] | None) -> int:
    """``queryset.count()``, cached per filter combination (``None`` parts: never cached)."""
    if cache_key_parts is None:
        return queryset.count()
    key = library_cache_key(kind="count", parts=cache_key_parts)
    raw = library_cache_get_bytes(key)
    if raw is not None:
        return int(raw)
    total = queryset.count()
    library_cache_set_bytes(key, str(total).encode(), COUNT_CACHE_SECONDS)
    return total


def library_favorite_ids(*, user, pose_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``pose_ids`` the user has favourited (one query; none for anonymous users)."""
    ids = list(pose_ids)
    if not ids or user is None or not user.is_authenticated:
        return set()
    return set(PoseFavorite.objects.filter(user=user, pose_id__in=ids).values_list("pose_id", flat=True))


def library_pose_get(*, pose_id, with_detail: bool = True) -> dict[str, Any]:
    """One public pose as a dict (list columns plus keypoints, OpenPose JSON and structure)."""
    columns = LIST_COLUMNS + (DETAIL_EXTRA_COLUMNS if with_detail else ())
    row = PoseLibrary.objects.filter(pk=pose_id, is_public=True).values(*columns).first()
    if row is None:
        raise NotFound("Pose not found.", code="POSE_NOT_FOUND")
    return row


def library_pose_openpose(*, pose_id) -> tuple[str, dict[str, Any]]:
    """(name, OpenPose JSON) of a public pose, for the download."""
    row = PoseLibrary.objects.filter(pk=pose_id, is_public=True).values("name", "openpose_json").first()
    if row is None:
        raise NotFound("Pose not found.", code="POSE_NOT_FOUND")
    if not row["openpose_json"]:
        raise NotFound("This pose has no OpenPose data.", code="OPENPOSE_NOT_AVAILABLE")
    return row["name"], row["openpose_json"]


@dataclass(frozen=True)
class LibraryPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    limit: int
    favorite_ids: set


def _page_rows(qs: QuerySet, *, offset: int, limit: int) -> list[dict[str, Any]]:
    """One page of rows of a :func:`library_filtered` queryset. Past the first pages the page's ids
    are found first (on PostgreSQL an index-only scan of ``pose_public_popular_rank_name``: the skipped
    rows are never read from the table), then only those rows are fetched."""
    if offset < 100 or not settings.IS_POSTGRES:
        return list(qs.values(*LIST_COLUMNS)[offset: offset + limit])
    ids = qs.values("id")[offset: offset + limit]
    return list(PoseLibrary.objects.filter(id__in=ids).order_by(*qs.query.order_by).values(*LIST_COLUMNS))


def library_browse(*, user=None, page: int = 1, limit: int = 20, with_favorite_ids: bool = True,
                   **filters: Any) -> LibraryPage:
    """One page of :func:`library_list` with its (cached) total and the user's favourites among it.
    A PostgreSQL search whose words match nothing is retried by trigram similarity (typos)."""
    qs = library_filtered(user=user, **filters)
    cache_parts = None if filters.get("favorites") else filters
    total = library_count(queryset=qs, cache_key_parts=cache_parts)
    if total == 0 and settings.IS_POSTGRES and filters.get("search") and _search_words(filters["search"]):
        qs = library_filtered(user=user, fuzzy=True, **filters)
        total = library_count(queryset=qs, cache_key_parts=cache_parts and {**cache_parts, "fuzzy": True})
    offset = (page - 1) * limit
    rows = _page_rows(qs, offset=offset, limit=limit) if offset < total else []
    favorites = library_favorite_ids(user=user, pose_ids=[r["id"] for r in rows]) if with_favorite_ids else set()
    return LibraryPage(rows=rows, total=total, page=page, limit=limit, favorite_ids=favorites)


CATEGORY_TREE_CACHE_SECONDS = 60


def category_tree_cached() -> list[CategoryNode]:
    """:func:`category_tree`, cached per library cache generation (pages show it on every view)."""
    key = library_cache_key(kind="categories", parts={})
    tree = cache.get(key)
    if tree is None:
        tree = category_tree()
        cache.set(key, tree, CATEGORY_TREE_CACHE_SECONDS)
    return tree


def category_path(*, tree: list[CategoryNode], category_id) -> list[CategoryNode]:
    """The nodes from a root down to ``category_id`` (empty when it is not in the tree)."""
    for node in tree:
        if node.id == category_id:
            return [node]
        below = category_path(tree=node.children, category_id=category_id)
        if below:
            return [node, *below]
    return []


def library_poses_by_ids(*, pose_ids: Iterable[str | uuid.UUID]) -> list[dict[str, Any]]:
    """Public poses among ``pose_ids`` as :data:`LIST_COLUMNS` dicts, in the given order (one query);
    unknown, hidden or malformed ids are left out."""
    wanted = []
    for raw in pose_ids:
        try:
            wanted.append(uuid.UUID(str(raw)))
        except ValueError:
            continue
    if not wanted:
        return []
    rows = {row["id"]: row for row in PoseLibrary.objects.filter(pk__in=wanted, is_public=True).values(*LIST_COLUMNS)}
    return [rows[i] for i in wanted if i in rows]


# ---- for the community requests app (its public entry points into the library; .importlinter) -------------


def library_category_get(*, category_id, active_only: bool = False) -> PoseCategory | None:
    """The category with this id (only an active one with ``active_only``), or None."""
    categories = library_categories_active() if active_only else PoseCategory.objects.all()
    return categories.filter(pk=category_id).first()


def library_categories_active() -> QuerySet:
    """Active categories, for choice lists (forms filter and order them as Django does by default)."""
    return PoseCategory.objects.filter(is_active=True)


def library_pose_find(*, pose_id) -> PoseLibrary | None:
    """Any pose by id, hidden ones too (a moderator may complete a request with a pose not yet shown)."""
    return PoseLibrary.objects.filter(pk=pose_id).first()


def library_poses_by_name() -> QuerySet:
    """Every pose, hidden ones too, by name: the moderators' choice of the pose that fulfils a request."""
    return PoseLibrary.objects.order_by("name")
