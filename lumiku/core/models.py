from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running Celery worker *process*, upserted every few seconds; health reads who is alive.

    Keyed by an id generated when the process starts, not by the node name: two workers started with the
    same name (`celery@host` twice from one Procfile) would otherwise overwrite each other's row, and the
    queues of one of them would look unserved while both run (or served while one is dead)."""

    id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, db_index=True)
    pid = models.PositiveIntegerField()
    queues = models.JSONField(default=list)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["hostname", "pid"]

    def __str__(self) -> str:
        return f"{self.hostname} (pid {self.pid})"
