"""Thin Celery tasks: load by id, call one service. Each names its queue on its decorator (``queue_name``,
from the one `Queue` enum; lumiku.core.queues.queue_route reads it); acks_late, reject-on-worker-lost and
time limits come from settings. The image and background tasks share PosegenJobTask (lumiku.core.jobs),
which turns a RETRY outcome into a Celery retry with the backoff. The names (`posegen.tasks.<name>`) are
what beat schedules and messages already queued refer to: they never change, wherever the code moves."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from lumiku.core.jobs import JobTask
from lumiku.core.queues import Queue


class PosegenJobTask(JobTask):
    """A claimed image or background job: RETRY waits POSEGEN_RETRY_BACKOFF_SECONDS, doubling each time."""

    def retry_backoff_seconds(self) -> float:
        return settings.POSEGEN_RETRY_BACKOFF_SECONDS


@shared_task(name="posegen.tasks.generation_run", queue_name=Queue.DEFAULT)
def generation_run(generation_id: str) -> int:
    from posegen.services.generations.run import generation_dispatch

    return generation_dispatch(generation_id=generation_id)


@shared_task(bind=True, base=PosegenJobTask, name="posegen.tasks.pose_generate", queue_name=Queue.ENGINE,
             max_retries=None)
def pose_generate(self, pose_id: str):
    from posegen.services.generations.run import pose_generate_run

    return pose_generate_run(pose_id=pose_id, attempt=self.attempt)


@shared_task(name="posegen.tasks.generation_sweep_stale", queue_name=Queue.DEFAULT)
def generation_sweep_stale() -> dict:
    from posegen.services.generations.sweep import generation_sweep_stale as sweep

    return sweep()


@shared_task(bind=True, base=PosegenJobTask, name="posegen.tasks.background_change", queue_name=Queue.EXPORT,
             max_retries=None)
def background_change(self, job_id: str):
    from posegen.services.backgrounds import background_job_run

    return background_job_run(job_id=job_id, attempt=self.attempt)


@shared_task(name="posegen.tasks.background_jobs_sweep_stale", queue_name=Queue.DEFAULT)
def background_jobs_sweep_stale() -> dict:
    from posegen.services.background_sweep import background_jobs_sweep_stale as sweep

    return sweep()


@shared_task(name="posegen.tasks.pose_export", queue_name=Queue.EXPORT)
def pose_export(pose_id: str) -> list[str]:
    from posegen.services.exports import pose_exports_run

    return sorted(pose_exports_run(pose_id=pose_id))


@shared_task(name="posegen.tasks.project_check_avatar", queue_name=Queue.DEFAULT)
def project_check_avatar(project_id: str) -> bool:
    from posegen.services.avatar_check import project_check_avatar as check

    return check(project_id=project_id) is not None


@shared_task(name="posegen.tasks.background_jobs_purge", queue_name=Queue.DEFAULT)
def background_jobs_purge() -> dict:
    from posegen.services.background_purge import background_jobs_purge as purge

    return purge()


@shared_task(name="posegen.tasks.library_page_refresh", queue_name=Queue.DEFAULT, ignore_result=True)
def library_page_refresh(filters: dict, page: int, limit: int, key: str, language: str = "en") -> None:
    """A stale list page the ASGI fast path served: rendered again here, off the web processes, in the
    language its readers read (part of its key)."""
    from posegen.services.library_pages import library_page_render

    library_page_render(filters=filters, page_number=page, limit=limit, key=key, language=language)
