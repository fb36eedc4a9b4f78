"""Seeding the studio catalogue (posegen/posekit/catalog): its categories and poses, pictures included.

The catalogue is the library's bulk source: poses are matched by ``catalog_key``, their pictures drawn on a
process pool; the rows, the pictures' storage, the retirement of poses no longer in the catalogue and the
closing recount (which bumps the library cache) are the library writer's (posegen.services.library).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from posegen.models import PoseCategory, PoseLibrary
from posegen.models.choices import SourceType
from posegen.services.library import (
    library_catalogue_pose_save,
    library_catalogue_retire,
    library_categories_recount,
    library_files_delete,
    library_pictures_store,
)


@dataclass
class SeedReport:
    categories_created: int = 0
    categories_updated: int = 0
    poses_created: int = 0
    poses_updated: int = 0
    poses_unchanged: int = 0
    images_rendered: int = 0
    poses_retired: int = 0
    skipped: bool = False
    featured: list[str] = field(default_factory=list)


def _upsert_categories(report: SeedReport) -> dict[str, PoseCategory]:
    from posegen.posekit.catalog import CATEGORIES

    existing = {c.slug: c for c in PoseCategory.objects.all()}
    by_slug: dict[str, PoseCategory] = {}
    for spec in CATEGORIES:  # parents come before their children
        values = {
            "name": spec.name, "display_name": spec.display_name, "description": spec.description,
            "icon": spec.icon, "color": spec.color, "display_order": spec.order, "is_active": True,
            "parent": by_slug[spec.parent] if spec.parent else None,
        }
        category = existing.get(spec.slug)
        if category is None:
            category = PoseCategory.objects.create(slug=spec.slug, **values)
            report.categories_created += 1
        elif any(getattr(category, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(category, k, v)
            category.save()
            report.categories_updated += 1
        by_slug[spec.slug] = category
    return by_slug


def library_categories_seed() -> dict[str, PoseCategory]:
    """Create or update the catalogue's categories only (no poses); by slug. For benches and tests that
    load catalogue rows without rendering pictures."""
    return _upsert_categories(SeedReport())


def library_seed(
    *,
    limit: int | None = None,
    spread: bool = False,
    if_empty: bool = False,
    workers: int = 2,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> SeedReport:
    """Create or update the studio catalogue (categories and poses, images included).

    Idempotent: poses are matched by ``catalog_key``; metadata is refreshed; pictures are rendered
    only for new poses, poses whose body changed, or poses missing a file. ``limit`` seeds the
    first N catalogue poses (tests), or with ``spread`` N poses taken evenly across the whole
    catalogue (demos and browser journeys that show every kind of pose); without it, catalogue poses
    no longer in the catalogue are hidden (``is_public=False``, never deleted: generations may
    reference them). ``if_empty`` does nothing when the library already has a pose. Rendering runs
    on ``workers`` processes.
    """
    from posegen.posekit.catalog import LICENSE_TYPE, SOURCE_CREDIT, build_catalog
    from posegen.posekit.catalog.categories import category_seller_rank

    report = SeedReport()
    if if_empty and PoseLibrary.objects.exists():
        report.skipped = True
        return report
    catalog = build_catalog()
    entries = list(catalog.poses)
    if limit is not None:
        step = max(1, len(entries) // limit) if spread else 1
        entries = entries[::step][:limit]
    if on_total:
        on_total(len(entries))
    categories = _upsert_categories(report)
    existing = {p.catalog_key: p for p in PoseLibrary.objects.filter(catalog_key__in=[e.key for e in entries])}

    to_render = []
    for entry in entries:
        row = existing.get(entry.key)
        files = (row.reference_image, row.preview_image, row.thumbnail, row.controlnet_image) if row else ()
        if row is None or row.pose_structure != entry.pose_dict or not all(f and f.name for f in files):
            to_render.append(entry)
    rendered = _render_all(to_render, workers=workers, progress=progress)
    report.images_rendered = len(rendered)

    featured = []
    for entry in entries:
        row = existing.get(entry.key)
        values = {
            "name": entry.name, "description": entry.description, "category": categories[entry.category],
            "difficulty": entry.difficulty, "gender_suitability": entry.gender_suitability, "tags": list(entry.tags),
            "source_type": SourceType.CURATED, "source_credit": SOURCE_CREDIT, "license_type": LICENSE_TYPE,
            "is_featured": entry.featured, "is_public": True, "pose_structure": entry.pose_dict,
            "seller_rank": category_seller_rank(entry.category),
        }
        assets = rendered.get(entry.key)
        old_files: list[str] = []
        if assets is not None:
            if row is not None:
                old_files = [f.name for f in (row.reference_image, row.preview_image, row.thumbnail,
                                              row.controlnet_image) if f]
            values.update(library_pictures_store(pictures=assets), keypoints=assets.keypoints,
                          openpose_json=assets.openpose)
        outcome = library_catalogue_pose_save(row=row, catalog_key=entry.key, values=values)
        if outcome == "created":
            report.poses_created += 1
        elif outcome == "updated":
            report.poses_updated += 1
        else:
            report.poses_unchanged += 1
        library_files_delete(names=old_files)
        if entry.featured:
            featured.append(entry.name)
        if progress and assets is None:
            progress(1)
    if limit is None:
        report.poses_retired = library_catalogue_retire(keep_keys=[e.key for e in entries])
    library_categories_recount()
    report.featured = featured
    return report


def _render_all(entries: list, *, workers: int, progress: Callable[[int], None] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not entries:
        return out
    from posegen.posekit.catalog.render import render_pose_assets_positional as render

    dicts = [e.pose_dict for e in entries]
    if workers <= 1 or len(entries) < 4:
        results = map(render, dicts)
        executor = None
    else:
        import multiprocessing

        # Spawned workers import only posekit (no Django, no inherited connections or threads).
        executor = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        results = executor.map(render, dicts, chunksize=4)
    try:
        for entry, assets in zip(entries, results, strict=True):
            out[entry.key] = assets
            if progress:
                progress(1)
    finally:
        if executor is not None:
            executor.shutdown()
    return out
