"""Fault 4: the broker is unreachable when a generation is submitted.

What the code does: the generation is accepted (202) and paid in one transaction, the enqueue after
commit fails softly, and the row is the outbox — once the broker is back, beat's stale sweep enqueues it
and it completes. So no credit is ever taken without the job eventually running (or being refunded).
"""

import time
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from lumiku.credits.selectors import credits_balance
from posegen.models import GeneratedPose, PoseGeneration
from tests.chaos.conftest import START_BALANCE
from tests.chaos.harness import (
    IMAGES,
    PRICE,
    STALE_AFTER_SECONDS,
    broker_at,
    event_counts,
    read_call_log,
    requires_real_stack,
    requires_redis_server,
    send_sweep,
    wait_until,
)

pytestmark = [pytest.mark.chaos, requires_real_stack, requires_redis_server, pytest.mark.django_db(transaction=True)]


def test_submit_with_broker_down_is_accepted_then_swept_once_the_broker_is_back(scene, private_redis, workers):
    with broker_at(private_redis.url):  # nothing listens there yet
        started = time.monotonic()
        response = scene.submit(seed=6000)
        submit_seconds = time.monotonic() - started
        assert response.status_code == 202, response.content
        body = response.json()
        assert (body["status"], body["creditCharged"], body["totalPosesExpected"]) == ("pending", IMAGES * PRICE,
                                                                                       IMAGES)
        assert submit_seconds < 10  # the failed publish is retried briefly, never hangs the request
        generation_id = body["generationId"]

        generation = PoseGeneration.objects.get(pk=generation_id)
        assert (generation.status, generation.enqueue_attempts, generation.credit_charged) == (
            "pending", 1, IMAGES * PRICE)
        assert GeneratedPose.objects.filter(generation_id=generation_id, status="pending").count() == IMAGES
        assert credits_balance(user_id=scene.user.pk) == START_BALANCE - IMAGES * PRICE

        private_redis.start()
        assert redis.Redis.from_url(private_redis.url).dbsize() == 0  # the job never reached any broker
        worker = workers.start(label="A", redis_url=private_redis.url, engine="chaos-slow", call_log=scene.call_log)
        worker.wait_ready()
        assert PoseGeneration.objects.get(pk=generation_id).status == "pending"  # nothing knows of it but the row

        # As beat would, once the generation has been quiet for STALE_AFTER: one sweep enqueues it.
        ready_at = generation.last_progress_at + timedelta(seconds=STALE_AFTER_SECONDS)
        time.sleep(max(0.0, (ready_at - timezone.now()).total_seconds()) + 0.3)
        send_sweep()
        generation = wait_until(
            lambda: PoseGeneration.objects.filter(pk=generation_id, status="completed").first(), timeout=60,
            message="the swept generation to complete", on_fail=worker.log_tail)

    assert (generation.poses_completed, generation.poses_failed, generation.progress) == (IMAGES, 0, 100)
    assert generation.enqueue_attempts == 2  # the failed one at submit and the sweep's
    assert (generation.credit_charged, generation.credit_refunded) == (IMAGES * PRICE, 0)
    seeds = range(6000, 6000 + IMAGES)
    assert event_counts(read_call_log(scene.call_log), event="start") == dict.fromkeys(seeds, 1)
    assert GeneratedPose.objects.filter(generation_id=generation_id, status="completed", attempts=1).count() == IMAGES

    scene.assert_charged_once(amount=IMAGES * PRICE)
    scene.assert_audit_holds()
