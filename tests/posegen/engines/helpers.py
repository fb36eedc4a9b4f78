from __future__ import annotations

from lumiku.core.storage import storage_read
from posegen.models import GeneratedPose
from tests.factories import library_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body, wait_for_terminal


def generate(auth_client, project, *, poses: int = 1, batch: int = 1, seed: int = 10, credits: int = 100):
    """Fund the user, POST a real generation, wait for the worker; returns (generation, poses)."""
    fund(auth_client.user, credits)
    chosen = [library_pose(name=f"Engine pose {i}") for i in range(poses)]
    response = auth_client.post(GENERATE_URL, gallery_body(project, chosen, batchSize=batch, seed=seed), format="json")
    assert response.status_code == 202, response.content
    generation = wait_for_terminal(response.json()["generationId"], timeout=60)
    return generation, list(GeneratedPose.objects.filter(generation=generation).order_by("sequence"))


def avatar_bytes(project) -> bytes:
    return storage_read(project.avatar_image.name)
