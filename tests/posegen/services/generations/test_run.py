"""The generation worker (services.generations.run) end to end with a real Celery worker: charge, generate,
refund exactly once."""

import pytest

from lumiku.core.jobs import Outcome
from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance, credits_ledger_sum
from posegen.models import GeneratedPose, PoseGeneration
from posegen.services.generations.run import generation_dispatch, pose_generate_run
from tests.factories import ProjectFactory, library_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body, wait_for_terminal

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def project(auth_client):
    return ProjectFactory(user=auth_client.user)


@pytest.fixture
def poses():
    return [library_pose(name=f"Pose {i}") for i in range(3)]


def test_gallery_generation_completes_and_charges_exactly(auth_client, project, poses, celery_worker, engine):
    calls = engine("counting")
    fund(auth_client.user, 500)
    response = auth_client.post(GENERATE_URL, gallery_body(project, poses, batchSize=2, seed=10), format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["totalPosesExpected"] == 6
    assert body["creditCharged"] == 180
    assert body["status"] == "pending"

    generation = wait_for_terminal(body["generationId"])
    assert generation.status == "completed"
    assert (generation.poses_completed, generation.poses_failed, generation.progress) == (6, 0, 100)
    assert generation.credit_refunded == 0
    assert calls["counting"] == 6
    assert {tuple(sorted(p.engine_metadata)) for p in GeneratedPose.objects.filter(generation=generation)} == {
        ("engine", "engineSeconds")}
    assert GeneratedPose.objects.filter(generation=generation, engine_metadata__engine="counting").count() == 6
    assert credits_balance(user_id=auth_client.user.pk) == 320
    assert credits_ledger_sum(user_id=auth_client.user.pk) == 320
    project.refresh_from_db()
    assert (project.total_generations, project.total_poses_generated) == (1, 6)

    results = auth_client.get(f"/api/apps/pose-generator/generations/{generation.pk}/results").json()["results"]
    assert [r["status"] for r in results] == ["completed"] * 6
    assert [r["poseLibraryId"] for r in results] == [str(p.pk) for p in poses for _ in range(2)]
    assert [r["seedUsed"] for r in results] == [10, 11, 12, 13, 14, 15]
    assert all(r["outputImageUrl"] and r["thumbnailUrl"] for r in results)
    assert set(results[0]["exportFormats"]) == {"original"}
    status = auth_client.get(f"/api/apps/pose-generator/generations/{generation.pk}").json()
    assert status["progress"] == {"percentage": 100, "posesCompleted": 6, "posesFailed": 0,
                                  "estimatedTimeRemaining": 0}


def test_failed_images_are_refunded_once_and_status_is_partial(auth_client, project, poses, celery_worker, engine):
    engine("odd-fail")
    fund(auth_client.user, 500)
    body = auth_client.post(GENERATE_URL, gallery_body(project, poses, batchSize=2, seed=20), format="json").json()
    generation = wait_for_terminal(body["generationId"])

    assert generation.status == "partial"
    assert (generation.poses_completed, generation.poses_failed) == (3, 3)
    assert (generation.credit_charged, generation.credit_refunded) == (180, 90)
    failed = GeneratedPose.objects.filter(generation=generation, status="failed")
    assert sorted(p.seed_used for p in failed) == [21, 23, 25]
    assert all(p.refunded and p.error_message == "The provider refused this image." for p in failed)
    refunds = LedgerEntry.objects.filter(wallet_id=auth_client.user.pk, kind="refund")
    assert sorted(e.idempotency_key for e in refunds) == sorted(f"refund:pose:{p.pk}" for p in failed)
    assert {e.amount for e in refunds} == {30}
    assert credits_balance(user_id=auth_client.user.pk) == 500 - 180 + 90


def test_every_image_failing_is_a_failed_generation_fully_refunded(auth_client, project, celery_worker, engine):
    engine("wrong-size")
    fund(auth_client.user, 100)
    body = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()], batchSize=2), format="json").json()
    generation = wait_for_terminal(body["generationId"])
    assert generation.status == "failed"
    assert (generation.credit_charged, generation.credit_refunded) == (60, 60)
    assert credits_balance(user_id=auth_client.user.pk) == 100


def test_transient_errors_are_retried_then_succeed(auth_client, project, celery_worker, engine):
    calls = engine("flaky")
    fund(auth_client.user, 100)
    body = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()], seed=4), format="json").json()
    generation = wait_for_terminal(body["generationId"])
    assert generation.status == "completed"
    assert calls[("flaky", 4)] == 3
    assert GeneratedPose.objects.get(generation=generation).attempts == 3
    assert credits_balance(user_id=auth_client.user.pk) == 70


def test_transient_errors_give_up_after_max_attempts_and_refund(auth_client, project, celery_worker, engine, settings):
    calls = engine("always-transient")
    fund(auth_client.user, 100)
    body = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()], seed=8), format="json").json()
    generation = wait_for_terminal(body["generationId"])
    assert generation.status == "failed"
    assert calls[("always-transient", 8)] == settings.POSEGEN_ENGINE_MAX_ATTEMPTS
    assert credits_balance(user_id=auth_client.user.pk) == 100
    assert LedgerEntry.objects.filter(wallet_id=auth_client.user.pk, kind="refund").count() == 1


def test_redelivered_tasks_do_no_double_work_or_charge(auth_client, project, poses, engine):
    """No worker: run the dispatch and each image task by hand, twice, as a re-delivery would."""
    calls = engine("counting")
    fund(auth_client.user, 200)
    body = auth_client.post(GENERATE_URL, gallery_body(project, poses), format="json").json()
    generation_id = body["generationId"]
    pose_ids = list(GeneratedPose.objects.filter(generation_id=generation_id).values_list("pk", flat=True))

    assert generation_dispatch(generation_id=generation_id) == 3
    assert generation_dispatch(generation_id=generation_id) == 3  # still unclaimed: re-queued, nothing run
    outcomes = [pose_generate_run(pose_id=pid) for pid in pose_ids]
    redelivered = [pose_generate_run(pose_id=pid) for pid in pose_ids]
    assert outcomes == [Outcome.COMPLETED] * 3
    assert redelivered == [Outcome.SKIPPED] * 3
    assert generation_dispatch(generation_id=generation_id) == 0

    generation = PoseGeneration.objects.get(pk=generation_id)
    assert generation.status == "completed"
    assert generation.poses_completed == 3
    assert calls["counting"] == 3
    assert LedgerEntry.objects.filter(wallet_id=auth_client.user.pk, kind="charge").count() == 1
    assert credits_balance(user_id=auth_client.user.pk) == 110


def test_a_failed_image_is_refunded_once_even_if_failed_twice(auth_client, project, engine):
    from posegen.services.generations.run import pose_fail

    engine("counting")
    fund(auth_client.user, 100)
    generation_id = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json").json()[
        "generationId"]
    pose = GeneratedPose.objects.get(generation_id=generation_id)
    token = "00000000-0000-0000-0000-00000000000a"
    GeneratedPose.objects.filter(pk=pose.pk).update(status="processing", claim_token=token)
    assert pose_fail(pose_id=pose.pk, token=token, reason="x") is True
    assert pose_fail(pose_id=pose.pk, token=token, reason="x") is False
    assert credits_balance(user_id=auth_client.user.pk) == 100
    assert PoseGeneration.objects.get(pk=generation_id).credit_refunded == 30


def test_default_mannequin_engine_renders_a_text_generation(auth_client, project, celery_worker, engine, settings):
    pytest.importorskip("posegen.posekit.text_to_pose")
    engine("mannequin")
    fund(auth_client.user, 100)
    response = auth_client.post(GENERATE_URL, {
        "projectId": str(project.pk), "generationType": "TEXT_DESCRIPTION", "variationCount": 2,
        "textPrompt": "sitting on a chair with legs crossed, right hand on chin",
    }, format="json")
    assert response.status_code == 202, response.content
    generation = wait_for_terminal(response.json()["generationId"], timeout=60)
    assert generation.status == "completed"
    from PIL import Image

    from lumiku.core.storage import storage_read

    for pose in GeneratedPose.objects.filter(generation=generation):
        with Image.open(__import__("io").BytesIO(storage_read(pose.output_image.name))) as img:
            assert img.size == (settings.POSEGEN_OUTPUT_WIDTH, settings.POSEGEN_OUTPUT_HEIGHT)
    assert credits_balance(user_id=auth_client.user.pk) == 40


def test_target_keypoints_are_projected_at_the_output_aspect(auth_client, project, engine, settings):
    """Library keypoints are stored for the 3:4 reference canvas; the engine gets them for its own size."""
    import numpy as np

    from posegen.posekit.skeleton import pose_from_dict, project_pose
    from posegen.services.generations.run import _engine_request

    engine("counting")
    settings.POSEGEN_OUTPUT_WIDTH, settings.POSEGEN_OUTPUT_HEIGHT = 200, 300
    fund(auth_client.user, 100)
    library = library_pose(**{"shoulder.abduction": 80})
    auth_client.post(GENERATE_URL, gallery_body(project, [library]), format="json")
    pose = GeneratedPose.objects.select_related("generation__project", "pose_library").get()
    request = _engine_request(pose)
    expected = project_pose(pose=pose_from_dict(data=library.pose_structure), width=200, height=300).keypoints
    assert np.allclose(request.keypoints, expected, atol=1e-6)
    assert not np.allclose(request.keypoints, np.asarray(library.keypoints), atol=1e-3)


def test_refunds_and_the_audit_use_the_price_charged_not_a_price_changed_since(auth_client, project, poses, engine,
                                                                               settings):
    from posegen.audit import audit_generations

    engine("odd-fail")
    fund(auth_client.user, 500)
    body = auth_client.post(GENERATE_URL, gallery_body(project, poses, batchSize=2, seed=20), format="json").json()
    assert body["creditCharged"] == 180  # 6 images at 30
    settings.CREDIT_PRICE_OVERRIDES = {"pose-generator": {"generateFromGallery": 45}}  # the operator re-prices

    generation_dispatch(generation_id=body["generationId"])
    for pose_id in GeneratedPose.objects.filter(generation_id=body["generationId"]).values_list("pk", flat=True):
        pose_generate_run(pose_id=pose_id)

    generation = PoseGeneration.objects.get(pk=body["generationId"])
    assert (generation.status, generation.poses_failed) == ("partial", 3)
    assert (generation.credit_charged, generation.credit_refunded) == (180, 90)  # 3 × 30, not 3 × 45
    assert credits_balance(user_id=auth_client.user.pk) == 500 - 90
    assert audit_generations() == []
