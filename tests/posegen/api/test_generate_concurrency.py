"""30 simultaneous /generate requests whose total exceeds the balance: exactly the affordable ones pass."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from lumiku.credits.selectors import credits_balance, credits_ledger_sum
from posegen.models import GeneratedPose, PoseGeneration
from tests.factories import ProjectFactory, library_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_thirty_simultaneous_generates_against_a_balance_for_ten(user):
    project = ProjectFactory(user=user)
    pose = library_pose()
    fund(user, 300)  # 10 images at 30
    barrier = threading.Barrier(30)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit():
        client = APIClient()
        client.force_authenticate(user=user)
        try:
            barrier.wait()
            response = client.post(GENERATE_URL, gallery_body(project, [pose]), format="json")
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert sorted(statuses) == [202] * 10 + [402] * 20
    assert PoseGeneration.objects.count() == 10
    assert GeneratedPose.objects.count() == 10
    assert credits_balance(user_id=user.pk) == 0
    assert credits_ledger_sum(user_id=user.pk) == 0
