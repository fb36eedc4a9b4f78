"""“Your photos are ready”: when a generation finishes with images, its owner gets an in-app
notification and an e-mail that link to the results.

Stored as a code and its parameters (``kind`` and ``data``: how many images, of how many, the
project's name, the generation id), so the notifications page says it in the reader's language at
read time (page and API, through lumiku.notifications.kinds, where this module registers
its kind); the stored title and body (and the e-mail) are in the owner's language when it was sent.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lumiku.notifications.kinds import notification_kind_register, recipient_language
from lumiku.notifications.services import notification_send
from posegen.models import PoseGeneration
from posegen.models.choices import GenerationStatus

READY_KIND = "generation.ready"


def generation_ready_text(*, data: dict[str, Any], language: str | None = None) -> tuple[str, str]:
    """(title, body) of a ready notice from its parameters, in ``language`` (default: the active one)."""
    with translation.override(language or translation.get_language()):
        images, total = int(data["images"]), int(data["total"])
        title = ngettext("Your photo is ready", "Your %(count)d photos are ready", images) % {"count": images}
        lines = [_("%(count)s of %(total)s photos for “%(name)s” are ready to download.")
                 % {"count": images, "total": total, "name": data.get("project") or _("your project")}]
        failed = total - images
        if failed:
            lines.append(ngettext("%(count)d photo could not be made; its credits were refunded.",
                                  "%(count)d photos could not be made; their credits were refunded.", failed)
                         % {"count": failed})
        return title, " ".join(lines)


def generation_ready_notify(*, generation: PoseGeneration) -> None:
    """In the caller's transaction (the e-mail leaves on commit): nothing for a generation without images."""
    finished_with_images = generation.status in (GenerationStatus.COMPLETED, GenerationStatus.PARTIAL)
    if not finished_with_images or not generation.poses_completed:
        return
    user = generation.user
    data = {"generationId": str(generation.pk), "images": generation.poses_completed,
            "total": generation.total_expected_poses, "project": generation.project.project_name}
    title, body = generation_ready_text(data=data, language=recipient_language(user))
    notification_send(user=user, kind=READY_KIND, title=title, body=body,
                      link=reverse("pages:generation", args=[generation.pk]), data=data)


notification_kind_register(kind=READY_KIND, render=lambda data: generation_ready_text(data=data))
