"""The library's one writer: every change to *what the library lists* — a pose added (a community
request's pose), poses hidden or shown again (moderators), an admin edit or delete, the catalogue seed's
recount — goes through here, and so do a pose's four pictures (drawn from a photo, stored, deleted).

Each write keeps ``PoseCategory.pose_count`` right and bumps the library cache (posegen/library_cache.py)
**after commit**: a bump inside the transaction would let a reader re-cache the old list under the new
cache generation before the change is visible, and the list would then stay stale for its whole fresh
window. Bumping on commit, before the transaction's other on-commit work (the requester's notification
is sent after the pose is created, so after this), means whoever is told "your pose is in the library"
finds it listed.

The catalogue seed (library_seed.py) writes its rows here too (:func:`library_catalogue_pose_save`,
:func:`library_catalogue_retire`) and ends with :func:`library_categories_recount`, which bumps the cache
at once (the seed runs outside any request transaction). Favourites and usage counts
(library_favourites.py) move counters only, never what is listed.

Category counts. ``PoseCategory.pose_count`` stores the number of *public* poses filed *directly* in the
category; the API adds the descendants' counts, so a parent shows everything beneath it.
:func:`library_categories_recount` recomputes them from the poses in two queries.

Pictures. A library pose has four: the reference mannequin (768 x 1024), a preview (512 x 683), a
thumbnail (192 x 256) and the ControlNet OpenPose map (768 x 1024, PNG). They are stored under generated
``library/poses/<kind>/`` keys before the pose's transaction, and deleted again if it fails
(:func:`library_pictures_stored`). The catalogue draws its own from pose dicts (library_seed.py); a
community request's come from its photo (:func:`library_pictures_from_photo`).
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from PIL import Image

from lumiku.core.errors import ServiceUnavailable, UnprocessableEntity
from lumiku.core.storage import storage_key, storage_save
from posegen.library_cache import library_cache_bump
from posegen.models import PoseCategory, PoseLibrary

logger = logging.getLogger(__name__)

# Where a photo's pose is placed on the reference canvas, and above which fit error (a fraction of the
# body's size) the moderator is told the mannequin only approximates the photo.
CANVAS_MARGIN = 0.08
FIT_WARNING_ERROR = 0.08
# (model field, storage kind, format, attribute of the pictures)
_PICTURES = (
    ("controlnet_image", "poses/controlnet", "PNG", "controlnet_png"),
    ("reference_image", "poses/reference", "JPEG", "reference_jpeg"),
    ("preview_image", "poses/preview", "JPEG", "preview_jpeg"),
    ("thumbnail", "poses/thumbnail", "JPEG", "thumbnail_jpeg"),
)


# ---- pictures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PosePictures:
    """Everything a library pose made from a photo needs, as plain data."""

    keypoints: list[list[float]]  # COCO-18 [x, y, confidence], normalised to the 768x1024 canvas
    openpose_json: dict[str, Any]
    pose_structure: dict[str, Any]  # the fitted body-model pose (posekit pose dict) + fit quality
    controlnet_png: bytes
    reference_jpeg: bytes
    preview_jpeg: bytes
    thumbnail_jpeg: bytes
    warnings: list[str] = field(default_factory=list)


def _jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def library_pictures_from_photo(*, image: bytes) -> PosePictures:
    """The pose of the (largest) person in a stored photo, fitted to the body model and drawn as the four
    library pictures. 422 NO_PERSON_DETECTED / INVALID_IMAGE (the photo is already stored: nothing the
    caller sends could fix it), 503 when the pose model cannot start."""
    from posegen.posekit.extract import InvalidImage, ModelUnavailable, NoPersonDetected, extract_pose
    from posegen.posekit.fit import fit_keypoints_to_canvas, fit_pose, pose_for_rendering
    from posegen.posekit.formats import OpenPoseDocument, openpose_to_dict
    from posegen.posekit.render_controlnet import encode_png, render_controlnet_map
    from posegen.posekit.render_mannequin import PREVIEW_SIZE, REFERENCE_SIZE, THUMBNAIL_SIZE, render_mannequin
    from posegen.posekit.skeleton import pose_to_dict

    try:
        extraction = extract_pose(image=image)
    except NoPersonDetected as exc:
        raise UnprocessableEntity(exc.user_message, code="NO_PERSON_DETECTED") from None
    except InvalidImage as exc:
        raise UnprocessableEntity(exc.user_message, code="INVALID_IMAGE") from None
    except ModelUnavailable as exc:
        raise ServiceUnavailable(_("Pose extraction is unavailable: %(reason)s")
                                 % {"reason": exc.user_message}) from None
    width, height = REFERENCE_SIZE
    keypoints = fit_keypoints_to_canvas(
        keypoints=extraction.keypoints, image_width=extraction.image_width, image_height=extraction.image_height,
        width=width, height=height, margin=CANVAS_MARGIN,
    )
    controlnet = render_controlnet_map(keypoints=keypoints, width=width, height=height)
    fit = fit_pose(keypoints=extraction.keypoints, image_width=extraction.image_width,
                   image_height=extraction.image_height, landmarks33=extraction.landmarks33)
    pose = pose_for_rendering(fit.pose)
    warnings = list(extraction.warnings)
    if fit.error > FIT_WARNING_ERROR:
        warnings.append(_("The mannequin pictures only approximate the photo's pose; check them before publishing."))
    document = OpenPoseDocument.single(body=keypoints, canvas_width=width, canvas_height=height)
    return PosePictures(
        keypoints=[[round(float(v), 5) for v in row] for row in keypoints],
        openpose_json=openpose_to_dict(document=document, coordinates="pixels"),
        pose_structure={**pose_to_dict(pose=pose), "fitError": round(fit.error, 4), "source": "photo"},
        controlnet_png=encode_png(image=controlnet),
        reference_jpeg=_jpeg(render_mannequin(pose=pose, width=REFERENCE_SIZE[0], height=REFERENCE_SIZE[1])),
        preview_jpeg=_jpeg(render_mannequin(pose=pose, width=PREVIEW_SIZE[0], height=PREVIEW_SIZE[1])),
        thumbnail_jpeg=_jpeg(render_mannequin(pose=pose, width=THUMBNAIL_SIZE[0], height=THUMBNAIL_SIZE[1]),
                             quality=85),
        warnings=warnings,
    )


def library_pictures_store(*, pictures: Any) -> dict[str, str]:
    """Store a pose's four pictures (anything with ``controlnet_png``, ``reference_jpeg``, ``preview_jpeg``
    and ``thumbnail_jpeg``) under new library keys; model field name -> storage name. A failure part-way
    deletes what was already stored."""
    stored: dict[str, str] = {}
    try:
        for field_name, kind, fmt, attribute in _PICTURES:
            stored[field_name] = storage_save(key=storage_key(owner="library", kind=kind, extension=fmt),
                                              content=getattr(pictures, attribute))
    except BaseException:
        library_files_delete(names=stored.values())
        raise
    return stored


def library_files_delete(*, names: Iterable[str]) -> None:
    """Delete library pictures, best effort: a file already gone, or a storage hiccup, is logged and
    does not stop the caller (a re-seed, or the clean-up after a failed transaction)."""
    for name in names:
        if name:
            try:
                default_storage.delete(name)
            except Exception:
                logger.warning("could not delete library file %s", name, exc_info=True)


@contextmanager
def library_pictures_stored(*, pictures: Any) -> Iterator[dict[str, str]]:
    """Store the pictures of a pose about to be created (yields the ``files`` for :func:`library_pose_add`)
    and delete them again if the block raises, i.e. the pose's transaction did not commit. Enter the
    transaction inside this block so its rollback happens first."""
    files = library_pictures_store(pictures=pictures)
    try:
        yield files
    except BaseException:
        library_files_delete(names=files.values())
        raise


# ---- what the library lists ---------------------------------------------------------------------------


def _bump_after_commit() -> None:
    transaction.on_commit(library_cache_bump)


def _move_counts(counts: Counter, *, sign: int) -> None:
    for category_id, n in counts.items():
        if category_id is not None and n:
            PoseCategory.objects.filter(pk=category_id).update(pose_count=F("pose_count") + sign * n)


def library_pose_add(*, name: str, category: PoseCategory, description: str = "", keypoints: list,
                     openpose_json: dict[str, Any], pose_structure: dict[str, Any], source_type: str,
                     source_credit: str = "", files: dict[str, str], is_public: bool = True) -> PoseLibrary:
    """Create a library pose from stored pictures (``files``: field name → storage name), count it in its
    category and make it listed as soon as the caller's transaction commits."""
    with transaction.atomic():
        pose = PoseLibrary.objects.create(
            name=name, description=description, category=category, keypoints=keypoints,
            openpose_json=openpose_json, pose_structure=pose_structure, source_type=source_type,
            source_credit=source_credit, is_public=is_public, **files,
        )
        if is_public:
            _move_counts(Counter({category.pk: 1}), sign=1)
        _bump_after_commit()
    return pose


def library_poses_visibility_set(*, pose_ids: Iterable, is_public: bool) -> int:
    """Hide poses from the library (or show them again); a hidden pose is no longer featured. Returns how
    many poses changed. Generations that used a hidden pose keep it: nothing is deleted."""
    with transaction.atomic():
        changing = PoseLibrary.objects.select_for_update().filter(pk__in=list(pose_ids)).exclude(is_public=is_public)
        counts = Counter(changing.values_list("category_id", flat=True))
        changes: dict[str, Any] = {"is_public": is_public} if is_public else {"is_public": False, "is_featured": False}
        changed = PoseLibrary.objects.filter(pk__in=[*changing.values_list("pk", flat=True)]).update(**changes)
        _move_counts(counts, sign=1 if is_public else -1)
        _bump_after_commit()
    return changed


def library_pose_admin_save(*, pose: PoseLibrary, was: tuple[Any, bool] | None) -> None:
    """An admin form's save: ``was`` is the pose's (category id, is_public) before the edit (None when
    added), so the category counts follow a move, a hide or a show."""
    with transaction.atomic():
        pose.save()
        before = Counter({was[0]: 1}) if was and was[1] else Counter()
        after = Counter({pose.category_id: 1}) if pose.is_public else Counter()
        _move_counts(before - after, sign=-1)
        _move_counts(after - before, sign=1)
        _bump_after_commit()


def library_poses_delete(*, pose_ids: Iterable) -> int:
    """An admin's delete (poses no generation used: the foreign keys protect the others)."""
    with transaction.atomic():
        rows = list(PoseLibrary.objects.select_for_update().filter(pk__in=list(pose_ids))
                    .values_list("pk", "category_id", "is_public"))
        PoseLibrary.objects.filter(pk__in=[pk for pk, _, _ in rows]).delete()
        _move_counts(Counter(category for _, category, public in rows if public), sign=-1)
        _bump_after_commit()
    return len(rows)


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


# ---- the studio catalogue's rows (the seed, library_seed.py; it recounts and bumps once at the end) ----


def _differs(row: PoseLibrary, column: str, value: Any) -> bool:
    if column == "category":
        return row.category_id != value.pk
    current = getattr(row, column)
    if isinstance(current, FieldFile):
        current = current.name
    return current != value


def library_catalogue_pose_save(*, row: PoseLibrary | None, catalog_key: str, values: dict[str, Any]) -> str:
    """Create a catalogue pose, or update only the columns of ``row`` that differ from ``values``:
    "created", "updated" or "unchanged"."""
    if row is None:
        PoseLibrary.objects.create(catalog_key=catalog_key, **values)
        return "created"
    changed = [k for k, v in values.items() if _differs(row, k, v)]
    if not changed:
        return "unchanged"
    for k in changed:
        setattr(row, k, values[k])
    row.save(update_fields=[*changed, "updated_at"])
    return "updated"


def library_catalogue_retire(*, keep_keys: Iterable[str]) -> int:
    """Hide the catalogue poses no longer in the catalogue (never deleted: generations may reference them)."""
    return PoseLibrary.objects.filter(catalog_key__isnull=False, is_public=True).exclude(
        catalog_key__in=list(keep_keys)).update(is_public=False, is_featured=False)
