"""Fault 2: Redis (broker, results, channel layer) is killed and restarted empty during a generation.

The queued image tasks die with it. The images being generated finish (PostgreSQL holds the truth), the
worker reconnects, and beat's stale sweep re-dispatches what is left: the generation completes, every
image generated once, charged once. A private redis-server is used; the shared one is never touched.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance, credits_ledger_sum
from posegen.models import GeneratedPose, PoseGeneration
from tests.chaos.conftest import START_BALANCE
from tests.chaos.harness import (
    IMAGES,
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

        # The images being generated at the crash finish; nothing else can run: their messages are lost.
        worker.wait_ready()  # reconnected: it answers a ping through the new Redis
        wait_until(lambda: _count(generation_id, "processing") == 0, timeout=30, message="in-flight images",
                   on_fail=explain)
        before_sweep = _count(generation_id, "completed")
        assert 5 <= before_sweep < IMAGES
        assert _count(generation_id, "pending") == IMAGES - before_sweep
        generation = PoseGeneration.objects.get(pk=generation_id)
        assert (generation.status, generation.enqueue_attempts) == ("processing", 1)

        # As beat would, once the generation has been quiet for STALE_AFTER: one sweep re-dispatches it.
        ready_at = generation.last_progress_at + timedelta(seconds=STALE_AFTER_SECONDS)
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
    assert all(p.attempts == 1 for p in poses)  # no image was claimed twice
    calls = read_call_log(scene.call_log)
    assert event_counts(calls, event="start") == dict.fromkeys(range(SEED, SEED + IMAGES), 1)
    assert event_counts(calls, event="done") == dict.fromkeys(range(SEED, SEED + IMAGES), 1)

    assert credits_balance(user_id=scene.user.pk) == START_BALANCE - IMAGES * PRICE
    assert credits_ledger_sum(user_id=scene.user.pk) == START_BALANCE - IMAGES * PRICE
    entries = LedgerEntry.objects.filter(wallet_id=scene.user.pk).order_by("created_at", "id")
    assert [(e.kind, e.amount) for e in entries] == [("grant", START_BALANCE), ("charge", -IMAGES * PRICE)]
    audit = scene.audit()
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "all invariants hold" in audit.stdout
