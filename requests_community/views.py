"""Server-rendered pages for community pose requests (login required). Each view makes one call into a
selector or service and shows its result or domain error in place."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from lumiku.core.errors import DomainError, ValidationFailed
from lumiku.core.forms import form_add_domain_error
from lumiku.core.pages import safe_redirect_target
from lumiku.core.throttling import rate_limit_check
from posegen.selectors.library import library_categories_active
from requests_community.forms import RequestSubmitForm
from requests_community.models import RequestStatus
from requests_community.selectors import (
    BOARD_SORTS,
    PUBLIC_STATUSES,
    request_board,
    request_get_visible,
    request_list_for_user,
    request_similar,
)
from requests_community.services.requests import pose_request_create, pose_request_delete
from requests_community.services.votes import pose_request_toggle_vote

PAGE_SIZE = 20
SORT_LABELS = {"votes": gettext_lazy("Most votes"), "newest": gettext_lazy("Newest"),
               "updated": gettext_lazy("Recently updated")}


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@login_required
def board(request):
    sort = request.GET.get("sort") if request.GET.get("sort") in BOARD_SORTS else "votes"
    status = request.GET.get("status") if request.GET.get("status") in PUBLIC_STATUSES else ""
    category = request.GET.get("category", "")
    category_id = category if _is_uuid(category) else None
    search = request.GET.get("q", "").strip()[:100]
    qs = request_board(viewer=request.user, status=status or None, category_id=category_id, search=search,
                       sort=sort)
    return render(request, "requests_community/board.html", {
        "page": _page(request, qs),
        "sort": sort,
        "sorts": SORT_LABELS,
        "status": status,
        "statuses": [(s, RequestStatus(s).label) for s in PUBLIC_STATUSES],
        "category": category_id or "",
        "categories": library_categories_active(),
        "q": search,
    })


@login_required
@require_http_methods(["GET", "POST"])
def submit(request):
    form = RequestSubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rate_limit_check(request=request, scope="pose_request_create")
            result = pose_request_create(
                user=request.user, pose_name=data["pose_name"], description=data["description"],
                category_id=data["category"].pk if data["category"] else None, use_case=data["use_case"],
                reference_image=data["reference_image"],
            )
        except ValidationFailed as exc:
            form_add_domain_error(form=form, exc=exc, field_map=RequestSubmitForm.SERVICE_FIELDS)
        except DomainError as exc:
            form.add_error(None, exc.message)
            existing = exc.extra.get("existingRequestId")
            if existing:
                messages.info(request, _("You can find your existing request on “My requests”."))
        else:
            messages.success(request, _("Request submitted! Our team will review it soon."))
            url = reverse("requests_community:detail", args=[result.request.pk])
            return redirect(f"{url}?submitted=1" if result.similar else url)
    similar = request_similar(pose_name=request.GET.get("poseName", ""), viewer=request.user,
                              exclude_user=request.user) if request.GET.get("poseName") else []
    return render(request, "requests_community/submit.html", {"form": form, "similar": similar})


@login_required
def mine(request):
    status = request.GET.get("status") if request.GET.get("status") in RequestStatus.values else ""
    qs = request_list_for_user(user=request.user, status=status or None)
    return render(request, "requests_community/mine.html", {
        "page": _page(request, qs),
        "status": status,
        "statuses": RequestStatus.choices,
    })


@login_required
def detail(request, request_id):
    try:
        item = request_get_visible(viewer=request.user, request_id=request_id)
    except DomainError:
        return render(request, "404.html", status=404)
    is_owner = item.user_id == request.user.pk
    similar = (request_similar(pose_name=item.pose_name, viewer=request.user, exclude_user=request.user,
                               exclude_id=item.pk) if is_owner and item.status == RequestStatus.PENDING else [])
    return render(request, "requests_community/detail.html", {
        "item": item,
        "is_owner": is_owner,
        "similar": similar,
        "just_submitted": request.GET.get("submitted") == "1",
    })


@login_required
@require_POST
def vote(request, request_id):
    try:
        rate_limit_check(request=request, scope="vote")
        item = pose_request_toggle_vote(user=request.user, request_id=request_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        text = _("Voted for “%(name)s”.") if item.has_voted else _("Removed your vote from “%(name)s”.")
        messages.success(request, text % {"name": item.pose_name})
    target = safe_redirect_target(request=request, target=request.POST.get("next") or request.GET.get("next"),
                                  fallback=reverse("requests_community:detail", args=[request_id]))
    return redirect(f"{target}#request-{request_id}" if "#" not in target else target)


@login_required
@require_POST
def delete(request, request_id):
    try:
        pose_request_delete(user=request.user, request_id=request_id)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("requests_community:detail", args=[request_id]))
    messages.success(request, _("Request withdrawn."))
    return redirect(reverse("requests_community:mine"))
