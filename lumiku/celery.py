"""The Celery application. Queues are named in `lumiku.core.queues.Queue`."""

import os

from celery import Celery
from celery.signals import worker_process_init

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


@worker_process_init.connect(weak=False)
def _forget_inherited_database(**_kwargs) -> None:
    # Connected at import, so it runs before Celery's Django fixup closes connections in the child
    # (which, with a pool, would close the parent's).
    from lumiku.core.db_fork import database_forget_inherited

    database_forget_inherited()
