"""The pose selection tray: library poses a user picked while browsing, carried into the wizard.

Kept in the session (server side) so it survives reloads and works without JavaScript. Ids are kept as
strings in pick order; a pose that is later deactivated is filtered out when the tray is read.

Endpoints answer htmx with the updated tray bar plus out-of-band copies of the changed poses' tray
buttons (so a card anywhere on the page flips state), and plain form posts with a redirect back.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lumiku.core.errors import NotFound, ValidationFailed
from lumiku.core.pages import is_htmx, safe_redirect_target
from posegen.models.choices import ProjectStatus
from posegen.selectors.library import library_pose_get, library_poses_by_ids
from posegen.selectors.projects import project_list

TRAY_SESSION_KEY = "pose_tray"
TRAY_MAX = 50
TRAY_BAR_THUMBS = 8  # thumbnails shown in the bar; the count says how many more there are


class TrayFull(ValidationFailed):
    code = "TRAY_FULL"


# ---- the contract (the wizard reads tray_pose_ids) ----------------------------------------------


def tray_pose_ids(*, request) -> list[str]:
    return list(request.session.get(TRAY_SESSION_KEY, []))


def _tray_store(*, request, ids: list[str]) -> None:
    request.session[TRAY_SESSION_KEY] = ids[:TRAY_MAX]


def tray_add(*, request, pose_id: uuid.UUID | str) -> list[str]:
    """Append a pose (no-op when already there); TrayFull when the tray already holds TRAY_MAX."""
    ids = tray_pose_ids(request=request)
    key = str(pose_id)
    if key in ids:
        return ids
    if len(ids) >= TRAY_MAX:
        raise TrayFull(_("Your tray holds up to %(max)d poses. Remove some before adding more.") % {"max": TRAY_MAX})
    ids.append(key)
    _tray_store(request=request, ids=ids)
    return ids


def tray_remove(*, request, pose_id: uuid.UUID | str) -> list[str]:
    ids = [i for i in tray_pose_ids(request=request) if i != str(pose_id)]
    _tray_store(request=request, ids=ids)
    return ids


def tray_clear(*, request) -> None:
    request.session.pop(TRAY_SESSION_KEY, None)


def tray_context(*, request, error: str | None = None) -> dict:
    """What the tray bar shows: the public poses in the tray (pick order) and their count."""
    from posegen.library_i18n import pose_name_for_reader
    from posegen.pages.library.cards import pose_thumb

    rows = library_poses_by_ids(pose_ids=tray_pose_ids(request=request))
    poses = [{"id": row["id"], "name": pose_name_for_reader(row["name"]), "thumb": pose_thumb(row)} for row in rows]
    return {"poses": poses[:TRAY_BAR_THUMBS], "count": len(poses), "more": max(0, len(poses) - TRAY_BAR_THUMBS),
            "max": TRAY_MAX, "error": error}


# ---- views ----------------------------------------------------------------------------------------


def _posted_pose_id(request) -> uuid.UUID:
    try:
        return uuid.UUID(request.POST.get("pose_id", ""))
    except ValueError:
        raise Http404 from None


def _back(request) -> str:
    return safe_redirect_target(request=request, target=request.POST.get("next"), fallback=reverse("pages:library"))


def _respond(request, *, changed: list[str], error: str | None = None, notice: str | None = None):
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        elif notice:
            messages.success(request, notice)
        return redirect(_back(request))
    in_tray = set(tray_pose_ids(request=request))
    return render(request, "pages/library/_tray_update.html", {
        "tray": tray_context(request=request, error=error),
        "toggles": [{"id": pose_id, "in_tray": pose_id in in_tray} for pose_id in changed],
        "next": _back(request),
    })


@login_required
@require_POST
def tray_add_view(request):
    pose_id = _posted_pose_id(request)
    try:
        pose = library_pose_get(pose_id=pose_id, with_detail=False)
    except NotFound:
        raise Http404 from None
    try:
        tray_add(request=request, pose_id=pose_id)
    except TrayFull as exc:
        return _respond(request, changed=[str(pose_id)], error=exc.message)
    return _respond(request, changed=[str(pose_id)], notice=_("“%(name)s” is in your tray.") % {"name": pose["name"]})


@login_required
@require_POST
def tray_remove_view(request):
    pose_id = _posted_pose_id(request)
    tray_remove(request=request, pose_id=pose_id)
    return _respond(request, changed=[str(pose_id)], notice=_("Removed from your tray."))


@login_required
@require_POST
def tray_clear_view(request):
    changed = tray_pose_ids(request=request)
    tray_clear(request=request)
    return _respond(request, changed=changed, notice=_("Your tray is empty now."))


@login_required
@require_GET
def tray_continue(request):
    """Generate with the tray's poses: the wizard needs a project, so create the first, go straight to the
    only one (no pick of a project the shop has no choice about), or pick one of several."""
    if not library_poses_by_ids(pose_ids=tray_pose_ids(request=request)):
        messages.info(request, _("Add poses to your tray first."))
        return redirect("pages:library")
    active = list(project_list(user=request.user, status=ProjectStatus.ACTIVE).values_list("pk", flat=True)[:2])
    if len(active) == 1:
        return redirect("pages:wizard", project_id=active[0])
    if active:
        return redirect(reverse("pages:projects") + "?pick=1")
    return redirect(reverse("pages:project_new") + "?next=wizard")


urlpatterns = [
    path("library/tray/add/", tray_add_view, name="tray_add"),
    path("library/tray/remove/", tray_remove_view, name="tray_remove"),
    path("library/tray/clear/", tray_clear_view, name="tray_clear"),
    path("library/tray/continue/", tray_continue, name="tray_continue"),
]
