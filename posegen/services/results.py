"""User actions on generated images: favourite, download (counted, then the stored file)."""

from __future__ import annotations

from django.db.models import F

from lumiku.core.errors import NotFound
from lumiku.core.storage import storage_url
from posegen.models import GeneratedPose


def generated_pose_set_favorite(*, pose: GeneratedPose, favorite: bool) -> GeneratedPose:
    GeneratedPose.objects.filter(pk=pose.pk).update(is_favorite=favorite)
    pose.is_favorite = favorite
    return pose


def generated_pose_download(*, pose: GeneratedPose, format_name: str) -> str:
    """The URL of the pose's stored ``format_name`` export, counting the download (the API's and the page's
    one rule); NotFound (EXPORT_NOT_FOUND) when the pose has no such export, and then nothing is counted."""
    stored = (pose.export_formats or {}).get(format_name)
    if not stored:
        raise NotFound(f"No {format_name} export for this pose.", code="EXPORT_NOT_FOUND")
    generated_pose_count_download(pose=pose)
    return storage_url(stored)


def generated_pose_count_download(*, pose: GeneratedPose) -> int:
    GeneratedPose.objects.filter(pk=pose.pk).update(download_count=F("download_count") + 1)
    pose.refresh_from_db(fields=["download_count"])
    return pose.download_count
