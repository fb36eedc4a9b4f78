"""30 simultaneous /generate requests whose total exceeds the balance: exactly the affordable ones pass."""

import pytest
from rest_framework.test import APIClient

from lumiku.credits.selectors import credits_balance, credits_ledger_sum
from posegen.models import GeneratedPose, PoseGeneration
from tests.concurrency import run_concurrently
from tests.factories import ProjectFactory, library_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_thirty_simultaneous_generates_against_a_balance_for_ten(user):
    project = ProjectFactory(user=user)
    pose = library_pose()
    fund(user, 300)  # 10 images at 30
    def submit(_):
        client = APIClient()
        client.force_authenticate(user=user)
        return client.post(GENERATE_URL, gallery_body(project, [pose]), format="json").status_code

    outcomes = run_concurrently(30, submit)
    assert sorted(result for _, result in outcomes) == [202] * 10 + [402] * 20
    assert PoseGeneration.objects.count() == 10
    assert GeneratedPose.objects.count() == 10
    assert credits_balance(user_id=user.pk) == 0
    assert credits_ledger_sum(user_id=user.pk) == 0
