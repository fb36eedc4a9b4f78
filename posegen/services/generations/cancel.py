"""Cancelling a generation: what has not started is closed and refunded at once; images already being
generated finish normally (their workers hold claims), and the generation ends when the last one does.

Lock: the generation row (owner-scoped: another user's generation is a 404), then the wallet inside credits.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lumiku.core.errors import Conflict, NotFound
from posegen.models import PoseGeneration
from posegen.models.choices import ACTIVE_GENERATION_STATUSES, PoseStatus
from posegen.services.generations.lifecycle import (
    generation_advance,
    generation_close_unfinished,
    generation_finish_if_done,
    generation_publish,
)


def generation_cancel(*, user, generation_id) -> PoseGeneration:
    """Stop what has not started and refund it; images already being generated finish normally."""
    with transaction.atomic():
        generation = PoseGeneration.objects.select_for_update().filter(pk=generation_id, user=user).first()
        if generation is None:
            raise NotFound(_("Generation not found."), code="GENERATION_NOT_FOUND")
        if generation.status not in ACTIVE_GENERATION_STATUSES:
            raise Conflict(_("This generation is already %(status)s.") % {"status": generation.status},
                           code="GENERATION_FINISHED")
        generation.cancel_requested = True
        generation.save(update_fields=["cancel_requested"])
        cancelled = generation_close_unfinished(generation=generation, statuses=[PoseStatus.PENDING],
                                                new_status=PoseStatus.CANCELLED, reason="Cancelled",
                                                key=f"refund:generation-cancel:{generation.pk}")
        generation.poses_cancelled += cancelled
        generation_advance(generation=generation)
        generation_publish(generation=generation, event_type="generation.progress")
        generation_finish_if_done(generation=generation)
    return generation
