"""Generation reads used by the API and the WebSocket (absolute counts, so clients never drift)."""

from __future__ import annotations

from posegen.models import PoseGeneration
from posegen.models.choices import ACTIVE_GENERATION_STATUSES


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
