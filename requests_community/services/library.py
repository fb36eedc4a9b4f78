"""A request becomes a library pose: extract the pose from its reference photo, draw the four library
pictures, store them, create the `PoseLibrary` row, count it in its category and complete the request.

The slow part (MediaPipe, the fit, the renderers; a few seconds) runs before any transaction; the
files are stored under generated `library/poses/...` keys; then one transaction locks the request,
re-checks its status, creates the pose through posegen's library writer (which counts it in its category
and bumps the library cache on commit) and records the transition(s) through the state machine. If that
transaction fails, the stored files are deleted.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image

from lumiku.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    ServiceUnavailable,
    UnprocessableEntity,
    ValidationFailed,
)
from lumiku.core.storage import storage_key, storage_read, storage_save
from posegen.models import PoseCategory, PoseLibrary
from posegen.services.library_writer import library_pose_add
from requests_community.models import PoseRequest, RequestStatus
from requests_community.services.moderation import pose_request_transition_locked

CONTROLNET_SIZE = (768, 1024)
REFERENCE_SIZE = (768, 1024)
PREVIEW_SIZE = (512, 683)
THUMBNAIL_SIZE = (192, 256)
CANVAS_MARGIN = 0.08
# Above this fit error (fraction of the body's size) the moderator is told the mannequin is approximate.
FIT_WARNING_ERROR = 0.08
_CREATABLE_FROM = (RequestStatus.APPROVED, RequestStatus.IN_PROGRESS)


@dataclass(frozen=True)
class PoseAssets:
    """Everything a library pose needs, as plain data (no Django)."""

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


def pose_assets_from_photo(*, image: bytes) -> PoseAssets:
    """Extract the pose from a photo and render the library pictures. Raises posekit's
    `PoseExtractionError` subclasses (no person, not an image, model unavailable)."""
    from posegen.posekit.extract import extract_pose
    from posegen.posekit.fit import fit_keypoints_to_canvas, fit_pose, pose_for_rendering
    from posegen.posekit.formats import OpenPoseDocument, openpose_to_dict
    from posegen.posekit.render_controlnet import encode_png, render_controlnet_map
    from posegen.posekit.render_mannequin import render_mannequin
    from posegen.posekit.skeleton import pose_to_dict

    extraction = extract_pose(image=image)
    width, height = CONTROLNET_SIZE
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
    return PoseAssets(
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


def _assets_for(request: PoseRequest) -> PoseAssets:
    from posegen.posekit.extract import InvalidImage, ModelUnavailable, NoPersonDetected

    try:
        image = storage_read(request.reference_image.name)
    except OSError:
        raise Conflict(_("The request's reference photo cannot be read from storage."),
                       code="REFERENCE_IMAGE_MISSING") from None
    try:
        return pose_assets_from_photo(image=image)
    except NoPersonDetected as exc:
        raise UnprocessableEntity(exc.user_message, code="NO_PERSON_DETECTED") from None
    except InvalidImage as exc:
        raise UnprocessableEntity(exc.user_message, code="INVALID_IMAGE") from None
    except ModelUnavailable as exc:
        raise ServiceUnavailable(_("Pose extraction is unavailable: %(reason)s")
                                 % {"reason": exc.user_message}) from None


def _store(assets: PoseAssets) -> dict[str, str]:
    files = {
        "controlnet_image": ("poses/controlnet", "PNG", assets.controlnet_png),
        "reference_image": ("poses/reference", "JPEG", assets.reference_jpeg),
        "preview_image": ("poses/preview", "JPEG", assets.preview_jpeg),
        "thumbnail": ("poses/thumbnail", "JPEG", assets.thumbnail_jpeg),
    }
    stored: dict[str, str] = {}
    try:
        for field_name, (kind, fmt, content) in files.items():
            stored[field_name] = storage_save(key=storage_key(owner="library", kind=kind, extension=fmt),
                                              content=content)
    except BaseException:
        _delete(stored)
        raise
    return stored


def _delete(stored: dict[str, str]) -> None:
    for name in stored.values():
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def pose_request_create_library_pose(*, request_id, actor, name: str, category_id, description: str = "",
                                     notes: str | None = None, source_credit: str | None = None) -> PoseLibrary:
    """Create the library pose from the request's reference photo and complete the request with it.

    An approved request passes through in_progress first (both transitions are logged). 404 unknown
    request; 400 bad name/category; 409 when the request is not approved/in progress or has no photo;
    422 when no person is found in the photo."""
    name = " ".join((name or "").split())
    if not name or len(name) > 150:
        raise ValidationFailed(_("Invalid input. name: give the library pose a name of at most 150 characters."),
                               fields={"name": [_("Give the library pose a name of at most 150 characters.")]})
    category = PoseCategory.objects.filter(pk=category_id).first()
    if category is None:
        raise ValidationFailed(_("Invalid input. categoryId: no such category."),
                               fields={"categoryId": [_("No such category.")]})
    request = PoseRequest.objects.filter(pk=request_id).first()
    if request is None:
        raise NotFound(_("Pose request not found."), code="REQUEST_NOT_FOUND")

    def check(req: PoseRequest) -> None:
        if req.status not in _CREATABLE_FROM:
            raise InvalidTransition(
                _("A library pose can be created only for an approved or in-progress request; this one is "
                  "%(status)s.") % {"status": req.status}, fromStatus=req.status, toStatus=RequestStatus.COMPLETED,
            )
        if not req.reference_image:
            raise Conflict(_("This request has no reference photo to extract the pose from."),
                           code="NO_REFERENCE_IMAGE")

    check(request)
    assets = _assets_for(request)
    stored = _store(assets)
    try:
        with transaction.atomic():
            locked = PoseRequest.objects.select_for_update().get(pk=request.pk)
            check(locked)
            # posegen's library writer: the category count, and the cache bumped on commit, so the pose is
            # listed before the requester's notification (sent on commit, after this) can arrive.
            pose = library_pose_add(
                name=name,
                description=(description or locked.description).strip(),
                category=category,
                keypoints=assets.keypoints,
                openpose_json=assets.openpose_json,
                pose_structure=assets.pose_structure,
                source_type="user_contributed",
                source_credit=source_credit or f"Community request “{locked.pose_name}”",
                files=stored,
            )
            if locked.status == RequestStatus.APPROVED:
                pose_request_transition_locked(request=locked, actor=actor, to_status=RequestStatus.IN_PROGRESS)
            pose_request_transition_locked(
                request=locked, actor=actor, to_status=RequestStatus.COMPLETED, completed_pose=pose,
                notes=notes or f"Your pose is in the library as “{pose.name}”.",
            )
    except BaseException:
        _delete(stored)
        raise
    pose.extraction_warnings = assets.warnings  # for the caller's message; not stored
    return pose
