"""Fault 3: the engine refuses a seeded-random 30 % of the images of a 20-image generation.

The generation ends `partial`; exactly the refused images are refunded, once each; the others are delivered.
"""

import os

import pytest
from django.core.files.storage import default_storage

from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance, credits_ledger_sum
from posegen.models import GeneratedPose, PoseGeneration
from tests.chaos.conftest import START_BALANCE
from tests.chaos.harness import (
    IMAGES,
    PRICE,
    diagnose,
    event_counts,
    read_call_log,
    requires_real_stack,
    wait_until,
)
from tests.engines import chaos_fails

pytestmark = [pytest.mark.chaos, requires_real_stack, pytest.mark.django_db(transaction=True)]

SEED = 5000
REFUSED = [5002, 5008, 5010, 5013, 5014, 5016]  # chaos_fails over seeds 5000..5019: 6 of 20 = 30 %


def test_seeded_random_engine_failures_end_partial_with_exact_refunds(scene, workers):
    assert [s for s in range(SEED, SEED + IMAGES) if chaos_fails(s)] == REFUSED
    redis_url = os.environ["REDIS_URL"]
    worker = workers.start(label="A", redis_url=redis_url, engine="chaos-random-fail", call_log=scene.call_log)
    response = scene.submit(seed=SEED)
    assert response.status_code == 202, response.content
    generation_id = response.json()["generationId"]

    generation = wait_until(
        lambda: PoseGeneration.objects.filter(pk=generation_id).exclude(status__in=["pending", "processing"]).first(),
        timeout=60, message="the generation to finish",
        on_fail=lambda: diagnose(generation_id=generation_id, redis_url=redis_url, call_log=scene.call_log,
                                 workers=[worker]))

    refused, delivered = len(REFUSED), IMAGES - len(REFUSED)
    assert generation.status == "partial"
    assert (generation.poses_completed, generation.poses_failed, generation.progress) == (delivered, refused, 100)
    assert (generation.credit_charged, generation.credit_refunded) == (IMAGES * PRICE, refused * PRICE)
    assert generation.enqueue_attempts == 1

    failed = GeneratedPose.objects.filter(generation_id=generation_id, status="failed")
    assert sorted(p.seed_used for p in failed) == REFUSED
    assert all(p.refunded and p.error_message == "The provider refused this image." and not p.output_image
               for p in failed)
    completed = list(GeneratedPose.objects.filter(generation_id=generation_id, status="completed"))
    assert sorted(p.seed_used for p in completed) == sorted(set(range(SEED, SEED + IMAGES)) - set(REFUSED))
    assert all(not p.refunded and default_storage.exists(p.output_image.name)
               and default_storage.exists(p.thumbnail.name)
               for p in completed)
    assert len({p.output_image for p in completed}) == delivered

    # A refusal is final: every image went to the engine exactly once (no retry of a refused image).
    calls = read_call_log(scene.call_log)
    assert event_counts(calls, event="start") == dict.fromkeys(range(SEED, SEED + IMAGES), 1)
    assert sorted(event_counts(calls, event="refused")) == REFUSED

    refunds = LedgerEntry.objects.filter(wallet_id=scene.user.pk, kind="refund")
    assert sorted(e.idempotency_key for e in refunds) == sorted(f"refund:pose:{p.pk}" for p in failed)
    assert {e.amount for e in refunds} == {PRICE}
    assert LedgerEntry.objects.filter(wallet_id=scene.user.pk, kind="charge").count() == 1
    expected = START_BALANCE - delivered * PRICE
    assert credits_balance(user_id=scene.user.pk) == expected
    assert credits_ledger_sum(user_id=scene.user.pk) == expected

    results = scene.client.get(f"/api/apps/pose-generator/generations/{generation_id}/results").json()["results"]
    assert sorted(r["status"] for r in results) == ["completed"] * delivered + ["failed"] * refused
    assert all(r["outputImageUrl"] for r in results if r["status"] == "completed")

    scene.assert_audit_holds()
