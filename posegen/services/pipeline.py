"""The worker side: dispatch a generation, generate one image, finish, refund, cancel, sweep.

Every step may run twice (acks_late re-delivery, the stale sweep): an image is claimed with a
conditional UPDATE carrying a fresh token, and only the holder of that token may complete or fail
it, so no image is generated into the results twice and no refund is paid twice.
Locks: the generation row first (SELECT ... FOR UPDATE), then the wallet/user row inside the
credits services.
"""

from __future__ import annotations

import io
import logging
import time
import uuid
from datetime import timedelta
from enum import StrEnum

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Avg, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from lumiku.core.errors import Conflict, NotFound
from lumiku.core.metrics import engine_observed, generation_finished
from lumiku.core.queues import Queue
from lumiku.core.realtime import realtime_publish
from lumiku.core.storage import storage_read, storage_save, storage_url, user_storage_key
from lumiku.credits.services import credits_refund, credits_release_unlimited_quota
from lumiku.webhooks.services import webhook_event_emit
from posegen.engines import EngineError, EngineRequest, QualityGateFailed, TransientEngineError, engine_get
from posegen.models import GeneratedPose, PoseGeneration, PoseGeneratorProject
from posegen.models.choices import ACTIVE_GENERATION_STATUSES, GenerationStatus, PaymentMethod, PoseStatus
from posegen.selectors.generations import generation_progress
from posegen.services.generation_notices import generation_ready_notify
from posegen.services.pricing import generation_image_price
from posegen.services.prompts import NEGATIVE_PROMPT, prompt_build

logger = logging.getLogger(__name__)
THUMBNAIL_WIDTH = 384


class Outcome(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    RETRY = "retry"
    SKIPPED = "skipped"


def _publish(generation: PoseGeneration, event_type: str, **extra) -> None:
    realtime_publish(user_id=generation.user_id, event_type=event_type,
                     payload={**generation_progress(generation=generation), **extra})


def _locked(generation_id) -> PoseGeneration:
    return PoseGeneration.objects.select_for_update().get(pk=generation_id)


def _relaxed_durability() -> None:
    """Inside a transaction that moves no money: let PostgreSQL skip the commit's fsync wait.

    A crash can lose only the last few such commits (an image claim or completion mark); the
    image is then claimed again after its lease, never charged or refunded twice.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


# --- dispatch ------------------------------------------------------------------------------------
def _claimable(now) -> Q:
    lease = now - timedelta(seconds=settings.POSEGEN_CLAIM_LEASE_SECONDS)
    return Q(status=PoseStatus.PENDING) | Q(status=PoseStatus.PROCESSING, claimed_at__lt=lease)


def generation_dispatch(*, generation_id) -> int:
    """Mark the generation processing and queue one engine task per unfinished image. Idempotent."""
    from posegen.tasks import pose_generate

    now = timezone.now()
    with transaction.atomic():
        generation = PoseGeneration.objects.select_for_update().filter(pk=generation_id).first()
        if generation is None or generation.status not in ACTIVE_GENERATION_STATUSES:
            return 0
        if generation.status == GenerationStatus.PENDING:
            generation.status = GenerationStatus.PROCESSING
            generation.started_at = now
        generation.last_progress_at = now
        generation.save(update_fields=["status", "started_at", "last_progress_at"])
        pose_ids = list(generation.poses.filter(_claimable(now)).order_by("sequence").values_list("pk", flat=True))
        _publish(generation, "generation.progress")
    for pose_id in pose_ids:
        pose_generate.apply_async(args=[str(pose_id)], queue=Queue.ENGINE)
    return len(pose_ids)


# --- one image -----------------------------------------------------------------------------------
def _claim(pose_id) -> uuid.UUID | None:
    token = uuid.uuid4()
    now = timezone.now()
    with transaction.atomic():
        _relaxed_durability()
        claimed = (
            GeneratedPose.objects.filter(pk=pose_id)
            .filter(_claimable(now))
            .filter(generation__status__in=ACTIVE_GENERATION_STATUSES, generation__cancel_requested=False)
            .update(status=PoseStatus.PROCESSING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
        )
    return token if claimed else None


def _engine_request(pose: GeneratedPose) -> EngineRequest:
    from posegen.posekit.render_controlnet import encode_png, render_controlnet_map
    from posegen.posekit.skeleton import pose_from_dict, pose_jitter, pose_to_dict, project_pose

    generation = pose.generation
    library = pose.pose_library
    structure = pose.pose_structure or (library.pose_structure if library else None) or None
    width, height = settings.POSEGEN_OUTPUT_WIDTH, settings.POSEGEN_OUTPUT_HEIGHT
    if structure:
        # Project at the output's own aspect: the library's stored keypoints are fitted to its 3:4
        # reference canvas and would come out stretched on a 2:3 image.
        target = pose_from_dict(data=structure)
        if library and pose.variation_index > 0:
            target = pose_jitter(pose=target, seed=int(pose.seed_used or 0), degrees=4.0)
            structure = pose_to_dict(pose=target)
        keypoints = project_pose(pose=target, width=width, height=height).keypoints.astype(np.float32)
    else:  # a pose known only by its keypoints (e.g. imported OpenPose JSON)
        keypoints = np.asarray(library.keypoints, dtype=np.float32) if library and library.keypoints else None
    if keypoints is None or keypoints.shape != (18, 3):
        raise EngineError("no target keypoints", user_message="This pose has no usable skeleton.")
    def control_map() -> bytes:
        return encode_png(image=render_controlnet_map(keypoints=keypoints, width=width, height=height))

    prompt = prompt_build(
        avatar_attributes=generation.avatar_attributes,
        pose_name=library.name if library else "",
        pose_description=library.description if library else "",
        user_text=generation.text_prompt,
    )
    return EngineRequest(
        avatar_image=storage_read(generation.project.avatar_image.name), keypoints=keypoints,
        controlnet_map_loader=control_map, prompt=prompt, negative_prompt=NEGATIVE_PROMPT,
        seed=int(pose.seed_used or 0), controlnet_weight=pose.controlnet_weight, width=width, height=height,
        pose_structure=structure, variation=pose.variation_index,
        shoot_seed=int(generation.seed or 0) + pose.variation_index,
    )


def _validated_image(data: bytes) -> tuple[Image.Image, int, int]:
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            return img.convert("RGB"), img.width, img.height
    except Exception as exc:
        raise EngineError(f"engine returned an undecodable image: {exc}",
                          user_message="The engine returned a broken image.") from exc


def _store_outputs(pose: GeneratedPose, image: Image.Image) -> tuple[str, str]:
    user_id = pose.generation.user_id
    kind = f"generations/{pose.generation_id}"
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=3)
    output_name = storage_save(key=user_storage_key(user_id=user_id, kind=kind, extension="PNG"),
                               content=out.getvalue())
    thumb = image.copy()
    thumb.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 2), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    thumb.save(buf, "JPEG", quality=85, optimize=True)
    thumb_name = storage_save(key=user_storage_key(user_id=user_id, kind=kind, extension="JPEG"),
                              content=buf.getvalue())
    return output_name, thumb_name


def pose_generate_run(*, pose_id, attempt: int = 1) -> Outcome:
    """Generate one image if this call can claim it; record success or failure (with refund)."""
    token = _claim(pose_id)
    if token is None:
        return Outcome.SKIPPED
    pose = GeneratedPose.objects.select_related("generation__project", "pose_library").get(pk=pose_id)
    started = time.perf_counter()
    try:
        request = _engine_request(pose)
        result = engine_get().generate(request)
        image, width, height = _validated_image(result.image)
        if (width, height) != (result.width, result.height):
            raise EngineError(f"engine said {result.width}x{result.height}, image is {width}x{height}",
                              user_message="The engine returned an image of the wrong size.")
        # --- issue 7: background changer inside a generation (posegen.services.background) ---
        if pose.generation.use_background_changer:
            from posegen.services.background import background_apply_in_generation

            image = background_apply_in_generation(pose_id=pose_id, token=token, generation=pose.generation,
                                                   image=image)
        # --- end issue 7 ---
        output_name, thumb_name = _store_outputs(pose, image)
    except TransientEngineError as exc:
        if attempt < settings.POSEGEN_ENGINE_MAX_ATTEMPTS:
            GeneratedPose.objects.filter(pk=pose_id, claim_token=token).update(status=PoseStatus.PENDING,
                                                                               claim_token=None)
            return Outcome.RETRY
        pose_fail(pose_id=pose_id, token=token, reason=exc.user_message)
        return Outcome.FAILED
    except QualityGateFailed as exc:
        # Made but not postable: refunded like any failure, with what the gate measured on the image.
        logger.info("quality gate failed pose %s: %s", pose_id, exc.code)
        pose_fail(pose_id=pose_id, token=token, reason=exc.user_message,
                  metadata={"engine": engine_get().name, "qualityGate": exc.checks})
        return Outcome.FAILED
    except EngineError as exc:
        logger.info("engine refused pose %s: %s", pose_id, exc)
        pose_fail(pose_id=pose_id, token=token, reason=exc.user_message)
        return Outcome.FAILED
    except Exception:
        logger.exception("pose %s failed", pose_id)
        pose_fail(pose_id=pose_id, token=token, reason="An internal error stopped this image.")
        return Outcome.FAILED
    elapsed = time.perf_counter() - started
    engine_observed(engine=engine_get().name, seconds=result.elapsed)
    metadata = {"engine": engine_get().name, "engineSeconds": round(result.elapsed, 3), **(result.metadata or {})}
    done = _complete(pose_id=pose_id, token=token, output_name=output_name, thumb_name=thumb_name,
                     prompt=request.prompt, seed=result.seed, elapsed=elapsed, confidence=result.confidence,
                     structure=request.pose_structure, metadata=metadata)
    return Outcome.COMPLETED if done else Outcome.SKIPPED


def _complete(*, pose_id, token, output_name, thumb_name, prompt, seed, elapsed, confidence, structure,
              metadata) -> bool:
    with transaction.atomic():
        _relaxed_durability()
        pose = GeneratedPose.objects.only("generation_id").get(pk=pose_id)
        generation = _locked(pose.generation_id)
        updated = GeneratedPose.objects.filter(pk=pose_id, claim_token=token, status=PoseStatus.PROCESSING).update(
            status=PoseStatus.COMPLETED, output_image=output_name, thumbnail=thumb_name, prompt_used=prompt,
            seed_used=seed, generation_time=elapsed, ai_confidence_score=confidence, completed_at=timezone.now(),
            export_formats={"original": output_name}, pose_structure=structure, engine_metadata=metadata,
        )
        if not updated:
            return False  # another worker took over this image after our lease ran out
        # --- issue 7: this image's exports for the generation's outputFormats, on queue export after commit ---
        if generation.export_formats:
            from posegen.services.exports import pose_exports_enqueue

            pose_exports_enqueue(pose_id=pose_id)
        # --- end issue 7 ---
        generation.poses_completed += 1
        _advance(generation)
        urls = {"outputImageUrl": storage_url(output_name), "thumbnailUrl": storage_url(thumb_name)}
        _publish(generation, "pose.completed", poseId=str(pose_id), **urls)
        # Signed webhooks: the delivery rows commit with this image (their task is enqueued after commit).
        webhook_event_emit(user_id=generation.user_id, event_type="pose.completed", key=f"pose.completed:{pose_id}",
                           data={**generation_progress(generation=generation), "poseId": str(pose_id), **urls})
        _finish_if_done(generation)
    return True


def pose_fail(*, pose_id, token, reason: str, metadata: dict | None = None) -> bool:
    """Mark a claimed image failed and refund it exactly once (credits or quota); ``metadata`` (e.g. the
    quality gate's checks) is kept on the image's engine metadata."""
    extra = {"engine_metadata": metadata} if metadata is not None else {}
    with transaction.atomic():
        pose = GeneratedPose.objects.only("generation_id").get(pk=pose_id)
        generation = _locked(pose.generation_id)
        updated = GeneratedPose.objects.filter(pk=pose_id, claim_token=token, status=PoseStatus.PROCESSING).update(
            status=PoseStatus.FAILED, error_message=reason[:1000], refunded=True, completed_at=timezone.now(),
            **extra,
        )
        if not updated:
            return False
        refunded = _refund(generation, pose_ids=[pose_id], key=f"refund:pose:{pose_id}", images=1,
                           reason="Image failed")
        generation.poses_failed += 1
        _advance(generation)
        _publish(generation, "pose.failed", poseId=str(pose_id), errorMessage=reason, creditRefunded=refunded)
        _finish_if_done(generation)
    return True


def _refund(generation: PoseGeneration, *, pose_ids, key: str, images: int, reason: str) -> int:
    if generation.payment_method == PaymentMethod.UNLIMITED_QUOTA:
        credits_release_unlimited_quota(user_id=generation.user_id, poses=images,
                                        quota_reset_at=generation.quota_window)
        generation.quota_refunded += images
        return 0
    amount = images * generation_image_price(generation=generation)
    amount = min(amount, generation.credit_charged - generation.credit_refunded)
    if amount > 0:
        credits_refund(user_id=generation.user_id, amount=amount, idempotency_key=key,
                       reference_type="pose_generation", reference_id=str(generation.pk),
                       description=f"{reason}: {images} image(s)")
        generation.credit_refunded += amount
    return amount


def _advance(generation: PoseGeneration) -> None:
    done = generation.poses_completed + generation.poses_failed + generation.poses_cancelled
    generation.progress = min(100, round(100 * done / generation.total_expected_poses))
    generation.last_progress_at = timezone.now()
    generation.save(update_fields=["poses_completed", "poses_failed", "poses_cancelled", "progress",
                                   "credit_refunded", "quota_refunded", "last_progress_at"])


def _finish_if_done(generation: PoseGeneration) -> None:
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
        generation.error_message = "No image could be generated; every image was refunded."
    generation.save(update_fields=["status", "completed_at", "progress", "total_processing_time",
                                   "avg_generation_time", "error_message"])
    generation_finished(status=status)
    PoseGeneratorProject.objects.filter(pk=generation.project_id).update(
        total_poses_generated=F("total_poses_generated") + generation.poses_completed
    )
    event = "generation.failed" if status == GenerationStatus.FAILED else "generation.completed"
    credits = {"creditCharged": generation.credit_charged, "creditRefunded": generation.credit_refunded}
    _publish(generation, event, **credits)
    generation_ready_notify(generation=generation)
    webhook_event_emit(user_id=generation.user_id, event_type=event, key=f"{event}:{generation.pk}",
                       data={**generation_progress(generation=generation), **credits})


# --- cancel and sweep ----------------------------------------------------------------------------
def _close_unfinished(generation: PoseGeneration, *, statuses, new_status: str, reason: str, key: str) -> int:
    pose_ids = list(generation.poses.filter(status__in=statuses).values_list("pk", flat=True))
    if not pose_ids:
        return 0
    count = GeneratedPose.objects.filter(pk__in=pose_ids, status__in=statuses).update(
        status=new_status, error_message=reason, refunded=True, completed_at=timezone.now(), claim_token=None
    )
    _refund(generation, pose_ids=pose_ids, key=key, images=count, reason=reason)
    return count


def generation_cancel(*, user, generation_id) -> PoseGeneration:
    """Stop what has not started and refund it; images already being generated finish normally."""
    with transaction.atomic():
        generation = PoseGeneration.objects.select_for_update().filter(pk=generation_id, user=user).first()
        if generation is None:
            raise NotFound(_("Generation not found."), code="GENERATION_NOT_FOUND")
        if generation.status not in ACTIVE_GENERATION_STATUSES:
            raise Conflict(_("This generation is already %(status)s.") % {"status": generation.status},
                           code="GENERATION_FINISHED")
        generation.cancel_requested = True
        generation.save(update_fields=["cancel_requested"])
        cancelled = _close_unfinished(generation, statuses=[PoseStatus.PENDING], new_status=PoseStatus.CANCELLED,
                                      reason="Cancelled", key=f"refund:generation-cancel:{generation.pk}")
        generation.poses_cancelled += cancelled
        _advance(generation)
        _publish(generation, "generation.progress")
        _finish_if_done(generation)
    return generation


def generation_sweep_stale() -> dict[str, int]:
    """Re-enqueue generations with no progress for a while (a bounded number of times), then fail
    what is left of them and refund it. Safe to run on any schedule and concurrently."""
    from posegen.services.generation import generation_enqueue

    cutoff = timezone.now() - timedelta(seconds=settings.POSEGEN_STALE_AFTER_SECONDS)
    stale = PoseGeneration.objects.filter(status__in=ACTIVE_GENERATION_STATUSES).filter(
        Q(last_progress_at__lt=cutoff) | Q(last_progress_at__isnull=True, created_at__lt=cutoff)
    )
    requeued = failed = 0
    for generation_id, attempts in stale.values_list("pk", "enqueue_attempts"):
        if attempts < settings.POSEGEN_MAX_ENQUEUE_ATTEMPTS:
            requeued += int(generation_enqueue(generation_id=generation_id, count_attempt=True))
            continue
        with transaction.atomic():
            generation = _locked(generation_id)
            if generation.status not in ACTIVE_GENERATION_STATUSES:
                continue
            reason = "This image could not be generated in time; it was refunded."
            count = _close_unfinished(generation, statuses=[PoseStatus.PENDING, PoseStatus.PROCESSING],
                                      new_status=PoseStatus.FAILED, reason=reason,
                                      key=f"refund:generation-stale:{generation.pk}")
            generation.poses_failed += count
            generation.error_message = "Generation stalled; unfinished images were refunded."
            generation.save(update_fields=["error_message"])
            _advance(generation)
            _finish_if_done(generation)
            failed += 1
    return {"requeued": requeued, "failed": failed}
