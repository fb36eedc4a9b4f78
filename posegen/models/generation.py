import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from posegen.models.choices import (
    BackgroundMode,
    GenerationStatus,
    GenerationType,
    PaymentMethod,
    PoseStatus,
)


class PoseGeneration(models.Model):
    """One paid batch job. The row is also the outbox: a periodic task re-enqueues stale ones."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("posegen.PoseGeneratorProject", on_delete=models.CASCADE, related_name="generations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pose_generations")

    generation_type = models.CharField(max_length=20, choices=GenerationType.choices)
    text_prompt = models.TextField(blank=True)
    generated_pose_structure = models.JSONField(null=True, blank=True)

    avatar = models.ForeignKey("avatars.Avatar", null=True, blank=True, on_delete=models.SET_NULL)
    avatar_attributes = models.JSONField(null=True, blank=True)

    batch_size = models.PositiveSmallIntegerField(default=1)
    total_expected_poses = models.PositiveIntegerField()
    seed = models.BigIntegerField(null=True, blank=True)

    use_background_changer = models.BooleanField(default=False)
    background_prompt = models.TextField(blank=True)
    background_mode = models.CharField(max_length=16, choices=BackgroundMode.choices, blank=True)
    background_color = models.CharField(max_length=7, blank=True)
    background_image = models.FileField(max_length=255, blank=True)

    export_formats = models.JSONField(default=list, blank=True)

    status = models.CharField(max_length=16, choices=GenerationStatus.choices, default=GenerationStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    poses_completed = models.PositiveIntegerField(default=0)
    poses_failed = models.PositiveIntegerField(default=0)
    poses_cancelled = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)

    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.CREDITS)
    credit_charged = models.PositiveIntegerField(default=0)
    credit_refunded = models.PositiveIntegerField(default=0)
    quota_charged = models.PositiveIntegerField(default=0)
    quota_refunded = models.PositiveIntegerField(default=0)
    quota_window = models.DateTimeField(null=True, blank=True)

    queue_job_id = models.CharField(max_length=100, blank=True)
    # Idempotency-Key header: the same key and body replays the first response, never charges twice.
    idempotency_key = models.CharField(max_length=200, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    enqueue_attempts = models.PositiveSmallIntegerField(default=0)
    last_progress_at = models.DateTimeField(null=True, blank=True)
    error_message = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    avg_generation_time = models.FloatField(null=True, blank=True)
    total_processing_time = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["project"], name="gen_project"),
            models.Index(fields=["user"], name="gen_user"),
            models.Index(fields=["user", "-created_at"], name="gen_user_recent"),
            models.Index(fields=["status", "created_at"], name="gen_status_fifo"),
            models.Index(fields=["queue_job_id"], name="gen_queue_job"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=GenerationStatus.values), name="gen_status_valid"),
            models.CheckConstraint(condition=Q(generation_type__in=GenerationType.values), name="gen_type_valid"),
            models.CheckConstraint(
                condition=Q(background_mode__in=[*BackgroundMode.values, ""]), name="gen_background_mode_valid"
            ),
            models.CheckConstraint(condition=Q(progress__gte=0) & Q(progress__lte=100), name="gen_progress_range"),
            models.CheckConstraint(
                condition=Q(batch_size__gte=1) & Q(batch_size__lte=20), name="gen_batch_size_range"
            ),
            models.CheckConstraint(
                condition=Q(total_expected_poses__gte=1) & Q(total_expected_poses__lte=500),
                name="gen_total_expected_range",
            ),
            models.CheckConstraint(
                condition=Q(poses_completed__gte=0)
                & Q(poses_failed__gte=0)
                & Q(poses_cancelled__gte=0)
                & Q(total_expected_poses__gte=F("poses_completed") + F("poses_failed") + F("poses_cancelled")),
                name="gen_counts_within_total",
            ),
            models.CheckConstraint(
                condition=Q(credit_refunded__gte=0) & Q(credit_refunded__lte=F("credit_charged")),
                name="gen_refund_within_charge",
            ),
            models.CheckConstraint(
                condition=Q(quota_refunded__gte=0) & Q(quota_refunded__lte=F("quota_charged")),
                name="gen_quota_refund_within_charge",
            ),
            models.CheckConstraint(
                condition=Q(payment_method__in=PaymentMethod.values), name="gen_payment_method_valid"
            ),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"], condition=~Q(idempotency_key=""), name="gen_idempotency_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.generation_type} {self.id}"


class GeneratedPose(models.Model):
    """One expected output image; created up front with the generation, claimed by a worker."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    generation = models.ForeignKey(PoseGeneration, on_delete=models.CASCADE, related_name="poses")
    pose_library = models.ForeignKey(
        "posegen.PoseLibrary", null=True, blank=True, on_delete=models.SET_NULL, related_name="generated_poses"
    )
    sequence = models.PositiveIntegerField()  # 0..N-1 within the generation
    variation_index = models.PositiveSmallIntegerField(default=0)
    pose_structure = models.JSONField(null=True, blank=True)  # the target pose (text mode, variations)

    output_image = models.FileField(max_length=255, blank=True)
    thumbnail = models.FileField(max_length=255, blank=True)
    original_image = models.FileField(max_length=255, blank=True)
    export_formats = models.JSONField(default=dict, blank=True)  # {format: storage name}
    # {format: message} of formats whose latest export failed (the others were delivered); a later
    # success of that format removes its entry.
    export_failures = models.JSONField(default=dict, blank=True)
    # {"image": storage name, "box": [x0, y0, x1, y1] | null}: the person's box the first export found in
    # that image, so re-exports and ZIPs crop around it without segmenting again.
    export_subject = models.JSONField(null=True, blank=True)

    background_changed = models.BooleanField(default=False)
    background_prompt = models.TextField(blank=True)

    prompt_used = models.TextField(blank=True)
    seed_used = models.BigIntegerField(null=True, blank=True)
    controlnet_weight = models.FloatField(default=0.75)

    generation_time = models.FloatField(null=True, blank=True)
    ai_confidence_score = models.FloatField(null=True, blank=True)
    # What the engine reported: its name, provider latency, per-image cost, ... (JSON-ready).
    engine_metadata = models.JSONField(default=dict, blank=True)

    is_favorite = models.BooleanField(default=False)
    download_count = models.PositiveIntegerField(default=0)

    status = models.CharField(max_length=16, choices=PoseStatus.choices, default=PoseStatus.PENDING)
    error_message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    refunded = models.BooleanField(default=False)
    # A worker owns the pose while its token matches; a claim older than the lease may be taken over.
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["generation", "sequence"]
        indexes = [
            models.Index(fields=["generation"], name="genpose_generation"),
            models.Index(fields=["pose_library"], name="genpose_library"),
            models.Index(fields=["status"], name="genpose_status"),
            models.Index(fields=["is_favorite"], name="genpose_favorite"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["generation", "sequence"], name="genpose_unique_sequence"),
            models.CheckConstraint(condition=Q(status__in=PoseStatus.values), name="genpose_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=PoseStatus.COMPLETED) | ~Q(output_image=""),
                name="genpose_completed_has_image",
            ),
            models.CheckConstraint(
                condition=Q(refunded=False) | Q(status__in=[PoseStatus.FAILED, PoseStatus.CANCELLED]),
                name="genpose_only_unfinished_refunded",
            ),
            models.CheckConstraint(
                condition=Q(controlnet_weight__gte=0) & Q(controlnet_weight__lte=2),
                name="genpose_controlnet_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.generation_id}#{self.sequence}"


class PoseSelection(models.Model):
    generation = models.ForeignKey(PoseGeneration, on_delete=models.CASCADE, related_name="selections")
    pose_library = models.ForeignKey("posegen.PoseLibrary", on_delete=models.CASCADE, related_name="selections")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["generation", "pose_library"], name="selection_unique_per_generation")
        ]

    def __str__(self) -> str:
        return f"{self.generation_id} → {self.pose_library_id}"


# --- Background changer jobs (issue 7) -------------------------------------------------------------
class BackgroundJobStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


ACTIVE_BACKGROUND_JOB_STATUSES = (BackgroundJobStatus.PENDING, BackgroundJobStatus.PROCESSING)


class BackgroundJob(models.Model):
    """One paid background change of one generated image (the spec's `bg-<poseId>` job).

    At most one active (pending/processing) job per image, enforced by the database, so a second
    request while one runs is a 409 and never a second charge. A worker claims the job with a token
    (like GeneratedPose) and only the token holder may complete or fail it; the refund key
    `refund:background:<job id>` makes the refund exactly-once. A job whose worker or message was lost is
    queued again, then failed and refunded, by the stale sweep (posegen.services.background_sweep).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pose = models.ForeignKey(GeneratedPose, on_delete=models.CASCADE, related_name="background_jobs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="background_jobs")
    mode = models.CharField(max_length=16, choices=BackgroundMode.choices)
    color = models.CharField(max_length=7, blank=True)
    prompt = models.TextField(blank=True)
    backdrop_id = models.CharField(max_length=40, blank=True)
    background_image = models.FileField(max_length=255, blank=True)  # upload mode: a stored name of ours
    status = models.CharField(max_length=16, choices=BackgroundJobStatus.choices,
                              default=BackgroundJobStatus.PENDING)
    credit_charged = models.PositiveIntegerField(default=0)
    credit_refunded = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Messages published for it (the start's, then the stale sweep's) and when the last one was.
    enqueue_attempts = models.PositiveSmallIntegerField(default=1)
    enqueued_at = models.DateTimeField(default=timezone.now)
    output_image = models.FileField(max_length=255, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="bgjob_user_recent"),
                   models.Index(fields=["status", "created_at"], name="bgjob_status_fifo")]
        constraints = [
            models.UniqueConstraint(fields=["pose"], condition=Q(status__in=["pending", "processing"]),
                                    name="bgjob_one_active_per_pose"),
            models.CheckConstraint(condition=Q(status__in=BackgroundJobStatus.values), name="bgjob_status_valid"),
            models.CheckConstraint(condition=Q(mode__in=BackgroundMode.values), name="bgjob_mode_valid"),
            models.CheckConstraint(condition=Q(credit_refunded__gte=0) & Q(credit_refunded__lte=F("credit_charged")),
                                   name="bgjob_refund_within_charge"),
        ]

    def __str__(self) -> str:
        return f"bg-{self.pose_id} ({self.status})"
