"""Fault 5: the broker loses a paid background change's message (flushed before any worker took it).

The job stays pending with nobody to run it; once it has waited POSEGEN_BACKGROUND_STALE_AFTER_SECONDS, beat's
background sweep (run here by a real worker, as beat would send it) queues it again, and the worker changes
the background: charged once, never refunded.
"""

import os
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from posegen.models.generation import BackgroundJob
from posegen.tasks import background_jobs_sweep_stale
from tests.chaos.harness import purge_queues, requires_real_stack, wait_until
from tests.posegen.api.test_background_api import completed_pose

pytestmark = [pytest.mark.chaos, requires_real_stack, pytest.mark.django_db(transaction=True)]
PRICE = 10  # a background change (posegen.services.pricing)


def test_a_lost_background_message_is_queued_again_by_the_sweep_and_completes(scene, workers):
    redis_url = os.environ["REDIS_URL"]
    pose = completed_pose(scene.user)  # the test's media root, which the worker shares
    before = pose.output_image.name
    response = scene.client.post(f"/api/apps/pose-generator/poses/{pose.pk}/background",
                                 {"backgroundMode": "solid_color", "backgroundColor": "#ffffff"}, format="json")
    assert response.status_code == 202, response.content
    job = BackgroundJob.objects.get(pose=pose)
    assert redis.Redis.from_url(redis_url).llen("export") == 1  # its message, waiting for a worker
    purge_queues(redis_url)  # the broker is flushed: the message is gone
    assert redis.Redis.from_url(redis_url).llen("export") == 0
    # As if it had waited the sweep's threshold since (the worker reads the same default).
    BackgroundJob.objects.filter(pk=job.pk).update(
        enqueued_at=timezone.now() - timedelta(seconds=settings.POSEGEN_BACKGROUND_STALE_AFTER_SECONDS + 5))

    worker = workers.start(label="A", redis_url=redis_url, engine="mannequin", call_log=scene.call_log)
    background_jobs_sweep_stale.apply_async()  # what beat sends every POSEGEN_BACKGROUND_SWEEP_INTERVAL_SECONDS
    wait_until(lambda: BackgroundJob.objects.get(pk=job.pk).status not in ("pending", "processing"), timeout=90,
               interval=0.1, message="the swept background job to finish", on_fail=worker.log_tail)

    job.refresh_from_db()
    assert (job.status, job.enqueue_attempts, job.attempts, job.credit_refunded) == ("completed", 2, 1, 0)
    pose.refresh_from_db()
    assert pose.background_changed is True
    assert pose.original_image.name == before and pose.output_image.name == job.output_image.name != before
    scene.assert_charged_once(amount=PRICE)
