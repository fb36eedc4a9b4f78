"""posegen.tasks: each task reaches the queue its decorator names (by object and by name), keeps its
Celery name, and the job tasks turn a RETRY outcome into a Celery retry with the doubling backoff."""

import pytest

from lumiku.celery import app
from lumiku.core.jobs import Outcome
from posegen import tasks

QUEUES = {
    "posegen.tasks.generation_run": "default",
    "posegen.tasks.pose_generate": "engine",
    "posegen.tasks.generation_sweep_stale": "default",
    "posegen.tasks.background_change": "export",
    "posegen.tasks.pose_export": "export",
    "posegen.tasks.project_check_avatar": "default",
    "posegen.tasks.background_jobs_purge": "default",
    "posegen.tasks.background_jobs_sweep_stale": "default",
    "posegen.tasks.library_page_refresh": "default",
}


def _routed_queue(name: str, task=None) -> str:
    return app.amqp.router.route({}, name, (), {}, task)["queue"].name


@pytest.mark.parametrize(("name", "queue"), QUEUES.items())
def test_each_task_is_routed_to_the_queue_its_decorator_names(name, queue):
    task = app.tasks[name]  # registered under its old name: beat entries and queued messages still resolve
    assert task.queue_name == queue
    assert _routed_queue(name, task) == queue


def test_a_task_that_names_no_queue_goes_to_the_default_queue():
    from lumiku.core.tasks import storage_files_delete

    assert _routed_queue(storage_files_delete.name, storage_files_delete) == "default"


def test_every_posegen_task_names_a_queue():
    names = {name for name in app.tasks if name.startswith("posegen.tasks.")}
    assert names == set(QUEUES)


@pytest.mark.parametrize(("task", "service", "kwarg"), [
    (tasks.pose_generate, "posegen.services.generations.run.pose_generate_run", "pose_id"),
    (tasks.background_change, "posegen.services.backgrounds.background_job_run", "job_id"),
])
def test_a_retry_outcome_is_retried_with_a_doubling_backoff(task, service, kwarg, monkeypatch, settings):
    settings.POSEGEN_RETRY_BACKOFF_SECONDS = 3
    outcomes = iter([Outcome.RETRY, Outcome.RETRY, Outcome.COMPLETED])
    attempts, countdowns = [], []

    def run(**kwargs):
        assert kwargs[kwarg] == "the-id"
        attempts.append(kwargs["attempt"])
        return next(outcomes)

    module, name = service.rsplit(".", 1)
    monkeypatch.setattr(f"{module}.{name}", run)
    real_retry = task.retry
    monkeypatch.setattr(task, "retry", lambda **kw: countdowns.append(kw["countdown"]) or real_retry(**kw))
    assert task.apply(args=["the-id"]).get() == "completed"
    assert attempts == [1, 2, 3]
    assert countdowns == [3, 6]


@pytest.mark.parametrize("outcome", [Outcome.COMPLETED, Outcome.FAILED, Outcome.SKIPPED])
def test_other_outcomes_are_the_result_and_never_retried(outcome, monkeypatch):
    monkeypatch.setattr("posegen.services.generations.run.pose_generate_run", lambda **kw: outcome)
    monkeypatch.setattr(tasks.pose_generate, "retry", lambda **kw: pytest.fail("retried"))
    assert tasks.pose_generate.apply(args=["the-id"]).get() == outcome.value
