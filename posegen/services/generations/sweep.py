"""The stale-generation sweep (beat, every POSEGEN_SWEEP_INTERVAL_SECONDS): a generation with no progress
for POSEGEN_STALE_AFTER_SECONDS is enqueued again (its row is the outbox when the broker was down at start),
at most POSEGEN_MAX_ENQUEUE_ATTEMPTS times; after that what is left of it fails and is refunded.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from posegen.models import PoseGeneration
from posegen.models.choices import ACTIVE_GENERATION_STATUSES, PoseStatus
from posegen.services.generations.lifecycle import (
    generation_advance,
    generation_close_unfinished,
    generation_finish_if_done,
    generation_locked,
)
from posegen.services.generations.start import generation_enqueue


def generation_sweep_stale() -> dict[str, int]:
    """Re-enqueue generations with no progress for a while (a bounded number of times), then fail
    what is left of them and refund it. Safe to run on any schedule and concurrently."""
    cutoff = timezone.now() - timedelta(seconds=settings.POSEGEN_STALE_AFTER_SECONDS)
    stale = PoseGeneration.objects.filter(status__in=ACTIVE_GENERATION_STATUSES).filter(
        Q(last_progress_at__lt=cutoff) | Q(last_progress_at__isnull=True, created_at__lt=cutoff)
    )
    requeued = failed = 0
    for generation_id, attempts in stale.values_list("pk", "enqueue_attempts"):
        if attempts < settings.POSEGEN_MAX_ENQUEUE_ATTEMPTS:
            requeued += int(generation_enqueue(generation_id=generation_id, count_attempt=True))
            continue
        with transaction.atomic():
            generation = generation_locked(generation_id=generation_id)
            if generation.status not in ACTIVE_GENERATION_STATUSES:
                continue
            reason = gettext_noop("This image could not be generated in time; it was refunded.")
            count = generation_close_unfinished(
                generation=generation, statuses=[PoseStatus.PENDING, PoseStatus.PROCESSING],
                new_status=PoseStatus.FAILED, reason=reason, key=f"refund:generation-stale:{generation.pk}")
            generation.poses_failed += count
            generation.error_message = gettext_noop("Generation stalled; unfinished images were refunded.")
            generation.save(update_fields=["error_message"])
            generation_advance(generation=generation)
            generation_finish_if_done(generation=generation)
            failed += 1
    return {"requeued": requeued, "failed": failed}
