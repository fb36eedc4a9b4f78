import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from requests_community.merge_note import admin_notes_for_reader


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


# Requests still being worked on: open to votes, shown on the board, counted for duplicates.
OPEN_STATUSES: tuple[str, ...] = (RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.IN_PROGRESS)


class UseCase(models.TextChoices):
    ECOMMERCE = "e-commerce", _("E-commerce")
    PROFESSIONAL = "professional", _("Professional")
    SOCIAL = "social", _("Social media")


class PoseRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pose_requests")
    pose_name = models.CharField(max_length=100)
    normalized_name = models.CharField(max_length=100, db_index=True)
    description = models.TextField(max_length=500)
    reference_image = models.FileField(max_length=255, blank=True)
    category = models.ForeignKey(
        "posegen.PoseCategory", null=True, blank=True, on_delete=models.SET_NULL, related_name="pose_requests"
    )
    use_case = models.CharField(max_length=20, choices=UseCase.choices, blank=True)
    votes_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    admin_notes = models.TextField(blank=True)
    completed_pose = models.ForeignKey(
        "posegen.PoseLibrary", null=True, blank=True, on_delete=models.PROTECT, related_name="fulfilled_requests"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-votes_count", "-created_at"]
        indexes = [
            models.Index(fields=["user"], name="posereq_user"),
            models.Index(fields=["status"], name="posereq_status"),
            models.Index(fields=["-votes_count"], name="posereq_votes"),
            models.Index(fields=["status", "-votes_count"], name="posereq_status_votes"),
            models.Index(fields=["user", "status"], name="posereq_user_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="posereq_status_valid"),
            models.CheckConstraint(condition=Q(use_case__in=[*UseCase.values, ""]), name="posereq_use_case_valid"),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.COMPLETED) | Q(completed_pose__isnull=False),
                name="posereq_completed_has_pose",
            ),
            models.CheckConstraint(condition=~Q(pose_name=""), name="posereq_name_required"),
            models.CheckConstraint(condition=~Q(duplicate_of=F("id")), name="posereq_not_own_duplicate"),
            # One open request per user and normalised name (the duplicate check's database guarantee).
            models.UniqueConstraint(
                fields=["user", "normalized_name"],
                condition=Q(status__in=OPEN_STATUSES),
                name="posereq_one_open_per_user_name",
            ),
        ]

    def __str__(self) -> str:
        return self.pose_name

    @property
    def admin_notes_for_reader(self) -> str:
        """The moderator's note for the pages: a merge's default note in the reader's language."""
        return admin_notes_for_reader(self.admin_notes)


class PoseRequestVote(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pose_request_votes")
    request = models.ForeignKey(PoseRequest, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["request"], name="posereqvote_request")]
        constraints = [models.UniqueConstraint(fields=["user", "request"], name="posereqvote_one_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.request_id}"


class PoseRequestTransition(models.Model):
    """The moderation log: one row per status change of a request (who, when, from, to, notes)."""

    request = models.ForeignKey(PoseRequest, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=RequestStatus.choices)
    to_status = models.CharField(max_length=16, choices=RequestStatus.choices)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="posereqtrans_request")]
        constraints = [
            models.CheckConstraint(condition=~Q(from_status=F("to_status")), name="posereqtrans_changes_status"),
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
