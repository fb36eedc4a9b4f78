"""Starting a generation: validate, pay, create every row, enqueue after commit.

Locks, in order: the project row, then the user row (unlimited quota) or the wallet row (credits,
inside lumiku.credits). Cancel (cancel.py) and the workers (run.py) lock the generation row before
touching its poses and then the wallet, so no path takes these in the opposite order.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lumiku.avatars.services import avatar_record_usage
from lumiku.core.bulk import bulk_insert
from lumiku.core.errors import (
    Conflict,
    InsufficientCredits,
    NotFound,
    ServiceUnavailable,
    UnprocessableEntity,
    ValidationFailed,
)
from lumiku.core.images import image_clean_upload
from lumiku.core.jobs import job_enqueue
from lumiku.core.storage import storage_save, user_storage_key
from lumiku.core.uploads import user_image_input
from lumiku.credits.services import credits_charge, credits_use_unlimited_quota
from posegen.metrics import export_formats_requested
from posegen.models import GeneratedPose, PoseGeneration, PoseGeneratorProject, PoseLibrary, PoseSelection
from posegen.models.choices import GenerationType, LedgerReference, PaymentMethod, ProjectStatus
from posegen.plugin import APP_ID, POSE_GENERATOR_APP
from posegen.services.avatar_check import project_avatar_require_usable
from posegen.services.feasibility import poses_require_supported, structures_require_supported
from posegen.services.pricing import generation_cost
from posegen.services.validation import GenerationPlan

logger = logging.getLogger(__name__)


def request_fingerprint(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _text_pose_structures(*, prompt: str, count: int, seed: int) -> tuple[dict, list[dict]]:
    """The pose the text describes, and one (jittered) structure per variation."""
    try:
        from posegen.posekit.text_to_pose import TextToPoseError, text_to_pose
    except ImportError:  # the text-to-pose module ships with the pose-library work
        raise ServiceUnavailable(_("Generating from a text description is not available yet."),
                                 code="TEXT_TO_POSE_UNAVAILABLE") from None
    from posegen.posekit.skeleton import pose_jitter, pose_to_dict

    try:
        result = text_to_pose(text=prompt)
    except TextToPoseError as exc:
        raise ValidationFailed(str(exc), code="PROMPT_NOT_UNDERSTOOD", fields={"textPrompt": [str(exc)]}) from None
    structures = [pose_to_dict(pose=result.pose)]
    structures += [pose_to_dict(pose=pose_jitter(pose=result.pose, seed=seed + i, degrees=5.0))
                   for i in range(1, count)]
    return {"understood": list(getattr(result, "understood", [])), "pose": structures[0]}, structures


def _photo_pose_structures(*, reference_image, count: int, seed: int) -> tuple[dict, list[dict]]:
    """The pose of the person in a reference photo, fitted to the body model, plus variations."""
    from posegen.posekit.extract import NoPersonDetected, PoseExtractionError, extract_pose
    from posegen.posekit.fit import fit_pose
    from posegen.posekit.skeleton import pose_jitter, pose_to_dict

    clean = image_clean_upload(upload=reference_image, field="referenceImage")
    try:
        found = extract_pose(image=clean.content)
        fit = fit_pose(keypoints=found.keypoints, image_width=found.image_width, image_height=found.image_height,
                       landmarks33=found.landmarks33)
    except NoPersonDetected as exc:
        raise UnprocessableEntity(exc.user_message, code="NO_PERSON_DETECTED") from None
    except (PoseExtractionError, ValueError) as exc:
        raise UnprocessableEntity(_("The pose in this photo could not be read: %(reason)s") % {"reason": exc},
                                  code="POSE_NOT_READABLE") from None
    structures = [pose_to_dict(pose=fit.pose)]
    structures += [pose_to_dict(pose=pose_jitter(pose=fit.pose, seed=seed + i, degrees=5.0)) for i in range(1, count)]
    summary = {"source": "photo", "pose": structures[0], "peopleDetected": found.people_detected,
               "warnings": list(found.warnings), "fitError": round(float(fit.error), 4)}
    return summary, structures


def _gallery_pose_ids(plan: GenerationPlan) -> list:
    # Only the ids: the keypoint/OpenPose JSON columns are read by the worker, not here.
    found = set(PoseLibrary.objects.filter(pk__in=plan.selected_pose_ids, is_public=True).values_list("pk", flat=True))
    missing = [str(pid) for pid in plan.selected_pose_ids if pid not in found]
    if missing:
        raise NotFound(_("Pose(s) not found: %(ids)s") % {"ids": ", ".join(missing)}, code="POSE_NOT_FOUND",
                       poseIds=missing)
    return list(plan.selected_pose_ids)


def _pose_rows(*, generation: PoseGeneration, plan: GenerationPlan, gallery: list,
               structures: list[dict]) -> list[dict]:
    seed = generation.seed or 0
    if plan.generation_type == GenerationType.GALLERY_REFERENCE:
        targets = [(pose_id, v, None) for pose_id in gallery for v in range(plan.batch_size)]
    else:
        targets = [(None, i, structure) for i, structure in enumerate(structures)]
    return [
        {"generation_id": generation.pk, "pose_library_id": pose_id, "sequence": i, "variation_index": variation,
         "pose_structure": structure, "seed_used": seed + i}
        for i, (pose_id, variation, structure) in enumerate(targets)
    ]


def generation_start(*, user, project_id, plan: GenerationPlan, background_image=None, reference_image=None,
                     background_image_url: str = "", reference_image_url: str = "",
                     idempotency_key: str = "", fingerprint: str = "") -> tuple[PoseGeneration, bool]:
    """Validate ownership, pay (quota first, else credits), create the generation, its selections and one
    GeneratedPose per expected image in one transaction, and enqueue after commit.

    Returns (generation, created). With an Idempotency-Key already used for the same body, the first
    generation is returned with created=False and nothing is charged; a different body → 422.
    """
    if idempotency_key:
        existing = PoseGeneration.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.request_fingerprint != fingerprint:
                raise UnprocessableEntity(_("This Idempotency-Key was already used with a different request."),
                                          code="IDEMPOTENCY_KEY_REUSED")
            return existing, False

    # Images come as files or as URLs of the user's own uploads (read from storage, never fetched).
    background_image = user_image_input(user=user, upload=background_image, url=background_image_url,
                                        kind="backgrounds", field="backgroundImage", url_field="backgroundImageUrl")
    reference_image = user_image_input(user=user, upload=reference_image, url=reference_image_url,
                                       kind="references", field="referenceImage", url_field="referenceImageUrl")
    # Before any charge or upload: an avatar photo the engine cannot use is refused with its reasons.
    project_avatar_require_usable(user=user, project_id=project_id)
    gallery = _gallery_pose_ids(plan) if plan.generation_type == GenerationType.GALLERY_REFERENCE else []
    # Before any charge: poses the engine cannot make from this avatar are refused, listed with reasons.
    poses_require_supported(user=user, project_id=project_id, pose_ids=gallery)
    seed = plan.seed if plan.seed is not None else uuid.uuid4().int % 2**31
    structure, structures = ({}, [])
    if plan.generation_type == GenerationType.TEXT_DESCRIPTION:
        structure, structures = _text_pose_structures(prompt=plan.text_prompt, count=plan.variation_count, seed=seed)
    elif plan.generation_type == GenerationType.POSE_FROM_PHOTO:
        structure, structures = _photo_pose_structures(reference_image=reference_image, count=plan.variation_count,
                                                       seed=seed)
    structures_require_supported(user=user, project_id=project_id, structures=structures)
    background_name = ""
    if background_image is not None:
        clean = image_clean_upload(upload=background_image, field="backgroundImage")
        background_name = storage_save(
            key=user_storage_key(user_id=user.pk, kind="backgrounds", extension=clean.format), content=clean.content
        )

    total = plan.total_poses
    cost = generation_cost(generation_type=plan.generation_type, images=total,
                           use_background_changer=plan.use_background_changer)
    try:
        with transaction.atomic():
            project = (PoseGeneratorProject.objects.select_for_update()
                       .filter(user=user, pk=project_id).exclude(status=ProjectStatus.DELETED).first())
            if project is None:
                raise NotFound(_("Project not found."), code="PROJECT_NOT_FOUND")
            if project.status != ProjectStatus.ACTIVE:
                raise Conflict(_("This project is archived; restore it to generate."), code="PROJECT_NOT_ACTIVE")
            generation = PoseGeneration(
                id=uuid.uuid4(), project=project, user=user, generation_type=plan.generation_type,
                text_prompt=plan.text_prompt, generated_pose_structure=structure or None,
                avatar=project.avatar, avatar_attributes=project.avatar.attributes() if project.avatar else None,
                batch_size=plan.batch_size, total_expected_poses=total, seed=seed,
                use_background_changer=plan.use_background_changer, background_prompt=plan.background_prompt,
                background_mode=plan.background_mode, background_color=plan.background_color,
                background_image=background_name, export_formats=list(plan.output_formats),
                queue_job_id=str(uuid.uuid4()), idempotency_key=idempotency_key, request_fingerprint=fingerprint,
                # The enqueue below counts as the first attempt; if the broker is down the sweep retries.
                enqueue_attempts=1, last_progress_at=timezone.now(),
            )
            # Most users are not on the unlimited tier: skip its row lock for them. (Only operators
            # switch the tier on, so a race here at worst charges credits as for a non-tier user.)
            quota = credits_use_unlimited_quota(user_id=user.pk, poses=total) if user.unlimited_pose_active else None
            if quota is not None and quota.used_quota:
                generation.payment_method = PaymentMethod.UNLIMITED_QUOTA
                generation.quota_charged = total
                generation.quota_window = quota.quota_reset_at
            else:
                try:
                    credits_charge(user_id=user.pk, amount=cost, idempotency_key=f"charge:generation:{generation.id}",
                                   reference_type=LedgerReference.GENERATION, reference_id=str(generation.id),
                                   description=f"Pose generation: {total} image(s)")
                except InsufficientCredits as short:  # say how many photos the price is for
                    raise InsufficientCredits(required=short.extra["required"], available=short.extra["available"],
                                              images=total) from None
                generation.credit_charged = cost
            generation.save(force_insert=True)
            export_formats_requested(formats=generation.export_formats)  # counted on commit (spec 003 §11)
            bulk_insert(model=PoseSelection,
                        rows=[{"generation_id": generation.pk, "pose_library_id": pose_id} for pose_id in gallery])
            bulk_insert(model=GeneratedPose,
                        rows=_pose_rows(generation=generation, plan=plan, gallery=gallery, structures=structures))
            PoseGeneratorProject.objects.filter(pk=project.pk).update(
                total_generations=F("total_generations") + 1, updated_at=timezone.now()
            )
            if project.avatar_id:
                avatar_record_usage(avatar_id=project.avatar_id, user_id=user.pk, app_id=APP_ID,
                                    app_name=POSE_GENERATOR_APP.name, action="pose_generation",
                                    reference_type=LedgerReference.GENERATION, reference_id=str(generation.id),
                                    metadata={"poseCount": total, "generationType": plan.generation_type})
            transaction.on_commit(lambda: generation_enqueue(generation_id=generation.pk,
                                                             queue_job_id=generation.queue_job_id))
    except IntegrityError:
        if idempotency_key:  # a concurrent request with the same key won the race: replay it
            existing = PoseGeneration.objects.filter(user=user, idempotency_key=idempotency_key).first()
            if existing is not None:
                if existing.request_fingerprint != fingerprint:
                    raise UnprocessableEntity(_("This Idempotency-Key was already used with a different request."),
                                              code="IDEMPOTENCY_KEY_REUSED") from None
                return existing, False
        raise
    return generation, True


def generation_enqueue(*, generation_id, queue_job_id: str | None = None, count_attempt: bool = False) -> bool:
    """Publish the dispatch task. A broker outage is not fatal: the row is the outbox and the
    stale-generation sweep enqueues it later (counting its attempts), so paid work is never lost."""
    from posegen.tasks import generation_run

    if queue_job_id is None:
        queue_job_id = PoseGeneration.objects.filter(pk=generation_id).values_list("queue_job_id", flat=True).first()
        if queue_job_id is None:
            return False
    try:
        job_enqueue(generation_run, args=[str(generation_id)], task_id=f"{queue_job_id}-{uuid.uuid4().hex[:8]}")
    except Exception:
        logger.warning("could not enqueue generation %s; the stale sweep will retry", generation_id, exc_info=True)
        return False
    if count_attempt:
        PoseGeneration.objects.filter(pk=generation_id).update(
            enqueue_attempts=F("enqueue_attempts") + 1, last_progress_at=timezone.now()
        )
    return True


def estimated_seconds(*, images: int) -> int:
    return round(images * settings.POSEGEN_ESTIMATED_SECONDS_PER_IMAGE)

