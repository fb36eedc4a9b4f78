"""The one list of Celery queues, and the router that sends each task to the queue it names.

A task names its queue on its decorator, ``@shared_task(name=..., queue_name=Queue.ENGINE)`` (PostHog's
posthog/tasks/utils.py: the queue is read where the task is defined, from this one enum). Celery 5
deprecates the ``queue`` task attribute itself, so the name is our own attribute and :func:`queue_route`
(the only entry of CELERY_TASK_ROUTES) reads it, for ``apply_async`` and for a task sent by name alike.
GPU machines subscribe only to ENGINE.
"""

from enum import StrEnum


class Queue(StrEnum):
    DEFAULT = "default"
    ENGINE = "engine"
    EXPORT = "export"


def queue_route(name, args, kwargs, options, task=None, **kw) -> dict | None:
    """Celery's router: the queue the task's decorator names; None (the default queue) when it names none."""
    queue = getattr(task, "queue_name", None)
    return {"queue": Queue(queue).value} if queue else None
