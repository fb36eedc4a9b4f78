"""Library pages: browse (full page, or the results fragment for htmx), one pose, the favourite toggle."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from lumiku.core.errors import DomainError, NotFound
from lumiku.core.pages import is_htmx_swap, safe_redirect_target
from posegen.library_i18n import category_tree_for_reader, pose_row_for_reader
from posegen.models.choices import ProjectStatus
from posegen.pages.library.cards import DIFFICULTY_BADGES, DIFFICULTY_LABELS, GENDER_LABELS, pose_card
from posegen.pages.library.filters import SORT_LABELS, LibraryFilterForm
from posegen.pages.tray import tray_context, tray_pose_ids
from posegen.posekit.search_terms import search_plan, search_words
from posegen.selectors.library import LibraryPage, category_path, category_tree_cached, library_browse
from posegen.selectors.projects import project_list
from posegen.services.feasibility import pose_support_for_project, verdict_adjusted_reason, verdict_reason
from posegen.services.library_favourites import library_pose_favorite, library_pose_open, library_pose_unfavorite
from posegen.services.library_pages import picture_url

PAGE_SIZE = 24
MORE_TARGET = "library-more"  # the id of the "Load more" item; htmx names it in HX-Target


def _corrected(text: str) -> str:
    """The query as searched when a typo was fixed ("pinggnag" -> "pinggang"); empty otherwise."""
    fixed = search_plan(text=text).corrected if text else {}
    if not fixed:
        return ""
    return " ".join(fixed.get(word, word) for word in search_words(text))


def _project_choices(*, user) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in
            project_list(user=user, status=ProjectStatus.ACTIVE).values_list("pk", "project_name")]


def _support_notes(*, user, project_id: str | None, rows: list[dict]) -> tuple[dict, dict]:
    """({pose id: reason}, {pose id: adjustment}) in the reader's language: the shown poses the engine cannot
    make from the chosen project's photo, and those it makes adjusted (a hand holding a bag kept as it is);
    the same verdicts as the wizard and ``GET /library?projectId=``; both empty without a project."""
    if not project_id or not rows:
        return {}, {}
    verdicts = pose_support_for_project(user=user, project_id=project_id, pose_ids=[row["id"] for row in rows])
    return ({pid: verdict_reason(v) for pid, v in verdicts.items() if not v.supported},
            {pid: verdict_adjusted_reason(v) for pid, v in verdicts.items() if verdict_adjusted_reason(v)})


@login_required
@require_GET
def library(request):
    tree = category_tree_for_reader(category_tree_cached())
    form = LibraryFilterForm(request.GET, tree=tree, projects=_project_choices(user=request.user))
    error = None
    try:
        page = library_browse(user=request.user, page=form.page_number, limit=PAGE_SIZE, **form.browse_filters())
    except DomainError as exc:
        error, page = exc.message, LibraryPage(rows=[], total=0, page=1, limit=PAGE_SIZE, favorite_ids=set())
    tray_ids = set(tray_pose_ids(request=request))
    unsupported, adjusted = _support_notes(user=request.user, project_id=form.value("project"), rows=page.rows)
    pages = max(1, -(-page.total // PAGE_SIZE))
    context = {
        "form": form,
        "error": error,
        "cards": [pose_card(row, favorite_ids=page.favorite_ids, tray_ids=tray_ids,
                            unsupported_reason=unsupported.get(str(row["id"]), ""),
                            adjusted_reason=adjusted.get(str(row["id"]), "")) for row in page.rows],
        "total": page.total,
        "page": page.page,
        "has_next": page.page < pages,
        "next_query": form.querystring(page=page.page + 1),
        "prev_query": form.querystring(page=page.page - 1 if page.page > 2 else None) if page.page > 1 else None,
        "search": form.value("q") or "",
        "corrected_search": _corrected(form.value("q") or ""),
        "more_target": MORE_TARGET,
    }
    if is_htmx_swap(request):
        context["partial"] = True
        template = ("pages/library/_more.html" if request.headers.get("HX-Target") == MORE_TARGET
                    else "pages/library/_results.html")
        response = render(request, template, context)
    else:
        context.update(tree=tree, selected=form.value("category") or "", sorts=SORT_LABELS,
                       tray=tray_context(request=request))
        response = render(request, "pages/library/library.html", context)
    patch_vary_headers(response, ("HX-Request",))  # the same URL answers a fragment or a page
    return response


@login_required
@require_GET
def pose_detail(request, pose_id):
    try:
        row, is_favorite = library_pose_open(pose_id=pose_id, user=request.user)
    except NotFound:
        raise Http404 from None
    tree = category_tree_for_reader(category_tree_cached())
    in_tray = str(row["id"]) in set(tray_pose_ids(request=request))
    return render(request, "pages/library/detail.html", {
        "pose": pose_row_for_reader(row),
        "reference": picture_url(row["reference_image"]) or picture_url(row["preview_image"]),
        "controlnet": picture_url(row["controlnet_image"]),
        "breadcrumb": category_path(tree=tree, category_id=row["category_id"]),
        "difficulty_label": DIFFICULTY_LABELS.get(row["difficulty"], row["difficulty"]),
        "difficulty_badge": DIFFICULTY_BADGES.get(row["difficulty"], ""),
        "gender_label": GENDER_LABELS.get(row["gender_suitability"], row["gender_suitability"]),
        "fav": {"id": row["id"], "is_favorite": is_favorite, "favorite_count": row["favorite_count"]},
        "toggle": {"id": str(row["id"]), "in_tray": in_tray},
        "openpose_url": reverse("posegen-library-openpose", args=[row["id"]]) if row["openpose_json"] else None,
        "tray": tray_context(request=request),
    })


@login_required
@require_POST
def pose_favorite(request, pose_id):
    """Set (favorite=1) or clear (favorite=0) a favourite: explicit, so a repeated post changes nothing."""
    wanted = request.POST.get("favorite") == "1"
    try:
        state = (library_pose_favorite if wanted else library_pose_unfavorite)(user=request.user, pose_id=pose_id)
    except NotFound:
        raise Http404 from None
    if not is_htmx_swap(request):
        return redirect(safe_redirect_target(request=request, target=request.POST.get("next"),
                                             fallback=reverse("pages:pose_detail", args=[pose_id])))
    return render(request, "pages/library/_favorite.html", {
        "fav": {"id": state.pose_id, "is_favorite": state.is_favorite, "favorite_count": state.favorite_count},
        "variant": "card" if request.POST.get("variant") == "card" else "detail",
        "next": safe_redirect_target(request=request, target=request.POST.get("next"),
                                     fallback=reverse("pages:pose_detail", args=[pose_id])),
    })
