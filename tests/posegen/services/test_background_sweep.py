"""The stale background-job sweep: a job whose message or worker was lost is queued again a bounded number of
times, then failed and refunded exactly once; a fresh job is left alone; a worker completing the job while the
sweep runs wins exactly once (charged once, never refunded)."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from lumiku.core.jobs import job_claim
from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance, credits_ledger_sum
from posegen.models.generation import BackgroundJob
from posegen.services import backgrounds as background_service
from posegen.services.background_sweep import STALE_REASON, background_jobs_sweep_stale
from posegen.services.backgrounds import BackgroundRequest, background_change_start, background_job_run
from tests.posegen.api.test_background_api import completed_pose
from tests.posegen.pipeline_helpers import fund

PRICE = 10  # a background change (posegen.services.pricing)


@pytest.fixture
def published(monkeypatch):
    """The background_change messages published (their args and task ids), none of them delivered: each is
    a message the broker then lost."""
    from posegen import tasks

    sent = []
    monkeypatch.setattr(tasks.background_change, "apply_async",
                        lambda *, args, task_id, **kwargs: sent.append((args, task_id)))
    return sent


@pytest.fixture
def quick_render(monkeypatch):
    """The worker's render without the segmentation (this file is about the job's life, not its pixels)."""
    monkeypatch.setattr(background_service, "background_render",
                        lambda **kwargs: np.full((24, 16, 3), 255, dtype=np.uint8))


@pytest.fixture
def user(user):
    fund(user, 100)
    return user


def _start(user) -> BackgroundJob:
    pose = completed_pose(user, person=False)
    job, _ = background_change_start(user=user, pose_id=pose.pk,
                                     request=BackgroundRequest(mode="solid_color", color="#FFFFFF"))
    return job


def _age(job, *, seconds: float, at: tuple[str, ...] = (), **fields) -> None:
    """Move the job's last message (and the timestamps named in ``at``) ``seconds`` into the past."""
    then = timezone.now() - timedelta(seconds=seconds)
    BackgroundJob.objects.filter(pk=job.pk).update(enqueued_at=then, **dict.fromkeys(at, then), **fields)


def _stale_seconds(settings) -> float:
    return settings.POSEGEN_BACKGROUND_STALE_AFTER_SECONDS + 5


def _books(user) -> list[tuple[str, int]]:
    return [(e.kind, e.amount) for e in LedgerEntry.objects.filter(wallet_id=user.pk).order_by("created_at", "id")]


@pytest.mark.django_db
def test_fresh_jobs_are_left_alone(user, settings, published):
    queued = _start(user)
    claimed = _start(user)
    assert job_claim(jobs=BackgroundJob.objects.filter(pk=claimed.pk), pending="pending", processing="processing",
                     lease_seconds=settings.POSEGEN_CLAIM_LEASE_SECONDS)
    # Handed back for a retry a moment ago, first queued long ago: waiting out its backoff, not lost.
    retrying = _start(user)
    _age(retrying, seconds=_stale_seconds(settings), claimed_at=timezone.now())
    # Its lease not yet over (just under it): the worker may still be rendering.
    rendering = _start(user)
    _age(rendering, seconds=settings.POSEGEN_CLAIM_LEASE_SECONDS - 5, status="processing",
         at=("claimed_at",))
    before = {j.pk: (j.status, j.enqueue_attempts, j.claim_token) for j in BackgroundJob.objects.all()}
    published.clear()

    assert background_jobs_sweep_stale() == {"requeued": 0, "failed": 0}
    assert {j.pk: (j.status, j.enqueue_attempts, j.claim_token) for j in BackgroundJob.objects.all()} == before
    assert BackgroundJob.objects.get(pk=queued.pk).status == "pending" and published == []
    assert credits_balance(user_id=user.pk) == 100 - 4 * PRICE


@pytest.mark.django_db
def test_a_lost_message_is_queued_again_and_the_job_completes(user, settings, published, events, quick_render):
    job = _start(user)
    assert published == [([str(job.pk)], f"bg-{job.pk}")]
    _age(job, seconds=_stale_seconds(settings))

    assert background_jobs_sweep_stale() == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert (job.status, job.enqueue_attempts, job.claim_token) == ("pending", 2, None)
    assert timezone.now() - job.enqueued_at < timedelta(seconds=5)
    assert published[1:] == [([str(job.pk)], f"bg-{job.pk}-2")]
    assert background_jobs_sweep_stale() == {"requeued": 0, "failed": 0}  # just queued: fresh again

    assert background_job_run(job_id=job.pk) == "completed"  # the new message, delivered
    job.refresh_from_db()
    assert (job.status, job.credit_refunded) == ("completed", 0)
    assert [e["type"] for e in events] == ["background.completed"]
    assert _books(user) == [("grant", 100), ("charge", -PRICE)]


@pytest.mark.django_db
def test_a_dead_workers_job_is_taken_back_and_its_late_completion_counts_for_nothing(
        user, settings, published, events, quick_render, monkeypatch):
    """A worker claims the job and vanishes past its lease; the sweep puts the job back, so when that worker
    (or a re-delivery of its message) turns up it completes nothing, and the new message does the work."""
    job = _start(user)
    stalled = threading.Event()

    def render_then_stall(**kwargs):
        # The lease runs out while this worker renders: as after a kill, the sweep now takes the job back.
        BackgroundJob.objects.filter(pk=job.pk).update(
            claimed_at=timezone.now() - timedelta(seconds=settings.POSEGEN_CLAIM_LEASE_SECONDS + 5))
        assert background_jobs_sweep_stale() == {"requeued": 1, "failed": 0}
        stalled.set()
        return np.full((24, 16, 3), 255, dtype=np.uint8)

    monkeypatch.setattr(background_service, "background_render", render_then_stall)
    assert background_job_run(job_id=job.pk) == "skipped"  # its token no longer holds the job
    assert stalled.is_set()
    job.refresh_from_db()
    assert (job.status, job.claim_token, job.enqueue_attempts, job.output_image.name) == ("pending", None, 2, "")
    assert events == []

    monkeypatch.setattr(background_service, "background_render",
                        lambda **kwargs: np.full((24, 16, 3), 255, dtype=np.uint8))
    assert background_job_run(job_id=job.pk) == "completed"
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("completed", 2)
    assert _books(user) == [("grant", 100), ("charge", -PRICE)]


@pytest.mark.django_db
def test_out_of_attempts_it_fails_and_is_refunded_exactly_once(user, settings, published, events):
    job = _start(user)
    for attempt in range(2, settings.POSEGEN_BACKGROUND_MAX_ENQUEUE_ATTEMPTS + 1):
        _age(job, seconds=_stale_seconds(settings))
        assert background_jobs_sweep_stale() == {"requeued": 1, "failed": 0}
        assert BackgroundJob.objects.get(pk=job.pk).enqueue_attempts == attempt
    assert len(published) == settings.POSEGEN_BACKGROUND_MAX_ENQUEUE_ATTEMPTS  # the start's and the sweep's
    _age(job, seconds=_stale_seconds(settings))

    assert background_jobs_sweep_stale() == {"requeued": 0, "failed": 1}
    assert background_jobs_sweep_stale() == {"requeued": 0, "failed": 0}  # the second run finds nothing
    job.refresh_from_db()
    assert (job.status, job.credit_refunded, job.error_message, job.claim_token) == (
        "failed", PRICE, STALE_REASON, None)
    assert job.completed_at is not None
    assert [(e["type"], e["creditRefunded"], e["errorMessage"]) for e in events] == [
        ("background.failed", PRICE, STALE_REASON)]
    assert _books(user) == [("grant", 100), ("charge", -PRICE), ("refund", PRICE)]
    assert credits_balance(user_id=user.pk) == credits_ledger_sum(user_id=user.pk) == 100
    assert len(published) == settings.POSEGEN_BACKGROUND_MAX_ENQUEUE_ATTEMPTS
    # The image is free for another change.
    again, _ = background_change_start(user=user, pose_id=job.pose_id,
                                       request=BackgroundRequest(mode="solid_color", color="#000000"))
    assert again.status == "pending"


@pytest.mark.django_db
def test_a_dead_workers_job_out_of_attempts_is_failed_by_the_sweep_not_the_worker(user, settings, published,
                                                                                    events):
    job = _start(user)
    token = job_claim(jobs=BackgroundJob.objects.filter(pk=job.pk), pending="pending", processing="processing",
                      lease_seconds=settings.POSEGEN_CLAIM_LEASE_SECONDS)
    _age(job, seconds=settings.POSEGEN_CLAIM_LEASE_SECONDS + 5, at=("claimed_at",),
         enqueue_attempts=settings.POSEGEN_BACKGROUND_MAX_ENQUEUE_ATTEMPTS)
    assert background_jobs_sweep_stale() == {"requeued": 0, "failed": 1}
    # The vanished worker's own failure (its token) changes nothing: refunded once.
    assert background_service.background_job_fail(job_id=job.pk, token=token, reason="late") is False
    assert BackgroundJob.objects.get(pk=job.pk).error_message == STALE_REASON
    assert _books(user) == [("grant", 100), ("charge", -PRICE), ("refund", PRICE)]
    assert [e["type"] for e in events] == ["background.failed"]


def test_beat_runs_the_sweep_every_minute():
    from django.conf import settings

    from lumiku.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovered task modules
    entry = settings.CELERY_BEAT_SCHEDULE["posegen-sweep-stale-background-jobs"]
    assert entry["task"] == "posegen.tasks.background_jobs_sweep_stale"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 60.0


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("messages_left", [True, False], ids=["requeue", "fail"])
def test_a_worker_completing_while_the_sweep_runs_wins_exactly_once(user, settings, published, events,
                                                                    monkeypatch, messages_left):
    """The worker holds the job row (its completion written, not committed) when the sweep reaches the same
    row: the sweep waits, then finds the job completed and leaves it (charged once, no refund, no new
    message)."""
    job = _start(user)
    attempts = 1 if messages_left else settings.POSEGEN_BACKGROUND_MAX_ENQUEUE_ATTEMPTS
    sweep_result: list = []

    def render(**kwargs):  # the lease lapsed while this worker rendered: the job is now stale
        _age(job, seconds=settings.POSEGEN_CLAIM_LEASE_SECONDS + 5, at=("claimed_at",), enqueue_attempts=attempts)
        return np.full((24, 16, 3), 255, dtype=np.uint8)

    def sweep():
        try:
            sweep_result.append(background_jobs_sweep_stale())
        finally:
            connection.close()

    sweeper = threading.Thread(target=sweep)
    real_finished = background_service.background_job_finished

    def finished_holding_the_row(**kwargs):  # inside _complete, after its UPDATE, before its commit
        sweeper.start()
        deadline = time.monotonic() + 10
        while not _waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _waiting_on_a_lock() == 1, "the sweep should be waiting for the job row"
        real_finished(**kwargs)

    monkeypatch.setattr(background_service, "background_render", render)
    monkeypatch.setattr(background_service, "background_job_finished", finished_holding_the_row)
    assert background_job_run(job_id=job.pk) == "completed"
    sweeper.join(timeout=30)

    assert sweep_result == [{"requeued": 0, "failed": 0}]
    job.refresh_from_db()
    assert (job.status, job.credit_refunded, job.enqueue_attempts) == ("completed", 0, attempts)
    assert [e["type"] for e in events] == ["background.completed"]
    assert published == [([str(job.pk)], f"bg-{job.pk}")]  # the start's only
    assert _books(user) == [("grant", 100), ("charge", -PRICE)]
    assert credits_balance(user_id=user.pk) == 100 - PRICE


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "shown"), [
    ("id", "Penggantian latar belakang tidak selesai tepat waktu."), ("en", STALE_REASON)])
def test_the_results_card_gives_the_reason_in_the_readers_language(client, user, settings, published, language,
                                                                 shown):
    from tests.posegen.pages.helpers import signed_in

    job = _start(user)
    _age(job, seconds=_stale_seconds(settings), enqueue_attempts=settings.POSEGEN_BACKGROUND_MAX_ENQUEUE_ATTEMPTS)
    assert background_jobs_sweep_stale() == {"requeued": 0, "failed": 1}
    user.language = language
    user.save(update_fields=["language"])
    card = signed_in(client, user).get(f"/generations/{job.pose.generation_id}/cards/?ids={job.pose_id}")
    failed = re.search(r'data-testid="background-failed">(.*?)</p>', card.content.decode(), re.S).group(1)
    assert " ".join(failed.split()).startswith(f"{shown} ")
    assert (STALE_REASON in failed) is (language == "en")
