"""Writes for the pose library: usage tracking, favourites, category counts, seeding the studio
catalogue, and the two pose tools (pose from a photo or OpenPose JSON, pose from text).

Counters. ``popularity_score`` is ``usage_count + favorite_count`` (a database check constraint),
so every change moves both columns in one ``UPDATE ... SET x = x + 1`` with ``F()``: concurrent
views and favourites never lose an increment and the constraint always holds. A favourite is a
``PoseFavorite`` row (unique per user and pose); the count moves only when a row was really
inserted or deleted, so repeating a POST or DELETE changes nothing.

Category counts. ``PoseCategory.pose_count`` stores the number of *public* poses filed *directly*
in the category; the API adds the descendants' counts, so a parent shows everything beneath it.
:func:`library_categories_recount` recomputes them from the poses in two queries.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from lumiku.core.errors import NotFound, ServiceUnavailable, UnprocessableEntity, ValidationFailed
from lumiku.core.images import image_clean_upload
from lumiku.core.storage import storage_key, storage_save
from posegen.library_cache import library_cache_bump
from posegen.models import PoseCategory, PoseLibrary
from posegen.models.choices import SourceType
from posegen.models.library import PoseFavorite

logger = logging.getLogger(__name__)

MAX_MAP_SIDE = 1024  # ControlNet maps returned inline are at most this long on their longer side


# ---------------------------------------------------------------------------------------------
# Usage and favourites


@dataclass(frozen=True)
class FavoriteState:
    pose_id: Any
    is_favorite: bool
    favorite_count: int
    popularity_score: int
    changed: bool


def library_pose_record_use(*, pose_id) -> None:
    """Count one use (a detail view) of a public pose: usage_count and popularity_score + 1."""
    updated = PoseLibrary.objects.filter(pk=pose_id, is_public=True).update(
        usage_count=F("usage_count") + 1, popularity_score=F("popularity_score") + 1
    )
    if not updated:
        raise NotFound(_("Pose not found."), code="POSE_NOT_FOUND")


def library_pose_open(*, pose_id, user=None) -> tuple[dict[str, Any], bool]:
    """A public pose's detail row, counting the view as a use; and whether the user favourited it."""
    from posegen.selectors.library import library_favorite_ids, library_pose_get

    library_pose_record_use(pose_id=pose_id)
    row = library_pose_get(pose_id=pose_id)
    return row, bool(library_favorite_ids(user=user, pose_ids=[row["id"]]))


def _state(*, pose_id, is_favorite: bool, changed: bool) -> FavoriteState:
    favorite_count, popularity = PoseLibrary.objects.filter(pk=pose_id).values_list(
        "favorite_count", "popularity_score").get()
    return FavoriteState(pose_id, is_favorite, favorite_count, popularity, changed)


def library_pose_favorite(*, user, pose_id) -> FavoriteState:
    """Add a public pose to the user's favourites (idempotent)."""
    if not PoseLibrary.objects.filter(pk=pose_id, is_public=True).exists():
        raise NotFound(_("Pose not found."), code="POSE_NOT_FOUND")
    with transaction.atomic():
        try:
            with transaction.atomic():
                PoseFavorite.objects.create(user=user, pose_id=pose_id)
            created = True
        except IntegrityError:
            created = False  # already a favourite (or a concurrent request just made it one)
        if created:
            PoseLibrary.objects.filter(pk=pose_id).update(
                favorite_count=F("favorite_count") + 1, popularity_score=F("popularity_score") + 1
            )
        return _state(pose_id=pose_id, is_favorite=True, changed=created)


def library_pose_unfavorite(*, user, pose_id) -> FavoriteState:
    """Remove a pose from the user's favourites (idempotent; works for hidden poses too)."""
    if not PoseLibrary.objects.filter(pk=pose_id).exists():
        raise NotFound(_("Pose not found."), code="POSE_NOT_FOUND")
    with transaction.atomic():
        deleted, _per_model = PoseFavorite.objects.filter(user=user, pose_id=pose_id).delete()
        if deleted:
            PoseLibrary.objects.filter(pk=pose_id, favorite_count__gt=0).update(
                favorite_count=F("favorite_count") - 1, popularity_score=F("popularity_score") - 1
            )
        return _state(pose_id=pose_id, is_favorite=False, changed=bool(deleted))


# ---------------------------------------------------------------------------------------------
# Category counts


def library_categories_recount() -> int:
    """Store each category's direct count of public poses; returns how many categories changed."""
    counts = dict(PoseLibrary.objects.filter(is_public=True).values("category_id").annotate(n=Count("id"))
                  .values_list("category_id", "n"))
    changed = []
    for category in PoseCategory.objects.only("id", "pose_count"):
        wanted = counts.get(category.id, 0)
        if category.pose_count != wanted:
            category.pose_count = wanted
            changed.append(category)
    PoseCategory.objects.bulk_update(changed, ["pose_count"])
    library_cache_bump()
    return len(changed)


# ---------------------------------------------------------------------------------------------
# Seeding the studio catalogue


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


def _save_assets(assets) -> dict[str, str]:
    files = {}
    for column, kind, data, fmt in (
        ("reference_image", "poses/reference", assets.reference_jpeg, "JPEG"),
        ("preview_image", "poses/preview", assets.preview_jpeg, "JPEG"),
        ("thumbnail", "poses/thumbnail", assets.thumbnail_jpeg, "JPEG"),
        ("controlnet_image", "poses/controlnet", assets.controlnet_png, "PNG"),
    ):
        files[column] = storage_save(key=storage_key(owner="library", kind=kind, extension=fmt), content=data)
    return files


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        if name:
            try:
                default_storage.delete(name)
            except Exception:  # a missing old file must not stop a re-seed
                logger.warning("could not delete old library file %s", name, exc_info=True)


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
            values.update(_save_assets(assets), keypoints=assets.keypoints, openpose_json=assets.openpose)
        if row is None:
            PoseLibrary.objects.create(catalog_key=entry.key, **values)
            report.poses_created += 1
        else:
            changed = [k for k, v in values.items() if _differs(row, k, v)]
            if changed:
                for k in changed:
                    setattr(row, k, values[k])
                row.save(update_fields=[*changed, "updated_at"])
                report.poses_updated += 1
            else:
                report.poses_unchanged += 1
            _delete_files(old_files)
        if entry.featured:
            featured.append(entry.name)
        if progress and assets is None:
            progress(1)
    if limit is None:
        report.poses_retired = PoseLibrary.objects.filter(catalog_key__isnull=False, is_public=True).exclude(
            catalog_key__in=[e.key for e in entries]).update(is_public=False, is_featured=False)
    library_categories_recount()
    report.featured = featured
    return report


def _differs(row: PoseLibrary, column: str, value: Any) -> bool:
    if column == "category":
        return row.category_id != value.pk
    current = getattr(row, column)
    if isinstance(current, FieldFile):
        current = current.name
    return current != value


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


# ---------------------------------------------------------------------------------------------
# Pose tools: from a photo or an OpenPose file, and from a description


@dataclass(frozen=True)
class ExtractedPose:
    keypoints: list[list[float]]
    openpose: dict[str, Any]
    controlnet_png: bytes
    people_detected: int
    warnings: list[str]
    image_width: int
    image_height: int


def _map_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, MAX_MAP_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _controlnet_png(keypoints: np.ndarray, width: int, height: int) -> bytes:
    from posegen.posekit.render_controlnet import encode_png, render_controlnet_map

    w, h = _map_size(width, height)
    return encode_png(image=render_controlnet_map(keypoints=keypoints, width=w, height=h))


def _openpose_for(keypoints: np.ndarray, width: int, height: int) -> dict[str, Any]:
    from posegen.posekit.formats import OpenPoseDocument, openpose_to_dict

    document = OpenPoseDocument.single(body=keypoints, canvas_width=width, canvas_height=height)
    return openpose_to_dict(document=document, coordinates="pixels")


def library_pose_extract(*, image=None, openpose_json: Any = None, image_url: str = "", user=None) -> ExtractedPose:
    """The pose of the (largest) person in a photo, or of the first person in OpenPose JSON.

    The photo is a file or the URL of the user's own upload (kind `references`; read from storage, never
    fetched). 400: not an image / not the user's upload / malformed OpenPose JSON (the message names the
    problem); 422: nobody found; 503: the pose model cannot start."""
    if (image_url or "").strip():
        from lumiku.core.uploads import user_image_input

        image = user_image_input(user=user, upload=image, url=image_url, kind="references", field="image",
                                 url_field="imageUrl")
    if image is None and openpose_json is None:
        raise ValidationFailed(_("Send a photo as “image” or OpenPose JSON as “openposeJson”."),
                               fields={"image": [_("A photo or OpenPose JSON is required.")]})
    if openpose_json is not None:
        return _from_openpose(openpose_json)
    from posegen.posekit.extract import InvalidImage, ModelUnavailable, NoPersonDetected, extract_pose

    clean = image_clean_upload(upload=image, field="image")
    try:
        found = extract_pose(image=clean.content)
    except NoPersonDetected as exc:
        raise UnprocessableEntity(exc.user_message, code="NO_PERSON_DETECTED") from None
    except InvalidImage as exc:
        raise ValidationFailed(_("image: %(problem)s") % {"problem": exc.user_message}, code="INVALID_IMAGE",
                               fields={"image": [exc.user_message]}) from None
    except ModelUnavailable as exc:
        logger.error("pose model unavailable: %s", exc)
        raise ServiceUnavailable(_("Pose detection is temporarily unavailable."),
                                 code="POSE_MODEL_UNAVAILABLE") from None
    keypoints = np.asarray(found.keypoints, dtype=float)
    return ExtractedPose(
        keypoints=np.round(keypoints, 5).tolist(),
        openpose=_openpose_for(keypoints, found.image_width, found.image_height),
        controlnet_png=_controlnet_png(keypoints, found.image_width, found.image_height),
        people_detected=found.people_detected,
        warnings=list(found.warnings),
        image_width=found.image_width,
        image_height=found.image_height,
    )


def _from_openpose(data: Any) -> ExtractedPose:
    from posegen.posekit.formats import OpenPoseFormatError, parse_openpose

    if hasattr(data, "read"):
        data = data.read(2 * 1024 * 1024 + 1)
        if len(data) > 2 * 1024 * 1024:
            raise ValidationFailed(_("openposeJson: the file is larger than 2 MB."), code="INVALID_OPENPOSE")
    try:
        document = parse_openpose(data=data)
    except OpenPoseFormatError as exc:
        raise ValidationFailed(_("openposeJson: %(problem)s") % {"problem": exc}, code="INVALID_OPENPOSE",
                               fields={"openposeJson": [str(exc)]}) from None
    if not document.people:
        raise UnprocessableEntity(_("The OpenPose JSON has no people in it."), code="NO_PERSON_DETECTED")
    body = np.asarray(document.people[0].body, dtype=float)
    if int((body[:, 2] > 0).sum()) < 2:
        raise UnprocessableEntity(_("The first person in the OpenPose JSON has fewer than two keypoints."),
                                  code="NO_PERSON_DETECTED")
    width, height = document.canvas_width, document.canvas_height
    warnings = []
    if len(document.people) > 1:
        warnings.append(_("%(count)s people are in the file; the first one was used.")
                        % {"count": len(document.people)})
    return ExtractedPose(
        keypoints=np.round(body, 5).tolist(),
        openpose=_openpose_for(body, width, height),
        controlnet_png=_controlnet_png(body, width, height),
        people_detected=len(document.people),
        warnings=warnings,
        image_width=width,
        image_height=height,
    )


@dataclass(frozen=True)
class TextPoseResult:
    understood: list[str]
    notes: list[str]
    pose_structure: dict[str, Any]
    parts: dict[str, Any]
    keypoints: list[list[float]]
    openpose: dict[str, Any]
    controlnet_png: bytes
    width: int
    height: int
    variations: list[dict[str, Any]]


def library_text_to_pose(*, text: str, variations: int = 0, seed: int = 0, width: int = 768,
                         height: int = 1024) -> TextPoseResult:
    """A pose from a description; 400 listing example phrases when no pose words are found."""
    from posegen.posekit.skeleton import pose_to_dict, project_pose
    from posegen.services.validation import text_pose_not_understood, text_pose_parse, validate_text_prompt

    # The same cleaning, limits and parser as POST /generate: what the preview draws, generation accepts.
    text = validate_text_prompt(text, require_pose_words=False)
    result = text_pose_parse(text=text, width=width, height=height)
    if result is None:
        raise text_pose_not_understood(code="PROMPT_NOT_UNDERSTOOD")
    keypoints = np.asarray(result.keypoints, dtype=float)
    extra = [
        {"poseStructure": pose_to_dict(pose=pose),
         "keypoints": np.round(project_pose(pose=pose, width=width, height=height).keypoints, 5).tolist()}
        for pose in result.variations(count=variations, seed=seed)
    ] if variations else []
    return TextPoseResult(
        understood=list(result.understood),
        notes=list(result.notes),
        pose_structure=result.pose_dict,
        parts=result.parts.structure(),
        keypoints=np.round(keypoints, 5).tolist(),
        openpose=_openpose_for(keypoints, width, height),
        controlnet_png=_controlnet_png(keypoints, width, height),
        width=width,
        height=height,
        variations=extra,
    )


def png_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
