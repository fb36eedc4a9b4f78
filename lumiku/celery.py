"""The Celery application. Queues are named in `lumiku.core.queues.Queue`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lumiku.settings.base")

app = Celery("lumiku")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _install_worker_steps(celery_app: Celery) -> None:
    from lumiku.core.heartbeat import WorkerHeartbeatStep

    celery_app.steps["worker"].add(WorkerHeartbeatStep)


_install_worker_steps(app)


def _connect_task_signals() -> None:
    from lumiku.core.task_context import task_signals_connect

    task_signals_connect()


_connect_task_signals()
