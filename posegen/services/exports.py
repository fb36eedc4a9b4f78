"""Exports of generated images: per-format files on the export queue, re-export on demand, ZIP streams.

- `pose_exports_enqueue` (called by services.generations.run as each image completes, and after a background change
  or revert) queues `pose_exports_run` on queue `export` after commit.
- `pose_exports_run` decodes the image once, finds the person (the matte's box; the crop never cuts
  them), encodes every format of the generation's `outputFormats` in parallel
  (posegen.imaging.export), stores them under generated keys and merges `{format: name}` into
  `exportFormats` under the pose row lock — only if the image is still the one it exported (a
  background change meanwhile makes the result stale, and it is dropped). Idempotent: a re-delivered
  task exports again and overwrites the entries. A format that fails is recorded in `export_failures`
  (`{format: message}`) and the others are delivered; a later success of that format clears it.
- The person's box is found once per image and kept in `export_subject` (keyed by the image's stored
  name): re-exports and ZIP renders of the same image crop around it without segmenting again.
- `pose_export_regenerate` makes one format (named or `custom:WxH`, optionally with the user's logo)
  now and returns its URL.
- `generation_export_zip` streams a ZIP of the chosen formats of every finished image: stored exports
  are copied from storage in chunks, missing ones are rendered one at a time; a format that cannot be
  rendered is left out and named, with the reason, in `EXPORT-FAILURES.txt` at the end of the ZIP.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from lumiku.core.errors import Conflict, NotFound, ValidationFailed
from lumiku.core.images import image_clean_upload
from lumiku.core.realtime import realtime_publish
from lumiku.core.storage import storage_delete_on_commit, storage_read, storage_save, storage_url, user_storage_key
from lumiku.core.uploads import user_image_input
from posegen.format_labels import export_failure_text
from posegen.imaging.export import ExportError, Watermark, export_image
from posegen.imaging.export_formats import (
    EXPORT_FORMATS,
    ExportFormat,
    UnknownExportFormat,
    export_format_get,
    file_label,
)
from posegen.models import GeneratedPose, PoseGeneration
from posegen.models.choices import PoseStatus

logger = logging.getLogger(__name__)
ZIP_CHUNK = 256 * 1024
MAX_ZIP_FORMATS = 14


def export_formats_parse(names, *, field: str = "formats") -> list[ExportFormat]:
    """Named formats and `custom:WxH`, de-duplicated in order; 400 for anything else."""
    specs: list[ExportFormat] = []
    for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        try:
            specs.append(export_format_get(name))
        except UnknownExportFormat as exc:
            raise ValidationFailed(str(exc), code="INVALID_EXPORT_FORMAT", fields={field: [str(exc)]}) from None
    return specs


def subject_box(data: bytes) -> tuple[int, int, int, int] | None:
    """The person's box in the image (soft matte, generous threshold), or None when nobody is found.

    The matte's edges are not refined: the guided filter moves the box by a few pixels (well inside the
    crop's 6 % margin) and costs 40 % of the segmentation time.
    """
    from posegen.imaging.segmentation import segment_person

    try:
        return segment_person(image=data, refine_edges=False).bbox(threshold=0.1)
    except Exception:  # no person, unreadable: a centred crop is the fallback
        logger.info("no subject box; exports crop around the centre", exc_info=True)
        return None


def pose_exports_enqueue(*, pose_id) -> None:
    """Queue the pose's exports on queue `export` once the current transaction commits."""
    from posegen.tasks import pose_export

    def send() -> None:
        try:
            pose_export.apply_async(args=[str(pose_id)])  # on its queue (export)
        except Exception:  # the image is there; exports can be regenerated or zipped on demand
            logger.warning("could not queue exports of pose %s", pose_id, exc_info=True)

    transaction.on_commit(send)


def _store(*, user_id, generation_id, rendered) -> str:
    return storage_save(key=user_storage_key(user_id=user_id, kind=f"generations/{generation_id}/exports",
                                             extension=rendered.extension), content=rendered.data)


_UNKNOWN = object()


def _subject(*, pose: GeneratedPose, source: str, data: bytes):
    """The person's box in ``source``: the one an earlier export of this image found, else found now."""
    cached = pose.export_subject or {}
    if cached.get("image") == source:
        box = cached.get("box")
        return tuple(box) if box else None
    return subject_box(data)


def _merge(*, pose_id, source: str, stored: dict[str, str], failed: dict[str, str] | None = None,
           subject=_UNKNOWN) -> bool:
    with transaction.atomic():
        pose = GeneratedPose.objects.select_for_update().filter(pk=pose_id).first()
        if pose is None or pose.output_image.name != source:
            stale = True
        else:
            stale = False
            pose.export_formats = {**(pose.export_formats or {}), **stored}
            failures = {k: v for k, v in (pose.export_failures or {}).items() if k not in stored}
            pose.export_failures = {**failures, **(failed or {})}
            fields = ["export_formats", "export_failures"]
            if subject is not _UNKNOWN:
                pose.export_subject = {"image": source, "box": [int(v) for v in subject] if subject else None}
                fields.append("export_subject")
            pose.save(update_fields=fields)
            realtime_publish(user_id=pose.generation.user_id, event_type="pose.exports_ready", payload={
                "poseId": str(pose.pk), "generationId": str(pose.generation_id),
                "exportFormats": {k: storage_url(v) for k, v in pose.export_formats.items()},
                "exportFailures": pose.export_failures,
            })
    if stale:
        for name in stored.values():
            try:
                default_storage.delete(name)
            except Exception:
                logger.warning("could not delete stale export %s", name, exc_info=True)
    return not stale


def pose_exports_run(*, pose_id) -> dict[str, str]:
    """Produce the generation's outputFormats for one finished image (see the module docstring)."""
    pose = GeneratedPose.objects.select_related("generation").filter(pk=pose_id).first()
    if pose is None or pose.status != PoseStatus.COMPLETED or not pose.output_image:
        return {}
    names = [n for n in (pose.generation.export_formats or []) if n != "original"]
    specs = [export_format_get(n) for n in names if n in EXPORT_FORMATS or n.startswith("custom:")]
    if not specs:
        return {}
    source = pose.output_image.name
    data = storage_read(source)
    subject = _subject(pose=pose, source=source, data=data)
    failed: dict[str, str] = {}
    try:
        rendered = export_image(data=data, formats=specs, subject=subject, failed=failed)
    except ExportError as exc:  # the image itself cannot be read: every format failed
        rendered, failed = {}, {spec.name: str(exc) for spec in specs}
    stored = {name: _store(user_id=pose.generation.user_id, generation_id=pose.generation_id, rendered=image)
              for name, image in rendered.items()}
    return stored if _merge(pose_id=pose_id, source=source, stored=stored, failed=failed, subject=subject) else {}


def _watermark(*, user, logo_url: str, corner: str, opacity: float, logo=None) -> Watermark:
    """The user's logo as a file (validated by content) or the URL of their own upload (kind logos)."""
    upload = user_image_input(user=user, upload=logo, url=logo_url, kind="logos", field="logo", url_field="logoUrl")
    try:
        content = image_clean_upload(upload=upload, field="logo").content
    except ValidationFailed as exc:
        exc.extra.setdefault("fields", {"logo" if logo is not None else "logoUrl": [exc.message]})
        raise
    try:
        return Watermark(logo=content, corner=corner, opacity=opacity)
    except ExportError as exc:
        raise ValidationFailed(str(exc), code="INVALID_WATERMARK") from None


def pose_export_regenerate(*, user, pose_id, format_name: str, logo_url: str = "", corner: str = "bottom_right",
                           opacity: float = 0.8, logo=None) -> str:
    """Render one format of one of the user's images now, store it, record it; returns its URL."""
    from posegen.selectors.generations import generated_pose_get

    pose = generated_pose_get(user=user, pose_id=pose_id)
    (spec,) = export_formats_parse([format_name], field="format")
    mark = _watermark(user=user, logo_url=logo_url, corner=corner, opacity=opacity, logo=logo) if (
        logo_url or logo is not None) else None
    if pose.status != PoseStatus.COMPLETED or not pose.output_image:
        raise Conflict(_("This image is not ready yet."), code="POSE_NOT_READY")
    source = pose.output_image.name
    data = storage_read(source)
    subject = _subject(pose=pose, source=source, data=data) if spec.width else None
    try:
        rendered = export_image(data=data, formats=[spec], subject=subject, watermark=mark)[spec.name]
    except ExportError as exc:
        raise ValidationFailed(str(exc), code="EXPORT_FAILED") from None
    name = _store(user_id=user.pk, generation_id=pose.generation_id, rendered=rendered)
    replaced = (pose.export_formats or {}).get(spec.name)
    if not _merge(pose_id=pose.pk, source=source, stored={spec.name: name}):
        raise Conflict(_("The image changed while it was exported; try again."), code="POSE_CHANGED")
    # A re-export replaces the format's file rather than piling up a new one per click.
    if replaced and replaced != name and replaced not in (source, pose.thumbnail.name, pose.original_image.name):
        storage_delete_on_commit(names=[replaced])
    return storage_url(name)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    return slug[:60] or "pose"


def _stored_chunks(name: str) -> Iterator[bytes]:
    with default_storage.open(name, "rb") as handle:
        while chunk := handle.read(ZIP_CHUNK):
            yield chunk


def _render_for_zip(pose: GeneratedPose, spec: ExportFormat) -> bytes:
    source = pose.output_image.name
    data = storage_read(source)
    subject = _subject(pose=pose, source=source, data=data) if spec.width else None
    return export_image(data=data, formats=[spec], subject=subject)[spec.name].data


def _failures_text(heading: str, failures: list[tuple[str, str, str]], language: str) -> Iterator[bytes]:
    with translation.override(language):
        lines = [heading, ""] + [f"{entry}: {export_failure_text(format_name=name, message=message)}"
                                 for entry, name, message in failures]
    yield ("\n".join(lines) + "\n").encode()


def generation_export_zip(*, user, generation_id, format_names: list[str]) -> tuple[str, Iterator[bytes]]:
    """(file name, chunk iterator) of a ZIP with `{poseName}_{n}_{format}.{ext}` for each finished image."""
    from posegen.imaging.zipstream import zip_stream

    generation = PoseGeneration.objects.filter(pk=generation_id, user=user).first()
    if generation is None:
        raise NotFound(_("Generation not found."), code="GENERATION_NOT_FOUND")
    names = format_names or list(generation.export_formats or []) or ["original"]
    specs = export_formats_parse(names)
    if not specs:
        raise ValidationFailed(_("Choose at least one format."), code="INVALID_EXPORT_FORMAT",
                               fields={"formats": [_("Required.")]})
    if len(specs) > MAX_ZIP_FORMATS:
        raise ValidationFailed(_("At most %(max)s formats per download.") % {"max": MAX_ZIP_FORMATS},
                               code="TOO_MANY_FORMATS",
                               fields={"formats": [_("At most %(max)s.") % {"max": MAX_ZIP_FORMATS}]})
    poses = list(generation.poses.filter(status=PoseStatus.COMPLETED).exclude(output_image="")
                 .select_related("pose_library").order_by("sequence"))
    if not poses:
        raise Conflict(_("This generation has no finished image to download."), code="NOTHING_TO_EXPORT")
    plan: list[tuple[str, str | None, GeneratedPose, ExportFormat]] = []
    for pose in poses:
        base = _slug(pose.pose_library.name if pose.pose_library else "pose")
        for spec in specs:
            stored = (pose.export_formats or {}).get(spec.name)
            entry = f"{base}_{pose.sequence + 1}_{file_label(spec.name)}.{spec.extension}"
            plan.append((entry, stored, pose, spec))

    # Translated now: the ZIP streams after the view returned, outside the request's language.
    heading = _("These files could not be made; every other file is in this ZIP.")
    language = translation.get_language()

    def entries():
        failures: list[tuple[str, str, str]] = []
        for entry, stored, pose, spec in plan:
            source = pose.output_image.name
            if stored and (spec.name != "original" or stored == source):
                yield entry, _stored_chunks(stored)
            elif spec.name == "original":
                yield entry, _stored_chunks(source)
            else:
                # Rendered before the entry starts, so a failure leaves it out instead of cutting the ZIP.
                try:
                    data = _render_for_zip(pose, spec)
                except ExportError as exc:
                    logger.warning("ZIP of generation %s: %s failed", generation.pk, entry, exc_info=True)
                    failures.append((entry, spec.name, str(exc)))
                    continue
                yield entry, iter((data,))
        if failures:
            yield "EXPORT-FAILURES.txt", _failures_text(heading, failures, language)

    filename = f"poses-{generation.pk}.zip"
    return filename, zip_stream(entries())
