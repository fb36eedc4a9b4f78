"""Ownership lookups and response helpers shared by the generation page views."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from lumiku.core.errors import NotFound
from lumiku.core.pages import is_htmx
from posegen.models import GeneratedPose, PoseGeneration
from posegen.selectors.generation_cards import generation_pose_cards
from posegen.selectors.generations import generated_pose_get, generation_get


def owned_generation(*, request, generation_id) -> PoseGeneration:
    """The user's generation; anyone else's (or none) is a 404, exactly like the API."""
    try:
        return generation_get(user=request.user, generation_id=generation_id)
    except NotFound:
        raise Http404 from None


def owned_pose(*, request, generation: PoseGeneration, pose_id) -> GeneratedPose:
    try:
        pose = generated_pose_get(user=request.user, pose_id=uuid.UUID(str(pose_id)))
    except (NotFound, ValueError):
        raise Http404 from None
    if pose.generation_id != generation.pk:  # a pose of another of the user's generations: not on this page
        raise Http404
    return pose


def parse_uuids(raw: str, *, limit: int) -> list[uuid.UUID]:
    ids = []
    for part in raw.split(",")[:limit]:
        try:
            ids.append(uuid.UUID(part.strip()))
        except ValueError:
            continue
    return ids


def generation_url(generation_id, *, pose_id=None) -> str:
    url = reverse("pages:generation", kwargs={"generation_id": generation_id})
    return f"{url}#pose-{pose_id}" if pose_id else url


def card_response(*, request, generation: PoseGeneration, pose_id, error: str = "", notice: str = ""):
    """htmx: the re-rendered card with the outcome in it. Without JavaScript: a message and back to the card."""
    if is_htmx(request):
        (card,) = generation_pose_cards(generation=generation, pose_ids=[pose_id])
        return render(request, "pages/generations/_card.html",
                      {"card": card, "generation": generation, "card_error": error, "card_notice": notice})
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return redirect(generation_url(generation.pk, pose_id=pose_id))


def eta_text(seconds: int | None, *, active: bool) -> str:
    if not active:
        return ""
    if seconds is None:
        return gettext("Estimating time left…")
    if seconds < 60:
        return gettext("Less than a minute left")
    minutes = round(seconds / 60)
    return ngettext("About %(n)d minute left", "About %(n)d minutes left", minutes) % {"n": minutes}
