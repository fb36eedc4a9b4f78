"""Generation wizard (G3): one form in three modes, a live cost, a live text-to-pose preview.

The POST makes the same two calls as `POST /generate`: `validate_generate_request` then
`generation_start`, with an idempotency key rendered into the form so a double click charges once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from lumiku.core.errors import DomainError, NotFound, RateLimited, ValidationFailed
from lumiku.core.forms import form_add_domain_error
from lumiku.core.throttling import rate_limit_check
from lumiku.credits.selectors import credits_balance, credits_unlimited_tier
from posegen.format_labels import format_category_label
from posegen.imaging.backdrops import BACKDROP_LIBRARY
from posegen.imaging.export_formats import EXPORT_FORMATS, MAX_FORMATS_PER_GENERATION
from posegen.library_i18n import pose_name_for_reader
from posegen.models.choices import GenerationType, ProjectStatus
from posegen.pages.library.cards import pose_thumb
from posegen.pages.tray import tray_clear, tray_pose_ids, tray_remove
from posegen.pages.wizard.forms import SERVICE_FIELDS, WizardForm
from posegen.selectors.generations import project_last_export_formats
from posegen.selectors.library import library_list, library_poses_by_ids
from posegen.selectors.projects import project_get
from posegen.services import validation
from posegen.services.avatar_check import avatar_check_localize
from posegen.services.feasibility import pose_support_for_project, verdict_adjusted_reason, verdict_reason
from posegen.services.generations.start import generation_start, request_fingerprint
from posegen.services.library_tools import library_text_to_pose, png_base64
from posegen.services.pricing import generation_cost, price_per_image

PREVIEW_WIDTH, PREVIEW_HEIGHT = 384, 512
TEXT_PREVIEW_MAX = 500  # the text-to-pose API's limit
# Channel presets: one tap sets the export sizes a shop selling there needs (names are channel names).
FORMAT_PRESETS = (
    ("shopee-instagram", "Shopee + Instagram", ("shopee_product", "instagram_feed", "instagram_story")),
    ("tokopedia-instagram", "Tokopedia + Instagram", ("tokopedia_product", "instagram_feed", "instagram_story")),
    ("tiktok-instagram", "TikTok + Instagram Story", ("tiktok", "instagram_story")),
    ("marketplaces", gettext_lazy("All marketplaces"), ("shopee_product", "tokopedia_product", "lazada_product")),
)
STARTER_POSES = 6  # offered when the tray is empty, so a first generation needs no trip to the library


def _owned_project(request, project_id):
    try:
        return project_get(user=request.user, project_id=project_id)
    except NotFound:
        raise Http404 from None


def _poses(pose_ids, *, project) -> list[dict]:
    """The chosen poses; those the engine cannot make from this project's avatar carry the reason (the
    page greys them and leaves them out of the form, so out of the price and the generation)."""
    rows = library_poses_by_ids(pose_ids=pose_ids)
    support = pose_support_for_project(user=project.user, project_id=project.pk,
                                       pose_ids=[row["id"] for row in rows]) if rows else {}
    for row in rows:
        row["name"] = pose_name_for_reader(row["name"])
        row["thumb_url"] = pose_thumb(row)
        verdict = support.get(str(row["id"]))
        row["unsupported_reason"] = verdict_reason(verdict) if verdict is not None else ""
        row["adjusted_reason"] = verdict_adjusted_reason(verdict) if verdict is not None else ""
    return rows


def _starter_poses(*, project) -> list[dict]:
    """Seller poses (the library's default order puts standing, walking and hands on hips first) for an
    empty tray; those this photo cannot make are left out rather than offered and refused."""
    rows = _poses([row["id"] for row in library_list()[:STARTER_POSES]], project=project)
    return [row for row in rows if not row["unsupported_reason"]]


def _format_groups() -> list[dict]:
    groups: dict[str, list] = {}
    for spec in EXPORT_FORMATS.values():
        groups.setdefault(spec.category, []).append(spec)
    return [{"key": key, "label": format_category_label(key), "formats": specs} for key, specs in groups.items()]


def _context(*, project, form: WizardForm, pose_ids, error: DomainError | None = None) -> dict:
    selected = form["output_formats"].value() or []
    poses = _poses(pose_ids, project=project)
    mode = form["generation_type"].value() or GenerationType.GALLERY_REFERENCE
    avatar_check = avatar_check_localize(project.avatar_check)
    return {
        "avatar_check": avatar_check, "photo_refused": bool(avatar_check and avatar_check.get("problems")),
        "project": project, "form": form, "error": error,
        "mode": mode, "modes": GenerationType.choices, "poses": poses,
        "starter_poses": [] if poses else _starter_poses(project=project),
        "suggestions": validation.get_suggested_pose_keywords(),
        "backdrops": [{"id": b.id, "name": b.name, "preview": reverse("posegen-backdrop-preview", args=[b.id])}
                      for b in BACKDROP_LIBRARY],
        "format_groups": _format_groups(), "selected_formats": set(selected),
        "aspect_ratios": sorted({s.aspect_ratio for s in EXPORT_FORMATS.values() if s.width}),
        "max_formats": MAX_FORMATS_PER_GENERATION,
        "format_presets": [{"key": key, "label": label, "formats": ",".join(names)}
                           for key, label, names in FORMAT_PRESETS],
        "limits": {"batch_max": validation.BATCH_MAX, "variations_max": validation.VARIATIONS_MAX,
                   "prompt_max": validation.PROMPT_MAX},
        "archived": project.status != ProjectStatus.ACTIVE,
    }


@login_required
@require_http_methods(["GET", "POST"])
def wizard(request, project_id):
    project = _owned_project(request, project_id)
    if request.method == "GET":
        pose_ids = tray_pose_ids(request=request)
        mode = request.GET.get("mode")
        form = WizardForm(initial={
            "pose_ids": pose_ids, "idempotency_key": uuid.uuid4(),
            "generation_type": mode if mode in GenerationType.values else GenerationType.GALLERY_REFERENCE,
            "output_formats": [name for name in project_last_export_formats(project=project)
                               if name in EXPORT_FORMATS],
        })
        return render(request, "pages/wizard/wizard.html", _context(project=project, form=form,
                                                                    pose_ids=pose_ids))
    form = WizardForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        files = form.cleaned_data
        try:
            rate_limit_check(request=request, scope="generate")
            plan = validation.validate_generate_request(**form.validate_arguments())
            generation, _created = generation_start(
                user=request.user, project_id=project.pk, plan=plan,
                background_image=files.get("background_image") if plan.background_mode == "upload" else None,
                reference_image=files.get("reference_image"),
                idempotency_key=form.idempotency_key_value(),
                fingerprint=request_fingerprint({"projectId": str(project.pk), **dataclasses.asdict(plan)}),
            )
        except DomainError as exc:
            error = exc
            form_add_domain_error(form=form, exc=exc, field_map=SERVICE_FIELDS)
        else:
            if plan.generation_type == GenerationType.GALLERY_REFERENCE:
                tray_clear(request=request)  # the tray's poses are in this generation now
            return redirect(reverse("pages:generation", args=[generation.pk]))
    pose_ids = form.cleaned_data.get("pose_ids") or request.POST.getlist("pose_ids")
    status = error.status_code if error else 400
    return render(request, "pages/wizard/wizard.html",
                  _context(project=project, form=form, pose_ids=pose_ids, error=error), status=status)


@login_required
@require_POST
def wizard_cost(request, project_id):
    """The price of the current choices, from the pricing service, against the balance or daily quota."""
    project = _owned_project(request, project_id)
    form = WizardForm(request.POST)
    form.is_valid()
    plan = form.count_plan()
    context = {"project": project, "valid": plan is not None}
    if plan is not None:
        images = plan.total_poses
        tier = credits_unlimited_tier(user=request.user)
        context.update(
            images=images, tier=tier, balance=credits_balance(user_id=request.user.pk),
            per_image=price_per_image(generation_type=plan.generation_type,
                                      use_background_changer=plan.use_background_changer),
            cost=generation_cost(generation_type=plan.generation_type, images=images,
                                 use_background_changer=plan.use_background_changer),
            quota_left=max(tier["dailyQuota"] - tier["quotaUsed"], 0) if tier["active"] else 0,
            out_of_range=not (validation.BATCH_MIN <= plan.batch_size <= validation.BATCH_MAX
                              and validation.VARIATIONS_MIN <= plan.variation_count <= validation.VARIATIONS_MAX),
        )
    return render(request, "pages/wizard/_cost.html", context)


@login_required
@require_POST
def wizard_text_preview(request):
    """The pose a description makes, as the ControlNet map, from the same code as POST /library/text-to-pose."""
    text = request.POST.get("text_prompt", "").strip()
    context: dict = {"text": text}
    if len(text) > TEXT_PREVIEW_MAX:
        context["error"] = ValidationFailed(_("The description must be at most %(max)s characters.")
                                            % {"max": TEXT_PREVIEW_MAX})
    elif text:
        try:
            rate_limit_check(request=request, scope="text_to_pose")  # the API's counter
            result = library_text_to_pose(text=text, width=PREVIEW_WIDTH, height=PREVIEW_HEIGHT)
        except (ValidationFailed, RateLimited) as exc:
            context["error"] = exc
            context["examples"] = exc.extra.get("examples") or []
        else:
            context.update(result=result, image=png_base64(result.controlnet_png))
    return render(request, "pages/wizard/_text_preview.html", context)


@login_required
@require_POST
def wizard_tray_remove(request, project_id):
    """Take a pose out of the selection tray (the wizard's remove button)."""
    project = _owned_project(request, project_id)
    pose_id = request.POST.get("remove_pose") or request.POST.get("pose_id") or ""
    with contextlib.suppress(ValueError):  # not a pose id: nothing to remove
        tray_remove(request=request, pose_id=uuid.UUID(pose_id))
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    return redirect("pages:wizard", project_id=project.pk)
