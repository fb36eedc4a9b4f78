"""The notifications list (the header bell), with mark one / mark all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from lumiku.core.errors import NotFound
from lumiku.core.pages import safe_redirect_target
from lumiku.notifications.kinds import notification_for_reader
from lumiku.notifications.selectors import notification_list, notification_unread_count
from lumiku.notifications.services import notification_mark_all_read, notification_mark_read

PAGE_SIZE = 20


def _local_path(request, target: str) -> str | None:
    """Only a path on this site may be followed (notification links and `next` are never trusted)."""
    if target and target.startswith("/"):
        return safe_redirect_target(request=request, target=target, fallback=None)
    return None


@login_required
def notification_index(request):
    unread_only = request.GET.get("filter") == "unread"
    page = Paginator(notification_list(user=request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page"))
    page.object_list = [notification_for_reader(note) for note in page.object_list]  # said in the reader's language
    return render(request, "pages/notifications/notifications.html", {
        "page": page,
        "unread_only": unread_only,
        "unread_count": notification_unread_count(user=request.user),
    })


@login_required
@require_POST
def notification_read(request, notification_id):
    """Mark one read; with `open`, continue to the notification's own link."""
    try:
        notification = notification_mark_read(user=request.user, notification_id=notification_id)
    except NotFound:
        raise Http404 from None
    if request.POST.get("open"):
        target = _local_path(request, notification.link)
        if target:
            return redirect(target)
    return redirect(_local_path(request, request.POST.get("next", "")) or "pages:notifications")


@login_required
@require_POST
def notification_read_all(request):
    changed = notification_mark_all_read(user=request.user)
    messages.success(request, ngettext("%(n)d notification marked as read.", "%(n)d notifications marked as read.",
                                       changed) % {"n": changed})
    return redirect(_local_path(request, request.POST.get("next", "")) or "pages:notifications")
