from __future__ import annotations

import time

from lumiku.credits.services import credits_grant
from posegen.models import PoseGeneration

GENERATE_URL = "/api/apps/pose-generator/generate"
TERMINAL = {"completed", "partial", "failed", "cancelled"}


def fund(user, amount: int) -> None:
    credits_grant(user_id=user.pk, amount=amount, idempotency_key=f"grant:test:{user.pk}:{amount}")


def wait_for_terminal(generation_id, timeout: float = 30.0) -> PoseGeneration:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        generation = PoseGeneration.objects.get(pk=generation_id)
        if generation.status in TERMINAL:
            return generation
        time.sleep(0.05)
    raise AssertionError(f"generation {generation_id} still {generation.status} after {timeout}s")


def gallery_body(project, poses, **extra) -> dict:
    return {"projectId": str(project.pk), "generationType": "GALLERY_REFERENCE",
            "selectedPoseIds": [str(p.pk) for p in poses], "batchSize": 1, **extra}
