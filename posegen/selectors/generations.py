"""Generation reads used by the API and the WebSocket (absolute counts, so clients never drift)."""

from __future__ import annotations

from posegen.models import PoseGeneration
from posegen.models.choices import ACTIVE_GENERATION_STATUSES


def generation_image_price(*, generation: PoseGeneration) -> int:
    """What each image of an existing generation was charged: its charge over its images. Refunds, audits
    and the result cards read this, never today's price (posegen.services.pricing), which an operator may
    have changed since (CREDIT_PRICE_OVERRIDES)."""
    return generation.credit_charged // max(1, generation.total_expected_poses)


def generation_progress(*, generation: PoseGeneration) -> dict:
    return {
        "generationId": str(generation.pk),
        "status": generation.status,
        "percentage": generation.progress,
        "posesCompleted": generation.poses_completed,
        "posesFailed": generation.poses_failed,
        "totalPosesExpected": generation.total_expected_poses,
    }


def generation_active_states(*, user_id) -> list[dict]:
    active = PoseGeneration.objects.filter(user_id=user_id, status__in=ACTIVE_GENERATION_STATUSES)
    return [generation_progress(generation=g) for g in active.order_by("created_at")]


def generation_get(*, user, generation_id) -> PoseGeneration:
    from lumiku.core.errors import NotFound

    generation = PoseGeneration.objects.filter(pk=generation_id, user=user).first()
    if generation is None:
        raise NotFound("Generation not found.", code="GENERATION_NOT_FOUND")
    return generation


def generation_eta_seconds(*, generation: PoseGeneration) -> int | None:
    """Remaining time from the pace so far; None until the first image is done."""
    from django.utils import timezone

    done = generation.poses_completed + generation.poses_failed + generation.poses_cancelled
    remaining = generation.total_expected_poses - done
    if generation.status not in ACTIVE_GENERATION_STATUSES:
        return 0
    if not done or not generation.started_at:
        return None
    elapsed = (timezone.now() - generation.started_at).total_seconds()
    return max(0, round(elapsed / done * remaining))


def generation_results(*, generation: PoseGeneration):
    return generation.poses.select_related("pose_library").order_by("sequence")


def project_generations(*, project):
    return PoseGeneration.objects.filter(project=project).order_by("-created_at")


def generated_pose_get(*, user, pose_id):
    from lumiku.core.errors import NotFound
    from posegen.models import GeneratedPose

    pose = GeneratedPose.objects.select_related("generation").filter(pk=pose_id, generation__user=user).first()
    if pose is None:
        raise NotFound("Pose not found.", code="POSE_NOT_FOUND")
    return pose


def project_last_export_formats(*, project) -> list[str]:
    """The export sizes of the project's latest generation: the wizard starts from the channels this shop
    used last time for this project."""
    formats = (PoseGeneration.objects.filter(project=project).order_by("-created_at")
               .values_list("export_formats", flat=True).first())
    return list(formats) if isinstance(formats, list) else []
