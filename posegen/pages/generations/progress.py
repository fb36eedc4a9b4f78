"""The live progress page, its status endpoint (the re-sync source after a dropped WebSocket), card
fragments and cancel. The page renders the current state, so a reload never loses anything."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from lumiku.core.errors import DomainError, NotFound
from posegen.format_labels import format_label
from posegen.imaging.backdrops import BACKDROP_LIBRARY
from posegen.imaging.export_formats import EXPORT_FORMATS
from posegen.models.choices import ACTIVE_GENERATION_STATUSES, PoseStatus
from posegen.pages.generations.common import eta_text, generation_url, owned_generation, parse_uuids
from posegen.pages.generations.forms import SCOPE_POSE, BackgroundForm
from posegen.selectors.generation_cards import generation_pose_cards
from posegen.selectors.generations import generation_eta_seconds, generation_progress
from posegen.services.generations.cancel import generation_cancel
from posegen.services.pricing import background_price

MAX_CARDS_PER_FETCH = 60


def summary_context(*, request, generation, cards) -> dict:
    active = generation.status in ACTIVE_GENERATION_STATUSES
    completed = sum(1 for c in cards if c.pose.status == PoseStatus.COMPLETED)
    price = background_price(user=request.user)
    chosen = set(generation.export_formats or []) or {"original"}
    eta = generation_eta_seconds(generation=generation)
    return {
        "generation": generation,
        "active": active,
        "progress": generation_progress(generation=generation),
        "eta_seconds": eta,
        "eta_text": eta_text(eta, active=active),
        "completed_count": completed,
        "background_price": price,
        "background_price_all": price * completed,
        "zip_formats": [(spec.name, format_label(spec.name), spec.name in chosen) for spec in EXPORT_FORMATS.values()],
        "background_busy": any(c.background_busy for c in cards),
    }


@login_required
@require_GET
def generation_detail(request, generation_id):
    generation = owned_generation(request=request, generation_id=generation_id)
    cards = generation_pose_cards(generation=generation)
    context = summary_context(request=request, generation=generation, cards=cards)
    return render(request, "pages/generations/detail.html", {
        **context, "cards": cards, "project": generation.project, "backdrops": BACKDROP_LIBRARY,
        "form": BackgroundForm(initial={"scope": SCOPE_POSE}),
    })


@login_required
@require_GET
def generation_status(request, generation_id):
    """Absolute state (never deltas), so a client that missed events is right again after one call."""
    generation = owned_generation(request=request, generation_id=generation_id)
    cards = generation_pose_cards(generation=generation)
    context = summary_context(request=request, generation=generation, cards=cards)
    progress = context["progress"]
    return JsonResponse({
        **progress,
        "active": context["active"],
        "statusLabel": generation.get_status_display(),
        "posesCancelled": generation.poses_cancelled,
        "creditRefunded": generation.credit_refunded,
        "estimatedTimeRemaining": context["eta_seconds"],
        "etaText": context["eta_text"],
        "backgroundBusy": context["background_busy"],
        "poses": [{"id": str(c.pose.pk), "status": c.pose.status, "state": c.state} for c in cards],
        "summaryHtml": render_to_string("pages/generations/_summary.html", context, request=request),
    }, headers={"Cache-Control": "no-store"})


@login_required
@require_GET
def generation_cards(request, generation_id):
    """The cards `?ids=a,b,c` (at most 60), as HTML the page swaps in by id."""
    generation = owned_generation(request=request, generation_id=generation_id)
    ids = parse_uuids(request.GET.get("ids", ""), limit=MAX_CARDS_PER_FETCH)
    cards = generation_pose_cards(generation=generation, pose_ids=ids) if ids else []
    response = render(request, "pages/generations/_cards.html", {"cards": cards, "generation": generation})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def generation_cancel_view(request, generation_id):
    before = owned_generation(request=request, generation_id=generation_id)
    try:
        generation = generation_cancel(user=request.user, generation_id=before.pk)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        refunded = generation.credit_refunded - before.credit_refunded
        stopped = generation.poses_cancelled - before.poses_cancelled
        if refunded:
            messages.success(request, ngettext(
                "Generation cancelled: %(n)d image not started yet was stopped and %(credits)d credits refunded.",
                "Generation cancelled: %(n)d images not started yet were stopped and %(credits)d credits refunded.",
                stopped) % {"n": stopped, "credits": refunded})
        else:
            messages.success(request, gettext("Generation cancelled. Images already being made will still finish."))
    return redirect(generation_url(before.pk))
