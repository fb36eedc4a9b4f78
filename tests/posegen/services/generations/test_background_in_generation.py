"""useBackgroundChanger inside a generation: +10 per image with the generation; original kept; failure refunds whole."""

import io

import pytest
from PIL import Image

from lumiku.core.storage import storage_read
from lumiku.credits.selectors import credits_balance, credits_ledger_sum
from posegen.engines.base import EngineResult
from posegen.models import GeneratedPose
from tests.factories import ProjectFactory, library_pose
from tests.paths import FIXTURE_IMAGES
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body, wait_for_terminal

pytestmark = pytest.mark.django_db(transaction=True)
PHOTO = FIXTURE_IMAGES / "fullbody_skier_snow_coco785.jpg"


class PersonEngine:
    """Returns a real photo of a person at the requested size (the engine is not what is under test)."""

    name = "person"

    def generate(self, request):
        img = Image.open(PHOTO).convert("RGB").resize((request.width, request.height))
        buf = io.BytesIO()
        img.save(buf, "PNG")
        return EngineResult(image=buf.getvalue(), width=request.width, height=request.height, seed=request.seed,
                            elapsed=0.0)


def _body(project, poses, **extra):
    return gallery_body(project, poses, useBackgroundChanger=True, **extra)


def test_background_is_changed_in_the_generation_and_original_kept(auth_client, celery_worker, engine, settings):
    engine("counting")
    settings.POSEGEN_EXTRA_ENGINES = {**settings.POSEGEN_EXTRA_ENGINES,
                                      "person": f"{__name__}.PersonEngine"}
    settings.POSEGEN_ENGINE = "person"
    settings.POSEGEN_OUTPUT_WIDTH, settings.POSEGEN_OUTPUT_HEIGHT = 320, 480
    fund(auth_client.user, 100)
    project = ProjectFactory(user=auth_client.user)
    response = auth_client.post(GENERATE_URL, _body(project, [library_pose()], backgroundMode="solid_color",
                                                    backgroundColor="#102030"), format="json")
    assert response.status_code == 202, response.content
    assert response.json()["creditCharged"] == 40  # 30 + 10 for the background, from the registry
    generation = wait_for_terminal(response.json()["generationId"])
    assert generation.status == "completed", generation.error_message
    pose = GeneratedPose.objects.get(generation=generation)
    assert pose.background_changed is True and pose.background_prompt == "Solid colour #102030"
    assert pose.original_image.name and pose.original_image.name != pose.output_image.name
    out = Image.open(io.BytesIO(storage_read(pose.output_image.name))).convert("RGB")
    assert out.getpixel((2, 2)) == (16, 32, 48)
    original = Image.open(io.BytesIO(storage_read(pose.original_image.name))).convert("RGB")
    assert original.getpixel((2, 2)) != (16, 32, 48)
    assert credits_balance(user_id=auth_client.user.pk) == 60 and credits_ledger_sum(user_id=auth_client.user.pk) == 60


def test_background_failure_fails_the_image_and_refunds_it_whole(auth_client, celery_worker, engine):
    engine("counting")  # flat images: no person to cut out
    fund(auth_client.user, 100)
    project = ProjectFactory(user=auth_client.user)
    response = auth_client.post(GENERATE_URL, _body(project, [library_pose(), library_pose()], backgroundMode="blur"),
                                format="json")
    assert response.json()["creditCharged"] == 80
    generation = wait_for_terminal(response.json()["generationId"])
    assert generation.status == "failed"
    assert (generation.poses_failed, generation.credit_refunded) == (2, 80)
    assert all(p.error_message.startswith("The background could not be changed")
               for p in GeneratedPose.objects.filter(generation=generation))
    assert credits_balance(user_id=auth_client.user.pk) == 100
    assert credits_ledger_sum(user_id=auth_client.user.pk) == 100


def test_background_change_through_a_real_worker(auth_client, celery_worker):
    import time

    from posegen.models.generation import BackgroundJob
    from tests.posegen.api.test_background_api import BASE, completed_pose

    fund(auth_client.user, 30)
    pose = completed_pose(auth_client.user)
    response = auth_client.post(f"{BASE}/poses/{pose.pk}/background", {"backdropId": "deep_blue"}, format="json")
    assert response.status_code == 202 and response.json()["creditBalance"] == 20
    deadline = time.monotonic() + 60
    while BackgroundJob.objects.get().status in ("pending", "processing") and time.monotonic() < deadline:
        time.sleep(0.1)
    job = BackgroundJob.objects.get()
    assert job.status == "completed", job.error_message
    pose.refresh_from_db()
    assert pose.background_changed and pose.background_prompt == "deep navy blue backdrop, dramatic spotlight"
    assert credits_balance(user_id=auth_client.user.pk) == 20
