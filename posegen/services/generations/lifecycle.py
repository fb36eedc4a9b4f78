"""What every step of a generation's life shares: lock the row, publish progress, refund images, count
them, close unfinished ones, and finish the generation once every image is accounted for.

Used by run (one image), cancel and sweep; each caller holds the generation row's lock
(:func:`generation_locked` or its own SELECT ... FOR UPDATE) while it calls these, and the credits
services lock the wallet or user row after it (lock order: generation row, pose rows, wallet).
"""

from __future__ import annotations

from django.db.models import Avg, F
from django.utils import timezone
from django.utils.translation import gettext_noop

from lumiku.core.realtime import realtime_publish
from lumiku.credits.services import credits_refund, credits_release_unlimited_quota
from lumiku.webhooks.services import webhook_event_emit
from posegen.metrics import generation_finished
from posegen.models import GeneratedPose, PoseGeneration, PoseGeneratorProject
from posegen.models.choices import (
    ACTIVE_GENERATION_STATUSES,
    GenerationStatus,
    LedgerReference,
    PaymentMethod,
    PoseStatus,
)
from posegen.selectors.generations import generation_image_price, generation_progress
from posegen.services.generation_notices import generation_ready_notify


def generation_publish(*, generation: PoseGeneration, event_type: str, **extra) -> None:
    realtime_publish(user_id=generation.user_id, event_type=event_type,
                     payload={**generation_progress(generation=generation), **extra})


def generation_locked(*, generation_id) -> PoseGeneration:
    return PoseGeneration.objects.select_for_update().get(pk=generation_id)


def generation_refund(*, generation: PoseGeneration, pose_ids, key: str, images: int, reason: str) -> int:
    if generation.payment_method == PaymentMethod.UNLIMITED_QUOTA:
        credits_release_unlimited_quota(user_id=generation.user_id, poses=images,
                                        quota_reset_at=generation.quota_window)
        generation.quota_refunded += images
        return 0
    amount = images * generation_image_price(generation=generation)
    amount = min(amount, generation.credit_charged - generation.credit_refunded)
    if amount > 0:
        credits_refund(user_id=generation.user_id, amount=amount, idempotency_key=key,
                       reference_type=LedgerReference.GENERATION, reference_id=str(generation.pk),
                       description=f"{reason}: {images} image(s)")
        generation.credit_refunded += amount
    return amount


def generation_advance(*, generation: PoseGeneration) -> None:
    done = generation.poses_completed + generation.poses_failed + generation.poses_cancelled
    generation.progress = min(100, round(100 * done / generation.total_expected_poses))
    generation.last_progress_at = timezone.now()
    generation.save(update_fields=["poses_completed", "poses_failed", "poses_cancelled", "progress",
                                   "credit_refunded", "quota_refunded", "last_progress_at"])


def generation_finish_if_done(*, generation: PoseGeneration) -> None:
    done = generation.poses_completed + generation.poses_failed + generation.poses_cancelled
    if done < generation.total_expected_poses or generation.status not in ACTIVE_GENERATION_STATUSES:
        return
    now = timezone.now()
    if generation.cancel_requested:
        status = GenerationStatus.CANCELLED
    elif generation.poses_completed == generation.total_expected_poses:
        status = GenerationStatus.COMPLETED
    elif generation.poses_completed == 0:
        status = GenerationStatus.FAILED
    else:
        status = GenerationStatus.PARTIAL
    generation.status = status
    generation.completed_at = now
    generation.progress = 100
    if generation.started_at:
        generation.total_processing_time = (now - generation.started_at).total_seconds()
    generation.avg_generation_time = generation.poses.filter(status=PoseStatus.COMPLETED).aggregate(
        avg=Avg("generation_time"))["avg"]
    if status == GenerationStatus.FAILED and not generation.error_message:
        generation.error_message = gettext_noop("No image could be generated; every image was refunded.")
    generation.save(update_fields=["status", "completed_at", "progress", "total_processing_time",
                                   "avg_generation_time", "error_message"])
    generation_finished(status=status)
    PoseGeneratorProject.objects.filter(pk=generation.project_id).update(
        total_poses_generated=F("total_poses_generated") + generation.poses_completed
    )
    event = "generation.failed" if status == GenerationStatus.FAILED else "generation.completed"
    credits = {"creditCharged": generation.credit_charged, "creditRefunded": generation.credit_refunded}
    generation_publish(generation=generation, event_type=event, **credits)
    generation_ready_notify(generation=generation)
    webhook_event_emit(user_id=generation.user_id, event_type=event, key=f"{event}:{generation.pk}",
                       data={**generation_progress(generation=generation), **credits})


def generation_close_unfinished(*, generation: PoseGeneration, statuses, new_status: str, reason: str,
                                key: str) -> int:
    pose_ids = list(generation.poses.filter(status__in=statuses).values_list("pk", flat=True))
    if not pose_ids:
        return 0
    count = GeneratedPose.objects.filter(pk__in=pose_ids, status__in=statuses).update(
        status=new_status, error_message=reason, refunded=True, completed_at=timezone.now(), claim_token=None
    )
    generation_refund(generation=generation, pose_ids=pose_ids, key=key, images=count, reason=reason)
    return count
