"""Reads for the Pose Generator. Every user-owned read is scoped to the user: others' rows are 404."""

from __future__ import annotations

from django.db.models import QuerySet

from lumiku.core.errors import NotFound
from posegen.models import PoseGeneratorProject
from posegen.models.choices import ProjectStatus


def project_list(*, user, status: str | None = None) -> QuerySet[PoseGeneratorProject]:
    qs = PoseGeneratorProject.objects.filter(user=user).exclude(status=ProjectStatus.DELETED)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def project_get(*, user, project_id) -> PoseGeneratorProject:
    project = (
        PoseGeneratorProject.objects.filter(user=user, pk=project_id)
        .exclude(status=ProjectStatus.DELETED)
        .first()
    )
    if project is None:
        raise NotFound("Project not found.", code="PROJECT_NOT_FOUND")
    return project


def project_images_in_use(names: list[str]) -> set[str]:
    """Of these stored names, those a project that is not deleted still uses as its photo (a project made
    from a saved avatar shares the avatar's file). See settings.STORAGE_REFERENCE_CHECKS."""
    return set(PoseGeneratorProject.objects.filter(avatar_image__in=names).exclude(status=ProjectStatus.DELETED)
               .values_list("avatar_image", flat=True))
