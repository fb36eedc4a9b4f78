"""Thin Celery tasks: load by id, call one service. acks_late, reject-on-worker-lost, time limits and
queue routes (CELERY_TASK_ROUTES) come from settings."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(name="posegen.tasks.generation_run")
def generation_run(generation_id: str) -> int:
    from posegen.services.pipeline import generation_dispatch

    return generation_dispatch(generation_id=generation_id)


@shared_task(bind=True, name="posegen.tasks.pose_generate", max_retries=None)
def pose_generate(self, pose_id: str) -> str:
    from posegen.services.pipeline import Outcome, pose_generate_run

    outcome = pose_generate_run(pose_id=pose_id, attempt=self.request.retries + 1)
    if outcome == Outcome.RETRY:
        # Only transient engine errors come back as RETRY; backoff doubles each attempt.
        countdown = settings.POSEGEN_RETRY_BACKOFF_SECONDS * (2 ** self.request.retries)
        raise self.retry(countdown=countdown)
    return outcome.value


@shared_task(name="posegen.tasks.generation_sweep_stale")
def generation_sweep_stale() -> dict:
    from posegen.services.pipeline import generation_sweep_stale as sweep

    return sweep()


@shared_task(bind=True, name="posegen.tasks.background_change", max_retries=None)
def background_change(self, job_id: str) -> str:
    from posegen.services.background import background_job_run

    outcome = background_job_run(job_id=job_id, attempt=self.request.retries + 1)
    if outcome == "retry":
        countdown = settings.POSEGEN_RETRY_BACKOFF_SECONDS * (2 ** self.request.retries)
        raise self.retry(countdown=countdown)
    return outcome


@shared_task(name="posegen.tasks.pose_export")
def pose_export(pose_id: str) -> list[str]:
    from posegen.services.exports import pose_exports_run

    return sorted(pose_exports_run(pose_id=pose_id))


@shared_task(name="posegen.tasks.project_check_avatar")
def project_check_avatar(project_id: str) -> bool:
    from posegen.services.avatar_check import project_check_avatar as check

    return check(project_id=project_id) is not None


@shared_task(name="posegen.tasks.background_jobs_purge")
def background_jobs_purge() -> dict:
    from posegen.services.background_purge import background_jobs_purge as purge

    return purge()


@shared_task(name="posegen.tasks.library_page_refresh", ignore_result=True)
def library_page_refresh(filters: dict, page: int, limit: int, key: str, language: str = "en") -> None:
    """A stale list page the ASGI fast path served: rendered again here, off the web processes, in the
    language its readers read (part of its key)."""
    from posegen.services.library_pages import library_page_render

    library_page_render(filters=filters, page_number=page, limit=limit, key=key, language=language)
