"""Output serializers (camelCase, the spec's field names) shared by the Pose Generator API views."""

from rest_framework import serializers

from lumiku.core.serializers import StorageUrlField
from posegen.services.avatar_check_texts import avatar_check_localize


class AvatarCheckField(serializers.JSONField):
    """The stored (English) avatar check, its problems and warnings in the request's language."""

    def to_representation(self, value):
        return super().to_representation(avatar_check_localize(value))


class ProjectOutput(serializers.Serializer):
    id = serializers.UUIDField()
    projectName = serializers.CharField(source="project_name")  # noqa: N815
    description = serializers.CharField()
    avatarImageUrl = StorageUrlField(source="avatar_image")  # noqa: N815
    avatarSource = serializers.CharField(source="avatar_source")  # noqa: N815
    avatarId = serializers.UUIDField(source="avatar_id", allow_null=True)  # noqa: N815
    avatarCheck = AvatarCheckField(source="avatar_check")  # noqa: N815
    totalGenerations = serializers.IntegerField(source="total_generations")  # noqa: N815
    totalPosesGenerated = serializers.IntegerField(source="total_poses_generated")  # noqa: N815
    status = serializers.CharField()
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    updatedAt = serializers.DateTimeField(source="updated_at")  # noqa: N815


class ProjectEnvelope(serializers.Serializer):
    project = ProjectOutput()
