"""User actions on generated images: favourite, download counting."""

from __future__ import annotations

from django.db.models import F

from posegen.models import GeneratedPose


def generated_pose_set_favorite(*, pose: GeneratedPose, favorite: bool) -> GeneratedPose:
    GeneratedPose.objects.filter(pk=pose.pk).update(is_favorite=favorite)
    pose.is_favorite = favorite
    return pose


def generated_pose_count_download(*, pose: GeneratedPose) -> int:
    GeneratedPose.objects.filter(pk=pose.pk).update(download_count=F("download_count") + 1)
    pose.refresh_from_db(fields=["download_count"])
    return pose.download_count
