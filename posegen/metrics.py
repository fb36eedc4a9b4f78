"""The Pose Generator's Prometheus metrics: generations and background changes reaching a final state, image
engine time, export formats chosen. Each is counted once its transaction commits (a rollback counts nothing).

They are ordinary prometheus_client metrics: the platform's /metrics (lumiku.core.metrics) exposes every
metric of the process, or of all processes in multiprocess mode, without importing this module.
"""

from __future__ import annotations

from django.db import transaction
from prometheus_client import Counter, Histogram

from lumiku.core.metrics import TASK_BUCKETS

GENERATIONS = Counter("lumiku_generations_finished_total",
                      "Generations reaching a final status (completed, partial, failed, cancelled).", ["status"])
BACKGROUND_JOBS = Counter("lumiku_background_jobs_finished_total",
                          "Background-change jobs that reached a final state, by status (completed, failed).",
                          ["status"])
ENGINE_LATENCY = Histogram("lumiku_engine_duration_seconds", "Image engine time per generated image.", ["engine"],
                           buckets=TASK_BUCKETS)
# Spec 003 §11's "metrics to track".
BACKGROUND_JOB_DURATION = Histogram("lumiku_background_job_duration_seconds",
                                    "Background-change processing time (worker claim to final state), by mode.",
                                    ["mode", "status"], buckets=TASK_BUCKETS)
EXPORT_FORMATS_REQUESTED = Counter("lumiku_export_formats_requested_total",
                                   "Export formats chosen for new generations (each format once per generation).",
                                   ["format"])


def generation_finished(*, status: str) -> None:
    transaction.on_commit(lambda: GENERATIONS.labels(status=str(status)).inc())


def background_job_finished(*, status: str, mode: str | None = None, seconds: float | None = None) -> None:
    def count() -> None:
        BACKGROUND_JOBS.labels(status=str(status)).inc()
        if mode is not None and seconds is not None:  # a job failed before any worker took it has no time
            BACKGROUND_JOB_DURATION.labels(mode=str(mode), status=str(status)).observe(max(0.0, seconds))

    transaction.on_commit(count)


def export_formats_requested(*, formats) -> None:
    chosen = sorted({str(f) for f in formats})
    transaction.on_commit(lambda: [EXPORT_FORMATS_REQUESTED.labels(format=f).inc() for f in chosen])


def engine_observed(*, engine: str, seconds: float) -> None:
    ENGINE_LATENCY.labels(engine=engine).observe(max(0.0, seconds))
