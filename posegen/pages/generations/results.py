"""The results gallery's actions: favourite, per-format downloads, re-export, ZIP, background change and revert.

Each view is one call into the same service the API uses; a domain error is shown in place (the card or
the form), never as a 500, and changes nothing.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lumiku.core.errors import DomainError, NotFound, ValidationFailed
from lumiku.core.pages import is_htmx
from lumiku.core.throttling import rate_limit_check
from posegen.format_labels import format_label
from posegen.imaging.backdrops import BACKDROP_LIBRARY
from posegen.models.choices import PoseStatus
from posegen.pages.generations.common import card_response, generation_url, owned_generation, owned_pose
from posegen.pages.generations.forms import SCOPE_ALL, SCOPE_POSE, BackgroundForm
from posegen.services.backgrounds import (
    background_change_start,
    background_request_validate,
    background_revert,
    generation_background_start,
)
from posegen.services.exports import generation_export_zip, pose_export_regenerate
from posegen.services.pricing import background_price
from posegen.services.results import generated_pose_download, generated_pose_set_favorite


@login_required
@require_POST
def pose_favorite(request, generation_id, pose_id):
    generation = owned_generation(request=request, generation_id=generation_id)
    pose = owned_pose(request=request, generation=generation, pose_id=pose_id)
    pose = generated_pose_set_favorite(pose=pose, favorite=request.POST.get("favorite") == "1")
    if is_htmx(request):
        return render(request, "pages/generations/_favorite.html", {"pose": pose, "generation": generation})
    return redirect(generation_url(generation.pk, pose_id=pose.pk))


@login_required
@require_GET
def pose_download(request, generation_id, pose_id):
    """Counts the download (as the API does), then sends the browser to the stored file."""
    generation = owned_generation(request=request, generation_id=generation_id)
    pose = owned_pose(request=request, generation=generation, pose_id=pose_id)
    try:
        url = generated_pose_download(pose=pose, format_name=request.GET.get("format", "original"))
    except NotFound:
        raise Http404 from None
    return HttpResponseRedirect(url)


@login_required
@require_POST
def pose_regenerate_export(request, generation_id, pose_id):
    generation = owned_generation(request=request, generation_id=generation_id)
    pose = owned_pose(request=request, generation=generation, pose_id=pose_id)
    name = request.POST.get("format", "")
    try:
        rate_limit_check(request=request, scope="export_regenerate")  # the API's counter: shown on the card
        pose_export_regenerate(user=request.user, pose_id=pose.pk, format_name=name)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return card_response(request=request, generation=generation, pose_id=pose.pk, error=exc.message)
    label = format_label(name)
    return card_response(request=request, generation=generation, pose_id=pose.pk,
                         notice=gettext("%(format)s is ready to download.") % {"format": label})


@login_required
@require_GET
def generation_zip(request, generation_id):
    """A ZIP of the chosen formats, streamed by the same service as the API's export-zip."""
    generation = owned_generation(request=request, generation_id=generation_id)
    names = [n for n in request.GET.getlist("formats") if n.strip()]
    try:
        if request.GET.get("chosen") and not names:
            raise ValidationFailed(gettext("Choose at least one format."))
        filename, chunks = generation_export_zip(user=request.user, generation_id=generation.pk, format_names=names)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(generation_url(generation.pk) + "#downloads")
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _start_background(*, request, generation, form: BackgroundForm):
    """Charge and queue through the service; returns (images, credits charged, balance after)."""
    pose_id = None
    if form.cleaned_data["scope"] == SCOPE_POSE:
        pose_id = owned_pose(request=request, generation=generation, pose_id=form.cleaned_data["pose"]).pk
    rate_limit_check(request=request, scope="background_change")
    bg_request = background_request_validate(user=request.user, **form.service_arguments())
    if pose_id is not None:
        job, balance = background_change_start(user=request.user, pose_id=pose_id, request=bg_request)
        return 1, job.credit_charged, balance
    jobs, balance = generation_background_start(user=request.user, generation_id=generation.pk, request=bg_request)
    return len(jobs), sum(job.credit_charged for job in jobs), balance


def _background_context(*, request, generation, form: BackgroundForm, pose=None) -> dict:
    price = background_price(user=request.user)
    completed = generation.poses.filter(status=PoseStatus.COMPLETED).count()
    return {"generation": generation, "form": form, "pose": pose, "backdrops": BACKDROP_LIBRARY,
            "background_price": price, "background_price_all": price * completed, "completed_count": completed}


@login_required
@require_http_methods(["GET", "POST"])
def generation_background(request, generation_id):
    """GET: the form as a page (used without JavaScript). POST: start the change (one image or all)."""
    generation = owned_generation(request=request, generation_id=generation_id)
    initial = {"scope": SCOPE_ALL if request.GET.get("scope") == SCOPE_ALL else SCOPE_POSE,
               "pose": request.GET.get("pose", "")}
    form = BackgroundForm(request.POST or None, request.FILES or None, initial=initial)
    pose = None
    if request.method == "GET" and initial["scope"] == SCOPE_POSE and initial["pose"]:
        pose = owned_pose(request=request, generation=generation, pose_id=initial["pose"])
    if request.method == "POST" and form.is_valid():
        try:
            images, charged, balance = _start_background(request=request, generation=generation, form=form)
        except NotFound:
            raise Http404 from None
        except ValidationFailed as exc:
            form.add_service_error(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
            form.short_of_credits = exc.code == "INSUFFICIENT_CREDITS"  # the dialog offers the pricing page
        else:
            notice = ngettext(
                "Changing the background of %(n)d image for %(credits)d credits. It updates here when done.",
                "Changing the background of %(n)d images for %(credits)d credits. They update here when done.",
                images) % {"n": images, "credits": charged}
            if is_htmx(request):
                fresh = BackgroundForm(initial={"scope": SCOPE_POSE})
                response = render(request, "pages/generations/_background_form.html",
                                  _background_context(request=request, generation=generation, form=fresh))
                response["HX-Trigger"] = json.dumps({"lumiku:background-started": {
                    "balance": balance, "message": notice}})
                return response
            messages.success(request, notice)
            return redirect(generation_url(generation.pk, pose_id=form.cleaned_data.get("pose")))
    context = _background_context(request=request, generation=generation, form=form, pose=pose)
    template = "_background_form.html" if is_htmx(request) else "background.html"
    return render(request, f"pages/generations/{template}", context)


@login_required
@require_POST
def pose_background_revert(request, generation_id, pose_id):
    generation = owned_generation(request=request, generation_id=generation_id)
    pose = owned_pose(request=request, generation=generation, pose_id=pose_id)
    try:
        background_revert(user=request.user, pose_id=pose.pk)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return card_response(request=request, generation=generation, pose_id=pose.pk, error=exc.message)
    return card_response(request=request, generation=generation, pose_id=pose.pk,
                         notice=gettext("The original background is back."))
