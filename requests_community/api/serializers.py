"""Output serializers for pose requests (camelCase, the spec's field names).

The moderator's note (`adminNotes`) is feedback to the requester: it is shown to the requester and
to moderators, and is null for everyone else looking at the board. Pass the viewer as
`context={"viewer": user}`.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lumiku.core.serializers import StorageUrlField
from requests_community.merge_note import admin_notes_for_reader


def _can_see_notes(viewer, obj) -> bool:
    return viewer is not None and (obj.user_id == viewer.pk or getattr(viewer, "is_moderator", False))


class RequestOutput(serializers.Serializer):
    id = serializers.UUIDField()
    poseName = serializers.CharField(source="pose_name")  # noqa: N815
    description = serializers.CharField()
    referenceImageUrl = StorageUrlField(source="reference_image")  # noqa: N815
    categoryId = serializers.UUIDField(source="category_id", allow_null=True)  # noqa: N815
    categoryName = serializers.SerializerMethodField()  # noqa: N815
    useCase = serializers.SerializerMethodField()  # noqa: N815
    votesCount = serializers.IntegerField(source="votes_count")  # noqa: N815
    status = serializers.CharField()
    adminNotes = serializers.SerializerMethodField()  # noqa: N815
    completedPoseId = serializers.UUIDField(source="completed_pose_id", allow_null=True)  # noqa: N815
    duplicateOfId = serializers.UUIDField(source="duplicate_of_id", allow_null=True)  # noqa: N815
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    updatedAt = serializers.DateTimeField(source="updated_at")  # noqa: N815
    hasVoted = serializers.SerializerMethodField()  # noqa: N815

    @extend_schema_field({"type": "string", "nullable": True})
    def get_categoryName(self, obj) -> str | None:  # noqa: N802
        return obj.category.display_name if obj.category_id else None

    @extend_schema_field({"type": "string", "nullable": True, "description": "e-commerce, professional or social"})
    def get_useCase(self, obj) -> str | None:  # noqa: N802
        return obj.use_case or None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_adminNotes(self, obj) -> str | None:  # noqa: N802
        if not obj.admin_notes or not _can_see_notes(self.context.get("viewer"), obj):
            return None
        return admin_notes_for_reader(obj.admin_notes)  # a merge's default note in the reader's language

    def get_hasVoted(self, obj) -> bool:  # noqa: N802
        return bool(getattr(obj, "has_voted", False))


class RequestEnvelope(serializers.Serializer):
    request = RequestOutput()


class RequestCreatedEnvelope(serializers.Serializer):
    request = RequestOutput()
    similarRequests = RequestOutput(many=True)  # noqa: N815


class RequestListOutput(serializers.Serializer):
    requests = RequestOutput(many=True)


class AdminRequestOutput(RequestOutput):
    userId = serializers.UUIDField(source="user_id")  # noqa: N815
    userEmail = serializers.EmailField(source="user.email")  # noqa: N815


class TransitionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    fromStatus = serializers.CharField(source="from_status")  # noqa: N815
    toStatus = serializers.CharField(source="to_status")  # noqa: N815
    notes = serializers.CharField()
    actorId = serializers.UUIDField(source="actor_id", allow_null=True)  # noqa: N815
    actorEmail = serializers.SerializerMethodField()  # noqa: N815
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815

    @extend_schema_field({"type": "string", "nullable": True})
    def get_actorEmail(self, obj) -> str | None:  # noqa: N802
        return obj.actor.email if obj.actor_id else None


class AdminRequestDetailOutput(AdminRequestOutput):
    transitions = serializers.SerializerMethodField()
    allowedTransitions = serializers.SerializerMethodField()  # noqa: N815

    @extend_schema_field(TransitionOutput(many=True))
    def get_transitions(self, obj):
        return TransitionOutput(self.context.get("transitions", []), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowedTransitions(self, obj):  # noqa: N802
        return self.context.get("allowed", [])


class AdminRequestEnvelope(serializers.Serializer):
    request = AdminRequestOutput()


class AdminRequestDetailEnvelope(serializers.Serializer):
    request = AdminRequestDetailOutput()


class AdminRequestListOutput(serializers.Serializer):
    requests = AdminRequestOutput(many=True)


class StatsOutput(serializers.Serializer):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    approved = serializers.IntegerField()
    inProgress = serializers.IntegerField(source="in_progress")  # noqa: N815
    completed = serializers.IntegerField()
    rejected = serializers.IntegerField()


class StatsEnvelope(serializers.Serializer):
    stats = StatsOutput()


class MergeOutput(serializers.Serializer):
    request = AdminRequestOutput()
    target = AdminRequestOutput()
    votesMoved = serializers.IntegerField()  # noqa: N815
    votesDropped = serializers.IntegerField()  # noqa: N815
