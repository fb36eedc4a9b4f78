"""Fault 2: Redis (broker, results, channel layer) is killed and restarted empty during a generation.

The queued image tasks die with it. The images being generated finish (PostgreSQL holds the truth), the
worker reconnects, and beat's stale sweep re-dispatches what is left: the generation completes, every
image delivered once, charged once. A private redis-server is used; the shared one is never touched.

Celery/kombu 5.7 sometimes do not reconnect: closing the lost connection restores unacknowledged messages
through a client that no longer exists (AttributeError in kombu's redis transport), which Celery treats as
unrecoverable, and the worker exits. In production the process supervisor starts it again; the test does
the same, and then the images that worker was generating are re-run once their claim's lease has passed.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from posegen.models import GeneratedPose, PoseGeneration
from tests.chaos.harness import (
    IMAGES,
    LEASE_SECONDS,
    PRICE,
    STALE_AFTER_SECONDS,
    broker_at,
    diagnose,
    event_counts,
    read_call_log,
    requires_real_stack,
    requires_redis_server,
    send_sweep,
    wait_until,
)

pytestmark = [pytest.mark.chaos, requires_real_stack, requires_redis_server, pytest.mark.django_db(transaction=True)]
SEED = 2000


def _reconnects(worker) -> bool:
    """True once the worker answers through the restarted Redis; False if it exited instead."""
    try:
        worker.wait_ready()
    except AssertionError:
        if worker.process.poll() is None:
            raise
        return False
    return True


def _count(generation_id, status: str) -> int:
    return GeneratedPose.objects.filter(generation_id=generation_id, status=status).count()


def test_redis_restarted_mid_generation_then_the_sweep_completes_it(scene, private_redis, workers):
    private_redis.start()
    with broker_at(private_redis.url):
        worker = workers.start(label="A", redis_url=private_redis.url, engine="chaos-slow", call_log=scene.call_log)
        response = scene.submit(seed=SEED)
        assert response.status_code == 202, response.content
        generation_id = response.json()["generationId"]

        def explain():
            return diagnose(generation_id=generation_id, redis_url=private_redis.url, call_log=scene.call_log,
                            workers=[worker])

        wait_until(lambda: _count(generation_id, "completed") >= 5, timeout=60, message="5 images", on_fail=explain)
        private_redis.kill()  # every queued and unacknowledged message is gone with it
        time.sleep(1.0)
        private_redis.start()  # same port, empty (no persistence)

        stranded: set[int] = set()
        if _reconnects(worker):  # it answers a ping through the new Redis
            # The images being generated at the crash finish; nothing else can run: their messages are lost.
            wait_until(lambda: _count(generation_id, "processing") == 0, timeout=30, message="in-flight images",
                       on_fail=explain)
        else:  # the kombu race above: the supervisor's restart (nothing of the old worker left running)
            worker.kill()
            stranded = set(GeneratedPose.objects.filter(generation_id=generation_id, status="processing")
                           .values_list("seed_used", flat=True))
            worker = workers.start(label="A2", redis_url=private_redis.url, engine="chaos-slow",
                                   call_log=scene.call_log)
            worker.wait_ready()
        before_sweep = _count(generation_id, "completed")
        assert 5 <= before_sweep < IMAGES
        assert _count(generation_id, "pending") == IMAGES - before_sweep - len(stranded)
        generation = PoseGeneration.objects.get(pk=generation_id)
        assert (generation.status, generation.enqueue_attempts) == ("processing", 1)

        # As beat would, once the generation has been quiet for STALE_AFTER (and stranded claims are past
        # their lease): one sweep re-dispatches it.
        claims = GeneratedPose.objects.filter(generation_id=generation_id, status="processing")
        ready_at = max([generation.last_progress_at + timedelta(seconds=STALE_AFTER_SECONDS),
                        *(c + timedelta(seconds=LEASE_SECONDS) for c in claims.values_list("claimed_at", flat=True))])
        time.sleep(max(0.0, (ready_at - timezone.now()).total_seconds()) + 0.3)
        send_sweep()
        generation = wait_until(
            lambda: PoseGeneration.objects.filter(pk=generation_id).exclude(status="processing").first(),
            timeout=60, message="the swept generation to finish", on_fail=explain)

    assert generation.status == "completed"
    assert (generation.poses_completed, generation.poses_failed, generation.progress) == (IMAGES, 0, 100)
    assert generation.enqueue_attempts == 2  # the submit's enqueue and exactly one sweep
    assert (generation.credit_charged, generation.credit_refunded) == (IMAGES * PRICE, 0)
    poses = list(GeneratedPose.objects.filter(generation_id=generation_id))
    assert len({p.output_image for p in poses if p.output_image}) == IMAGES
    # No image claimed twice, except one whose worker died under it (claimed again after its lease).
    assert {p.seed_used: p.attempts for p in poses} == {p.seed_used: 2 if p.seed_used in stranded else 1
                                                        for p in poses}
    calls = read_call_log(scene.call_log)
    seeds = range(SEED, SEED + IMAGES)
    assert event_counts(calls, event="start") == {s: 2 if s in stranded else 1 for s in seeds}
    assert event_counts(calls, event="done") == dict.fromkeys(seeds, 1)  # each image finished exactly once

    scene.assert_charged_once(amount=IMAGES * PRICE)
    scene.assert_audit_holds()
