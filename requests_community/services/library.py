"""A request becomes a library pose: the pose of its reference photo, drawn as the library's four pictures,
becomes a `PoseLibrary` row in the moderator's category, and the request is completed with it.

The pictures, their storage and the row are posegen's: its library service (posegen.services.library, the
one writer of the library) draws them from the photo, stores them and creates the pose, counting it in its
category and bumping the library cache on commit. This module holds only the request's side: its checks,
its photo, and its transitions. The slow part (pose detection, the fit, the renderers; a few seconds) runs
before any transaction; then one transaction locks the request, re-checks its status, creates the pose and
records the transition(s) through the state machine. If that transaction fails, the stored pictures are
deleted again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from lumiku.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from lumiku.core.storage import storage_read
from posegen.selectors.library import library_category_get
from posegen.services.library import (
    PosePictures,
    library_pictures_from_photo,
    library_pictures_stored,
    library_pose_add,
)
from requests_community.models import PoseRequest, RequestStatus
from requests_community.services.moderation import pose_request_transition_locked

if TYPE_CHECKING:
    from posegen.models import PoseLibrary

_CREATABLE_FROM = (RequestStatus.APPROVED, RequestStatus.IN_PROGRESS)


def _pictures_for(request: PoseRequest) -> PosePictures:
    try:
        image = storage_read(request.reference_image.name)
    except OSError:
        raise Conflict(_("The request's reference photo cannot be read from storage."),
                       code="REFERENCE_IMAGE_MISSING") from None
    return library_pictures_from_photo(image=image)


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
    category = library_category_get(category_id=category_id)
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
    pictures = _pictures_for(request)
    with library_pictures_stored(pictures=pictures) as files, transaction.atomic():
        locked = PoseRequest.objects.select_for_update().get(pk=request.pk)
        check(locked)
        # posegen's library writer: the category count, and the cache bumped on commit, so the pose is
        # listed before the requester's notification (sent on commit, after this) can arrive.
        pose = library_pose_add(
            name=name,
            description=(description or locked.description).strip(),
            category=category,
            keypoints=pictures.keypoints,
            openpose_json=pictures.openpose_json,
            pose_structure=pictures.pose_structure,
            source_type="user_contributed",
            source_credit=source_credit or f"Community request “{locked.pose_name}”",
            files=files,
        )
        if locked.status == RequestStatus.APPROVED:
            pose_request_transition_locked(request=locked, actor=actor, to_status=RequestStatus.IN_PROGRESS)
        pose_request_transition_locked(
            request=locked, actor=actor, to_status=RequestStatus.COMPLETED, completed_pose=pose,
            notes=notes or f"Your pose is in the library as “{pose.name}”.",
        )
    pose.extraction_warnings = pictures.warnings  # for the caller's message; not stored
    return pose
