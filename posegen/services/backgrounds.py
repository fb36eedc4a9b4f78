"""The background changer: pay, queue, replace the background of a generated image, refund on failure.

Flow of `POST /poses/:poseId/background` (spec 003 §1):
1. `background_request_validate` checks the mode's inputs (Layer 3 of the validation service) and, for
   `upload`, that the image is one the user uploaded to our storage (by key, never a foreign URL).
2. `background_change_start`, in one transaction: lock the pose row (owner-scoped: another user's
   pose is a 404), refuse a pose that is not completed, create the job (the partial unique index
   allows one active job per pose: a second request → 409, never a second charge) and charge
   (`charge:background:<job id>`, 0 credits for `enterprise_unlimited` users). After commit the
   task is queued; if queueing fails the job is failed and refunded at once and the caller gets 503.
3. The task (`background_job_run`) claims the job with a token (lumiku.core.jobs), renders the new image from the
   **original** (pre-background) image — so changing the background twice never compounds — stores
   it, and completes (token check; pose updated; `background.completed` published) or fails and
   refunds exactly once (`refund:background:<job id>`; `background.failed` published).

The pixels are posegen.imaging.backgrounds' (this module says what goes behind the person); the price is
posegen.services.pricing's.

Inside a generation (`useBackgroundChanger`), `background_apply_in_generation` runs the same render on
the engine output before services.generations.run stores it; the +10 per image was charged with the generation, and
a failure fails that image (run refunds the whole image price).

Locks, in order: the pose row, then the wallet row (inside lumiku.credits). Nothing here takes the
generation row, so no cycle with a generation's worker (generation row → pose rows → wallet).
"""

from __future__ import annotations

import io
import logging
import uuid
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image

from lumiku.core.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed
from lumiku.core.jobs import Outcome, job_claim, job_enqueue, job_image_store, job_release, job_thumbnail_store
from lumiku.core.realtime import realtime_publish, realtime_text_by_language
from lumiku.core.storage import storage_read, storage_save, storage_url, user_storage_key
from lumiku.core.uploads import image_input_url, user_asset_resolve, user_asset_upload
from lumiku.credits.selectors import credits_balance
from lumiku.credits.services import credits_charge, credits_refund
from lumiku.webhooks.services import webhook_event_emit
from posegen.engines import EngineError, TransientEngineError, engine_get
from posegen.imaging.backdrops import backdrop_get, backdrop_plan, generate_backdrop
from posegen.imaging.backgrounds import (
    BackgroundFailed,
    NewBackground,
    TransientBackgroundError,
    background_replace,
    decode_rgb,
)
from posegen.metrics import background_job_finished
from posegen.models import GeneratedPose
from posegen.models.choices import BackgroundMode, LedgerReference, PoseStatus
from posegen.models.generation import ACTIVE_BACKGROUND_JOB_STATUSES, BackgroundJob, BackgroundJobStatus
from posegen.services.pricing import background_price
from posegen.services.validation import validate_background_options

logger = logging.getLogger(__name__)

# A failed job's reason is stored in English, translated where shown (results card); with posegen.imaging's.
FAILURE_REASONS = (
    gettext_noop("The background change could not be queued; your credits were refunded."),
    gettext_noop("An internal error stopped the background change."), gettext_noop("The image could not be read."),
    gettext_noop("The background image could not be loaded."),
    gettext_noop("Nothing was given to put behind the person."))


@dataclass(frozen=True)
class BackgroundRequest:
    mode: str
    color: str = ""
    prompt: str = ""
    backdrop_id: str = ""
    image_name: str = ""  # upload mode: stored name under users/<id>/backgrounds/

    @property
    def label(self) -> str:
        """What `backgroundPrompt` shows for this change."""
        if self.mode == BackgroundMode.AI_GENERATE:
            return self.prompt
        if self.mode == BackgroundMode.SOLID_COLOR:
            return f"Solid colour {self.color}"
        if self.mode == BackgroundMode.UPLOAD:
            return "Uploaded background"
        return "Blurred original background"


# --- the request and its user assets ----------------------------------------------------------------------
def background_request_validate(*, user, mode: str, color: str = "", prompt: str = "", backdrop_id: str = "",
                                 image_upload=None, image_url: str = "") -> BackgroundRequest:
    """Spec 003 §1D: the mode's inputs, normalised. Stores an uploaded background (validated by content)."""
    backdrop_id = (backdrop_id or "").strip()
    if backdrop_id:
        backdrop = backdrop_get(backdrop_id)
        if backdrop is None:
            raise ValidationFailed(_("Unknown backdropId."), code="VALIDATION_ERROR",
                                   fields={"backdropId": [_("Unknown backdrop.")]})
        if mode in ("", BackgroundMode.AI_GENERATE) and not prompt:
            mode, prompt = BackgroundMode.AI_GENERATE, backdrop.prompt
    # The background keeps the upload's own stored name (no copy), so only the both-at-once rule is shared.
    image_input_url(upload=image_upload, url=image_url, field="backgroundImage", url_field="backgroundImageUrl")
    has_upload = image_upload is not None or bool(image_url)
    mode, color, prompt = validate_background_options(mode=mode, color=color, prompt=prompt, has_upload=has_upload)
    name = ""
    if mode == BackgroundMode.UPLOAD:
        if image_upload is not None:
            name = user_asset_upload(user=user, upload=image_upload, kind="backgrounds")
        else:
            name = user_asset_resolve(user=user, url_or_name=image_url, kind="backgrounds",
                                      field="backgroundImageUrl")
    return BackgroundRequest(mode=mode, color=color if mode == BackgroundMode.SOLID_COLOR else "",
                             prompt=prompt if mode == BackgroundMode.AI_GENERATE else "",
                             backdrop_id=backdrop_id if mode == BackgroundMode.AI_GENERATE else "", image_name=name)


# --- what goes behind the person (the pixels are posegen.imaging.backgrounds') ---------------------
def _ai_background(*, prompt: str, width: int, height: int, seed: int) -> np.ndarray:
    """The configured engine's background generation when it has one, else the offline studio backdrop."""
    engine = engine_get()
    generate = getattr(engine, "generate_background", None)
    if callable(generate):
        try:
            data = generate(prompt=prompt, width=width, height=height, seed=seed)
        except TransientEngineError as exc:
            raise TransientBackgroundError(exc.user_message) from exc
        except EngineError as exc:
            raise BackgroundFailed(exc.user_message) from exc
        if isinstance(data, np.ndarray):
            return data[:, :, :3]
        return decode_rgb(getattr(data, "image", data))  # an EngineResult or encoded bytes
    return generate_backdrop(prompt=prompt, width=width, height=height, seed=seed)


def _uploaded_background(name: str) -> np.ndarray:
    try:
        return decode_rgb(storage_read(name))
    except BackgroundFailed:
        raise
    except Exception as exc:
        raise TransientBackgroundError("The background image could not be loaded.") from exc


def _new_background(request: BackgroundRequest, *, seed: int) -> NewBackground:
    if request.mode == BackgroundMode.SOLID_COLOR:
        return NewBackground(color=request.color)
    if request.mode == BackgroundMode.UPLOAD:
        return NewBackground(picture=lambda width, height: _uploaded_background(request.image_name))
    if request.mode == BackgroundMode.AI_GENERATE:
        return NewBackground(picture=lambda width, height: _ai_background(prompt=request.prompt, width=width,
                                                                          height=height, seed=seed),
                             light_x=backdrop_plan(request.prompt).light_x)
    if request.mode == BackgroundMode.BLUR:
        return NewBackground(blur=True)
    raise BackgroundFailed(f"Unknown background mode {request.mode!r}.")


def background_render(*, image: bytes | np.ndarray, request: BackgroundRequest, seed: int = 0) -> np.ndarray:
    """The image with its background replaced as `request` says (RGB uint8). Raises BackgroundFailed."""
    return background_replace(image=image, background=_new_background(request, seed=seed))


# --- inside a generation (called by services.generations.run before it stores the engine output) ---
def background_apply_in_generation(*, pose_id, token, generation, image: Image.Image) -> Image.Image:
    """Replace the background of an engine output; keep the pre-background image as `original_image`.

    Raises EngineError (not retried) when the background cannot be changed, TransientEngineError when
    it is worth retrying: run then fails or retries the image and refunds it whole.
    """
    request = BackgroundRequest(mode=generation.background_mode or BackgroundMode.SOLID_COLOR,
                                color=generation.background_color or "#FFFFFF",
                                prompt=generation.background_prompt, image_name=generation.background_image.name or "")
    rgb = np.asarray(image.convert("RGB"))
    try:
        result = background_render(image=rgb, request=request, seed=int(generation.seed or 0))
    except TransientBackgroundError as exc:
        raise TransientEngineError(str(exc), user_message=f"The background could not be changed: {exc}") from exc
    except BackgroundFailed as exc:
        raise EngineError(str(exc), user_message=f"The background could not be changed: {exc}") from exc
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=3)
    original = storage_save(key=user_storage_key(user_id=generation.user_id, kind=f"generations/{generation.pk}",
                                                 extension="PNG"), content=buf.getvalue())
    GeneratedPose.objects.filter(pk=pose_id, claim_token=token).update(
        original_image=original, background_changed=True, background_prompt=request.label[:2000])
    return Image.fromarray(result)


# --- API: start, run, complete, fail, revert ------------------------------------------------------
def _owned_pose_locked(*, user, pose_id) -> GeneratedPose:
    pose = (GeneratedPose.objects.select_for_update(of=("self",)).select_related("generation")
            .filter(pk=pose_id, generation__user=user).first())
    if pose is None:
        raise NotFound(_("Pose not found."), code="POSE_NOT_FOUND")
    return pose


def _new_job(*, user, pose: GeneratedPose, request: BackgroundRequest, price: int) -> BackgroundJob:
    if pose.status != PoseStatus.COMPLETED or not pose.output_image:
        raise Conflict(_("This image is not ready yet; change its background once it is generated."),
                       code="POSE_NOT_READY")
    if BackgroundJob.objects.filter(pose=pose, status__in=ACTIVE_BACKGROUND_JOB_STATUSES).exists():
        raise Conflict(_("A background change for this image is already in progress."), code="BACKGROUND_JOB_ACTIVE",
                       jobId=f"bg-{pose.pk}")
    job = BackgroundJob(id=uuid.uuid4(), pose=pose, user=user, mode=request.mode, color=request.color,
                        prompt=request.prompt, backdrop_id=request.backdrop_id,
                        background_image=request.image_name, credit_charged=price)
    try:
        with transaction.atomic():  # a savepoint: the unique index is the last word on "one active job"
            job.save(force_insert=True)
    except IntegrityError:
        raise Conflict(_("A background change for this image is already in progress."), code="BACKGROUND_JOB_ACTIVE",
                       jobId=f"bg-{pose.pk}") from None
    if price:
        credits_charge(user_id=user.pk, amount=price, idempotency_key=f"charge:background:{job.pk}",
                       reference_type=LedgerReference.BACKGROUND_CHANGE, reference_id=str(job.pk),
                       description="Background change: 1 image")
    return job


def _enqueue(job_ids: list) -> None:
    """Queue the jobs; a job that cannot be queued is failed and refunded now. Raises 503 if any failed."""
    from posegen.tasks import background_change

    failed = 0
    for job_id in job_ids:
        try:
            job_enqueue(background_change, args=[str(job_id)], task_id=f"bg-{job_id}")
        except Exception:
            logger.warning("could not queue background job %s; refunding", job_id, exc_info=True)
            background_job_fail(job_id=job_id, token=None,
                                reason="The background change could not be queued; your credits were refunded.")
            failed += 1
    if failed:
        raise ServiceUnavailable(_("The background change could not be queued right now; nothing was charged."),
                                 code="QUEUE_UNAVAILABLE")


def background_change_start(*, user, pose_id, request: BackgroundRequest) -> tuple[BackgroundJob, int]:
    """Charge and queue one background change. Returns (job, credit balance after the charge)."""
    price = background_price(user=user)
    with transaction.atomic():
        pose = _owned_pose_locked(user=user, pose_id=pose_id)
        job = _new_job(user=user, pose=pose, request=request, price=price)
    _enqueue([job.pk])
    return job, credits_balance(user_id=user.pk)


def generation_background_start(*, user, generation_id, request: BackgroundRequest) -> tuple[list[BackgroundJob], int]:
    """One background change per completed image of a generation, all charged in one transaction.

    Refused whole (409, nothing charged) when any of them already has a change in progress or when the
    generation has no completed image.
    """
    from posegen.models import PoseGeneration

    price = background_price(user=user)
    if not PoseGeneration.objects.filter(pk=generation_id, user=user).exists():
        raise NotFound(_("Generation not found."), code="GENERATION_NOT_FOUND")
    with transaction.atomic():
        poses = list(GeneratedPose.objects.select_for_update(of=("self",)).select_related("generation")
                     .filter(generation_id=generation_id, generation__user=user, status=PoseStatus.COMPLETED)
                     .order_by("sequence"))
        if not poses:
            raise Conflict(_("This generation has no finished image yet."), code="POSE_NOT_READY")
        jobs = [_new_job(user=user, pose=pose, request=request, price=price) for pose in poses]
    _enqueue([job.pk for job in jobs])
    return jobs, credits_balance(user_id=user.pk)


def background_job_run(*, job_id, attempt: int = 1) -> Outcome:
    """Worker side: claim, render, store, complete — or fail and refund. Returns the outcome."""
    token = job_claim(jobs=BackgroundJob.objects.filter(pk=job_id), pending=BackgroundJobStatus.PENDING,
                      processing=BackgroundJobStatus.PROCESSING, lease_seconds=settings.POSEGEN_CLAIM_LEASE_SECONDS)
    if token is None:
        return Outcome.SKIPPED
    job = BackgroundJob.objects.select_related("pose__generation").get(pk=job_id)
    pose = job.pose
    request = BackgroundRequest(mode=job.mode, color=job.color, prompt=job.prompt, backdrop_id=job.backdrop_id,
                                image_name=job.background_image.name or "")
    source = pose.original_image.name or pose.output_image.name
    try:
        rgb = background_render(image=storage_read(source), request=request,
                                seed=int(pose.seed_used or 0) + job.attempts)
        output, thumbnail = job_image_store(user_id=job.user_id, kind=f"generations/{pose.generation_id}",
                                            image=Image.fromarray(rgb))
    except TransientBackgroundError as exc:
        if attempt < settings.POSEGEN_BACKGROUND_MAX_ATTEMPTS:
            job_release(jobs=BackgroundJob.objects.filter(pk=job_id), token=token, pending=BackgroundJobStatus.PENDING)
            return Outcome.RETRY
        background_job_fail(job_id=job_id, token=token, reason=str(exc))
        return Outcome.FAILED
    except BackgroundFailed as exc:
        background_job_fail(job_id=job_id, token=token, reason=str(exc))
        return Outcome.FAILED
    except Exception:
        logger.exception("background job %s failed", job_id)
        background_job_fail(job_id=job_id, token=token, reason="An internal error stopped the background change.")
        return Outcome.FAILED
    done = _complete(job_id=job_id, token=token, source=source, output=output, thumbnail=thumbnail,
                     label=request.label)
    return Outcome.COMPLETED if done else Outcome.SKIPPED


def _complete(*, job_id, token, source: str, output: str, thumbnail: str, label: str) -> bool:
    from posegen.services.exports import pose_exports_enqueue

    with transaction.atomic():
        job = BackgroundJob.objects.select_related("pose").get(pk=job_id)
        pose = GeneratedPose.objects.select_for_update(of=("self",)).select_related("generation").get(pk=job.pose_id)
        updated = BackgroundJob.objects.filter(pk=job_id, claim_token=token,
                                               status=BackgroundJobStatus.PROCESSING).update(
            status=BackgroundJobStatus.COMPLETED, output_image=output, completed_at=timezone.now(), claim_token=None)
        if not updated:
            return False
        background_job_finished(status=BackgroundJobStatus.COMPLETED, mode=job.mode, seconds=_processing_seconds(job))
        GeneratedPose.objects.filter(pk=pose.pk).update(
            original_image=source, output_image=output, thumbnail=thumbnail, background_changed=True,
            background_prompt=label[:2000], export_formats={"original": output})
        if pose.generation.export_formats:
            pose_exports_enqueue(pose_id=pose.pk)
        payload = {
            "poseId": str(pose.pk), "jobId": f"bg-{pose.pk}", "generationId": str(pose.generation_id),
            "outputImageUrl": storage_url(output), "originalImageUrl": storage_url(source),
            "thumbnailUrl": storage_url(thumbnail), "backgroundPrompt": label,
        }
        realtime_publish(user_id=job.user_id, event_type="background.completed", payload=payload)
        webhook_event_emit(user_id=job.user_id, event_type="background.completed",
                           key=f"background.completed:{job.pk}", data=payload)
    return True


def _processing_seconds(job: BackgroundJob) -> float | None:
    """From the worker's claim to now (spec 003 §11: processing time per mode); None if never claimed."""
    return (timezone.now() - job.claimed_at).total_seconds() if job.claimed_at else None


def background_job_fail(*, job_id, token, reason: str) -> bool:
    """Fail an active job and refund it exactly once. `token=None` is for a job never handed to a worker."""
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in ACTIVE_BACKGROUND_JOB_STATUSES:
            return False
        if token is not None and job.claim_token != token:
            return False
        if token is None and job.claim_token is not None:
            return False
        refund = job.credit_charged - job.credit_refunded
        if refund > 0:
            credits_refund(user_id=job.user_id, amount=refund, idempotency_key=f"refund:background:{job.pk}",
                           reference_type=LedgerReference.BACKGROUND_CHANGE, reference_id=str(job.pk),
                           description="Background change failed: refund")
        BackgroundJob.objects.filter(pk=job.pk).update(
            status=BackgroundJobStatus.FAILED, error_message=reason[:1000], credit_refunded=job.credit_charged,
            completed_at=timezone.now(), claim_token=None)
        background_job_finished(status=BackgroundJobStatus.FAILED, mode=job.mode, seconds=_processing_seconds(job))
        realtime_publish(user_id=job.user_id, event_type="background.failed", payload={
            "poseId": str(job.pose_id), "jobId": f"bg-{job.pose_id}", "errorMessage": reason,
            "errorMessageByLanguage": realtime_text_by_language(reason), "creditRefunded": refund,
        })
    return True


def background_revert(*, user, pose_id) -> GeneratedPose:
    """Restore the image from before the background change (free)."""
    from posegen.services.exports import pose_exports_enqueue

    with transaction.atomic():
        pose = _owned_pose_locked(user=user, pose_id=pose_id)
        if not pose.background_changed or not pose.original_image:
            raise Conflict(_("This image has no background change to undo."), code="BACKGROUND_NOT_CHANGED")
        if BackgroundJob.objects.filter(pose=pose, status__in=ACTIVE_BACKGROUND_JOB_STATUSES).exists():
            raise Conflict(_("A background change for this image is in progress."), code="BACKGROUND_JOB_ACTIVE",
                           jobId=f"bg-{pose.pk}")
        original = pose.original_image.name
        try:
            with Image.open(io.BytesIO(storage_read(original))) as img:
                img.load()
                thumbnail = job_thumbnail_store(user_id=user.pk, kind=f"generations/{pose.generation_id}",
                                                image=img)
        except Exception:
            thumbnail = pose.thumbnail.name
        pose.output_image = original
        pose.thumbnail = thumbnail
        pose.background_changed = False
        pose.background_prompt = ""
        pose.export_formats = {"original": original}
        pose.save(update_fields=["output_image", "thumbnail", "background_changed", "background_prompt",
                                 "export_formats"])
        if pose.generation.export_formats:
            pose_exports_enqueue(pose_id=pose.pk)
    return pose
