"""Issue 14 item 7: an image the quality gate fails is not delivered; it is refunded exactly once through
the pipeline's refund path, its reason is readable (both languages) and the checks are on its metadata."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lumiku.core.jobs import Outcome
from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance, credits_ledger_sum
from posegen.engines.offline.gate import GATE_REASONS
from posegen.models import GeneratedPose
from posegen.services.generations.run import pose_fail, pose_generate_run
from tests.factories import ProjectFactory, library_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body, wait_for_terminal
from tests.posegen.quality_engines import QUALITY_ENGINES

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def face_erased(engine, settings):
    engine("counting")  # the suite's engine setup (small outputs, caches cleared)
    settings.POSEGEN_EXTRA_ENGINES = {**settings.POSEGEN_EXTRA_ENGINES, **QUALITY_ENGINES}
    settings.POSEGEN_ENGINE = "face-erased"


def test_an_output_with_a_missing_face_fails_and_is_refunded_exactly_once(auth_client, celery_worker, face_erased):
    fund(auth_client.user, 100)
    project = ProjectFactory(user=auth_client.user)
    response = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json")
    assert response.status_code == 202, response.json()
    assert credits_balance(user_id=auth_client.user.pk) == 70

    generation = wait_for_terminal(response.json()["generationId"])
    assert generation.status == "failed"
    assert (generation.poses_completed, generation.poses_failed) == (0, 1)
    assert (generation.credit_charged, generation.credit_refunded) == (30, 30)
    pose = GeneratedPose.objects.get(generation=generation)
    assert pose.status == "failed" and pose.refunded is True and not pose.output_image
    assert pose.error_message == GATE_REASONS["face"]
    gate = pose.engine_metadata["qualityGate"]
    assert pose.engine_metadata["engine"] == "face-erased"
    assert gate["passed"] is False and gate["failed"] == "face"
    assert gate["checks"]["face"]["ok"] is False and gate["checks"]["pose"]["ok"] is True
    assert credits_balance(user_id=auth_client.user.pk) == 100
    assert credits_ledger_sum(user_id=auth_client.user.pk) == 100
    refunds = LedgerEntry.objects.filter(wallet_id=auth_client.user.pk, kind="refund")
    assert refunds.count() == 1 and refunds.get().amount == 30

    # A re-delivered task finds nothing to claim; failing the image again pays nothing more.
    assert pose_generate_run(pose_id=pose.pk) == Outcome.SKIPPED
    assert pose_fail(pose_id=pose.pk, token=pose.claim_token, reason="again") is False
    assert credits_balance(user_id=auth_client.user.pk) == 100
    assert LedgerEntry.objects.filter(wallet_id=auth_client.user.pk, kind="refund").count() == 1


def test_the_gate_reason_is_shown_in_indonesian_on_the_generation_page(client, user, face_erased):
    from rest_framework.test import APIClient

    from tests.posegen.pages.helpers import signed_in

    fund(user, 100)
    project = ProjectFactory(user=user)
    api = APIClient()
    api.force_authenticate(user)
    generation_id = api.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json").json()[
        "generationId"]
    pose = GeneratedPose.objects.get(generation_id=generation_id)
    assert pose_generate_run(pose_id=pose.pk) == Outcome.FAILED
    user.language = "id"
    user.save(update_fields=["language"])
    page = signed_in(client, user).get(reverse("pages:generation", args=[generation_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Wajah tidak tampil dengan baik dalam pose ini, jadi foto tidak dikirimkan." in html
    assert GATE_REASONS["face"] not in html


def test_the_results_api_says_the_gate_reason_in_the_readers_language(auth_client, face_erased):
    fund(auth_client.user, 100)
    project = ProjectFactory(user=auth_client.user)
    generation_id = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json").json()[
        "generationId"]
    pose = GeneratedPose.objects.get(generation_id=generation_id)
    assert pose_generate_run(pose_id=pose.pk) == Outcome.FAILED
    url = f"/api/apps/pose-generator/generations/{generation_id}/results"
    english = auth_client.get(url).json()["results"][0]
    assert (english["status"], english["refunded"], english["errorMessage"]) == ("failed", True, GATE_REASONS["face"])
    indonesian = auth_client.get(url, HTTP_ACCEPT_LANGUAGE="id").json()["results"][0]
    assert indonesian["errorMessage"] == "Wajah tidak tampil dengan baik dalam pose ini, jadi foto tidak dikirimkan."
