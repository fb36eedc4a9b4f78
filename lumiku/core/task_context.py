"""Celery signal handlers: carry the log context into tasks and count task outcomes and durations.

Publishing copies request_id / user_id / generation_id into the message headers; the worker binds them
for the task's run (a pipeline task without a generation in its headers binds its `generation_id`
argument), so a worker's log lines name the request and generation they work for.
"""

from __future__ import annotations

import time

from celery import signals

from lumiku.core import metrics
from lumiku.core.request_id import current_user_id, generation_id_var, request_id_var, user_id_var

_HEADERS = {"lumiku_request_id": request_id_var, "lumiku_user_id": user_id_var,
            "lumiku_generation_id": generation_id_var}
_running: dict[str, tuple[float, list]] = {}  # task id -> (start, context tokens)


def _on_publish(headers=None, **_kwargs) -> None:
    if headers is None:
        return
    values = {"lumiku_request_id": request_id_var.get(), "lumiku_user_id": current_user_id(),
              "lumiku_generation_id": generation_id_var.get()}
    headers.update({key: value for key, value in values.items() if value is not None})


def _on_prerun(task_id=None, task=None, args=None, kwargs=None, **_kwargs) -> None:
    request = getattr(task, "request", None)
    tokens = []
    for header, var in _HEADERS.items():
        value = getattr(request, header, None) if request is not None else None
        if value is None and header == "lumiku_generation_id":
            value = (kwargs or {}).get("generation_id")
            if value is None and args and task is not None and task.name.endswith(".generation_run"):
                value = args[0]
        tokens.append((var, var.set(str(value) if value is not None else None)))
    _running[task_id] = (time.perf_counter(), tokens)


def _on_postrun(task_id=None, task=None, state=None, **_kwargs) -> None:
    started, tokens = _running.pop(task_id, (None, []))
    for var, token in reversed(tokens):
        try:
            var.reset(token)
        except ValueError:  # set in another context (a different thread of the pool): just clear it
            var.set(None)
    name = getattr(task, "name", "unknown")
    outcome = {"SUCCESS": "success", "RETRY": "retry", "FAILURE": "failure"}.get(state or "", "failure")
    metrics.TASKS.labels(task=name, outcome=outcome).inc()
    if started is not None:
        metrics.TASK_DURATION.labels(task=name).observe(time.perf_counter() - started)


def task_signals_connect() -> None:
    signals.before_task_publish.connect(_on_publish, weak=False, dispatch_uid="lumiku-publish-context")
    signals.task_prerun.connect(_on_prerun, weak=False, dispatch_uid="lumiku-task-prerun")
    signals.task_postrun.connect(_on_postrun, weak=False, dispatch_uid="lumiku-task-postrun")
