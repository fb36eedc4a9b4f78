"""The worker side of a generation: dispatch it, generate one image, complete or fail that image.

Every step may run twice (acks_late re-delivery, the stale sweep): an image is claimed with a fresh token
(lumiku.core.jobs), and only the holder of that token may complete or fail it, so no image is generated
into the results twice and no refund is paid twice.
Locks: the generation row first (SELECT ... FOR UPDATE), then the wallet/user row inside the credits services.
"""

from __future__ import annotations

import io
import logging
import time

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from PIL import Image

from lumiku.core.jobs import (
    Outcome,
    job_claim,
    job_claimable,
    job_image_store,
    job_relaxed_durability,
    job_release,
)
from lumiku.core.realtime import realtime_text_by_language
from lumiku.core.storage import storage_read, storage_url
from lumiku.webhooks.services import webhook_event_emit
from posegen.engines import EngineError, EngineRequest, QualityGateFailed, TransientEngineError, engine_get
from posegen.metrics import engine_observed
from posegen.models import GeneratedPose, PoseGeneration
from posegen.models.choices import ACTIVE_GENERATION_STATUSES, GenerationStatus, PoseStatus
from posegen.selectors.generations import generation_progress
from posegen.services.feasibility import library_pose_target, stored_pose_traits
from posegen.services.generations.lifecycle import (
    generation_advance,
    generation_finish_if_done,
    generation_locked,
    generation_publish,
    generation_refund,
)
from posegen.services.generations.prompts import NEGATIVE_PROMPT, prompt_build

logger = logging.getLogger(__name__)


def _claimable(now):
    return job_claimable(pending=PoseStatus.PENDING, processing=PoseStatus.PROCESSING,
                         lease_seconds=settings.POSEGEN_CLAIM_LEASE_SECONDS, now=now)


# --- dispatch ------------------------------------------------------------------------------------
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
        generation_publish(generation=generation, event_type="generation.progress")
    for pose_id in pose_ids:
        pose_generate.apply_async(args=[str(pose_id)])  # on the queue its decorator names (engine)
    return len(pose_ids)


# --- one image -----------------------------------------------------------------------------------
def _claim(pose_id):
    """The image's claim token, if it is claimable and its generation is still running and not cancelled."""
    with transaction.atomic():
        job_relaxed_durability()
        return job_claim(
            jobs=GeneratedPose.objects.filter(pk=pose_id).filter(generation__status__in=ACTIVE_GENERATION_STATUSES,
                                                                 generation__cancel_requested=False),
            pending=PoseStatus.PENDING, processing=PoseStatus.PROCESSING,
            lease_seconds=settings.POSEGEN_CLAIM_LEASE_SECONDS)


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
    # The avatar's traits as stored at the photo check and the library pose as listed: the verdict the buyer
    # saw before paying (a later variation is jittered a few degrees; it is made with that same verdict).
    traits = stored_pose_traits(check=generation.project.avatar_check, engine=engine_get())
    judged = library_pose_target(structure=library.pose_structure, keypoints=library.keypoints,
                                 openpose=library.openpose_json) if library else None
    return EngineRequest(
        avatar_image=storage_read(generation.project.avatar_image.name), keypoints=keypoints,
        controlnet_map_loader=control_map, prompt=prompt, negative_prompt=NEGATIVE_PROMPT,
        seed=int(pose.seed_used or 0), controlnet_weight=pose.controlnet_weight, width=width, height=height,
        pose_structure=structure, variation=pose.variation_index,
        shoot_seed=int(generation.seed or 0) + pose.variation_index, avatar_traits=traits,
        judged_target=judged,
    )


def _validated_image(data: bytes) -> tuple[Image.Image, int, int]:
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            return img.convert("RGB"), img.width, img.height
    except Exception as exc:
        raise EngineError(f"engine returned an undecodable image: {exc}",
                          user_message="The engine returned a broken image.") from exc


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
        # --- issue 7: background changer inside a generation (posegen.services.backgrounds) ---
        if pose.generation.use_background_changer:
            from posegen.services.backgrounds import background_apply_in_generation

            image = background_apply_in_generation(pose_id=pose_id, token=token, generation=pose.generation,
                                                   image=image)
        # --- end issue 7 ---
        output_name, thumb_name = job_image_store(user_id=pose.generation.user_id,
                                                   kind=f"generations/{pose.generation_id}", image=image)
    except TransientEngineError as exc:
        if attempt < settings.POSEGEN_ENGINE_MAX_ATTEMPTS:
            job_release(jobs=GeneratedPose.objects.filter(pk=pose_id), token=token, pending=PoseStatus.PENDING)
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
        pose_fail(pose_id=pose_id, token=token, reason=gettext_noop("An internal error stopped this image."))
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
        job_relaxed_durability()
        pose = GeneratedPose.objects.only("generation_id").get(pk=pose_id)
        generation = generation_locked(generation_id=pose.generation_id)
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
        generation_advance(generation=generation)
        urls = {"outputImageUrl": storage_url(output_name), "thumbnailUrl": storage_url(thumb_name)}
        generation_publish(generation=generation, event_type="pose.completed", poseId=str(pose_id), **urls)
        # Signed webhooks: the delivery rows commit with this image (their task is enqueued after commit).
        webhook_event_emit(user_id=generation.user_id, event_type="pose.completed", key=f"pose.completed:{pose_id}",
                           data={**generation_progress(generation=generation), "poseId": str(pose_id), **urls})
        generation_finish_if_done(generation=generation)
    return True


def pose_fail(*, pose_id, token, reason: str, metadata: dict | None = None) -> bool:
    """Mark a claimed image failed and refund it exactly once (credits or quota); ``metadata`` (e.g. the
    quality gate's checks) is kept on the image's engine metadata."""
    extra = {"engine_metadata": metadata} if metadata is not None else {}
    with transaction.atomic():
        pose = GeneratedPose.objects.only("generation_id").get(pk=pose_id)
        generation = generation_locked(generation_id=pose.generation_id)
        updated = GeneratedPose.objects.filter(pk=pose_id, claim_token=token, status=PoseStatus.PROCESSING).update(
            status=PoseStatus.FAILED, error_message=reason[:1000], refunded=True, completed_at=timezone.now(),
            **extra,
        )
        if not updated:
            return False
        refunded = generation_refund(generation=generation, pose_ids=[pose_id], key=f"refund:pose:{pose_id}",
                                     images=1, reason="Image failed")
        generation.poses_failed += 1
        generation_advance(generation=generation)
        # errorMessage stays the stored English; errorMessageByLanguage says it in each language (en, id).
        generation_publish(generation=generation, event_type="pose.failed", poseId=str(pose_id), errorMessage=reason,
                           errorMessageByLanguage=realtime_text_by_language(reason), creditRefunded=refunded)
        generation_finish_if_done(generation=generation)
    return True
