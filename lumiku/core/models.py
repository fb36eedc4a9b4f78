from django.db import models


class WorkerHeartbeat(models.Model):
    """Each running Celery worker upserts its row every few seconds; health reads who is alive."""

    hostname = models.CharField(max_length=255, primary_key=True)
    queues = models.JSONField(default=list)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return self.hostname
