import pytest
from django.core.management import CommandError, call_command

from lumiku.credits.models import Wallet
from lumiku.credits.services import credits_charge, credits_grant
from posegen.models import PoseCategory, PoseGeneration
from requests_community.models import PoseRequest
from tests.factories import GenerationFactory, PoseFactory, ProjectFactory, library_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body

pytestmark = pytest.mark.django_db


def test_clean_database_passes(auth_client, capsys):
    fund(auth_client.user, 300)
    project = ProjectFactory(user=auth_client.user)
    generation_id = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()], batchSize=2),
                                     format="json").json()["generationId"]
    auth_client.post(f"/api/apps/pose-generator/generations/{generation_id}/cancel")
    call_command("audit_credits")
    out = capsys.readouterr().out
    assert "wallets: ok" in out and "generations: ok" in out and "all invariants hold" in out


def test_wallet_out_of_step_with_its_ledger_is_reported(user, capsys):
    credits_grant(user_id=user.pk, amount=100, idempotency_key="g")
    Wallet.objects.filter(user=user).update(balance=90)
    with pytest.raises(CommandError):
        call_command("audit_credits")
    assert f"wallet {user.pk}: balance 90 != ledger sum 100" in capsys.readouterr().out


def test_generation_paid_for_more_than_it_delivered_is_reported(user, capsys):
    credits_grant(user_id=user.pk, amount=100, idempotency_key="g")
    generation = GenerationFactory(project=ProjectFactory(user=user), total_expected_poses=2, credit_charged=60,
                                   status="completed", poses_completed=1, poses_failed=1)
    credits_charge(user_id=user.pk, amount=60, idempotency_key="c", reference_type="pose_generation",
                   reference_id=str(generation.pk))
    with pytest.raises(CommandError):
        call_command("audit_credits")
    assert f"generation {generation.pk} (completed): paid 60 != 1 delivered image(s) worth 30" in (
        capsys.readouterr().out)


def test_vote_and_category_counters_are_checked(user, capsys):
    request = PoseRequest.objects.create(user=user, pose_name="Yoga", normalized_name="yoga", description="d",
                                         votes_count=3)
    pose = PoseFactory()
    PoseCategory.objects.filter(pk=pose.category_id).update(pose_count=5)
    with pytest.raises(CommandError):
        call_command("audit_credits")
    out = capsys.readouterr().out
    assert f"pose request {request.pk}: votesCount 3 != 0 vote rows" in out
    assert f"category {pose.category.slug}: poseCount 5 != 1 poses" in out
    assert PoseGeneration.objects.count() == 0
