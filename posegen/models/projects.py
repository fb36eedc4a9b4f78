import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from posegen.models.choices import AvatarSource, ProjectStatus


class PoseGeneratorProject(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pose_projects")
    project_name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    # The project keeps its own image key, so deleting the Avatar it came from never breaks it.
    avatar_image = models.FileField(max_length=255)
    avatar_source = models.CharField(max_length=20, choices=AvatarSource.choices, default=AvatarSource.UPLOAD)
    avatar = models.ForeignKey(
        "avatars.Avatar", null=True, blank=True, on_delete=models.SET_NULL, related_name="pose_projects"
    )
    # The avatar photo check (full body, one person, limbs apart ...) so the UI can warn on upload.
    avatar_check = models.JSONField(default=dict, blank=True)

    total_generations = models.PositiveIntegerField(default=0)
    total_poses_generated = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user"], name="project_user"),
            models.Index(fields=["user", "-updated_at"], name="project_user_updated"),
            models.Index(fields=["user", "-created_at"], name="project_user_created"),
            models.Index(fields=["avatar"], name="project_avatar"),
            models.Index(fields=["status"], name="project_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProjectStatus.values), name="project_status_valid"),
            models.CheckConstraint(
                condition=Q(avatar_source__in=AvatarSource.values), name="project_avatar_source_valid"
            ),
            models.CheckConstraint(condition=~Q(avatar_image=""), name="project_avatar_image_required"),
            models.CheckConstraint(condition=~Q(project_name=""), name="project_name_required"),
        ]

    def __str__(self) -> str:
        return self.project_name
