"""Finished background-change jobs are purged by beat after 7 days (spec 003 §4, issue 17); active ones and
recent ones stay, and the pose keeps its changed picture."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from lumiku.celery import app
from posegen.models.generation import BackgroundJob
from posegen.services.background_purge import background_jobs_purge
from tests.posegen.api.test_background_api import completed_pose

pytestmark = pytest.mark.django_db


def _job(pose, status: str, *, age_days: float | None, **extra) -> BackgroundJob:
    finished = timezone.now() - timedelta(days=age_days) if age_days is not None else None
    job = BackgroundJob.objects.create(pose=pose, user=pose.generation.user, mode="solid_color", color="#FFFFFF",
                                       status=status, completed_at=finished, credit_charged=10, **extra)
    if finished is not None:
        BackgroundJob.objects.filter(pk=job.pk).update(created_at=finished - timedelta(seconds=5))
    return job


def test_finished_jobs_older_than_seven_days_are_purged(user):
    pose = completed_pose(user)
    old_done = _job(pose, "completed", age_days=7.1, output_image="users/x/bg.png")
    old_failed = _job(pose, "failed", age_days=8, credit_refunded=10)
    recent_done = _job(pose, "completed", age_days=6.9)
    recent_failed = _job(pose, "failed", age_days=1, credit_refunded=10)
    active_old = _job(pose, "processing", age_days=None)
    BackgroundJob.objects.filter(pk=active_old.pk).update(created_at=timezone.now() - timedelta(days=30))

    assert background_jobs_purge() == {"completed": 1, "failed": 1}
    assert set(BackgroundJob.objects.values_list("pk", flat=True)) == {recent_done.pk, recent_failed.pk, active_old.pk}
    assert not BackgroundJob.objects.filter(pk__in=[old_done.pk, old_failed.pk]).exists()
    pose.refresh_from_db()
    assert pose.output_image  # the pose's picture is not the job's to delete
    assert background_jobs_purge() == {"completed": 0, "failed": 0}


def test_retention_is_configurable_per_outcome(user, settings):
    settings.POSEGEN_BACKGROUND_JOB_KEEP_COMPLETED_HOURS = 24  # the spec's figure for completed jobs
    pose = completed_pose(user)
    _job(pose, "completed", age_days=2)
    failed = _job(pose, "failed", age_days=2, credit_refunded=10)
    assert background_jobs_purge() == {"completed": 1, "failed": 0}
    assert list(BackgroundJob.objects.values_list("pk", flat=True)) == [failed.pk]


def test_beat_runs_the_purge():
    app.loader.import_default_modules()  # what a worker does at start: autodiscovered task modules
    entry = settings.CELERY_BEAT_SCHEDULE["posegen-purge-background-jobs"]
    assert entry["task"] == "posegen.tasks.background_jobs_purge"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 3600.0


def test_the_task_purges(user):
    pose = completed_pose(user)
    _job(pose, "completed", age_days=10)
    app.loader.import_default_modules()
    assert app.tasks["posegen.tasks.background_jobs_purge"].apply().get() == {"completed": 1, "failed": 0}
    assert BackgroundJob.objects.count() == 0
