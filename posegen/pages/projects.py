"""Projects journey (G3): list with pick mode, create, detail with the avatar check, edit/archive/delete.

Views parse the form, make one call into the same selectors/services as the API and show domain
errors in place on the form.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from lumiku.avatars.selectors import avatar_list
from lumiku.core.errors import DomainError, NotFound
from lumiku.core.forms import form_add_domain_error
from lumiku.core.throttling import rate_limit_check
from posegen.models.choices import AvatarSource, ProjectStatus
from posegen.pages.tray import tray_pose_ids
from posegen.selectors.generations import project_generations
from posegen.selectors.projects import project_get, project_list
from posegen.services.avatar_check import avatar_check_localize
from posegen.services.projects import project_avatar_change, project_create, project_delete, project_update

PAGE_SIZE = 12
GENERATIONS_PAGE_SIZE = 20
STATUS_FILTERS = {
    ProjectStatus.ACTIVE: gettext_lazy("Active"),
    ProjectStatus.ARCHIVED: gettext_lazy("Archived"),
}
# Service field names (the API's camelCase) → the form fields that show their errors.
SERVICE_FIELDS = {"projectName": "project_name", "description": "description", "avatarImage": "avatar_image",
                  "avatarId": "avatar_id", "avatarSource": "avatar_source"}


class AvatarFields(forms.Form):
    """The avatar choice shared by create and edit: upload a photo, or pick a saved avatar."""

    avatar_source = forms.ChoiceField(
        choices=[(AvatarSource.UPLOAD, gettext_lazy("Upload a photo")),
                 (AvatarSource.AVATAR_CREATOR, gettext_lazy("Use a saved avatar"))],
        initial=AvatarSource.UPLOAD, widget=forms.RadioSelect, label=gettext_lazy("Model photo"),
    )
    # Checked by content in the service (image_clean_upload), not by this widget or the file name.
    avatar_image = forms.FileField(required=False, label=gettext_lazy("Photo of your model"),
                                   widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    avatar_id = forms.UUIDField(required=False, label=gettext_lazy("Saved avatar"))


class ProjectDetailsForm(forms.Form):
    project_name = forms.CharField(
        max_length=100, label=gettext_lazy("Project name"),
        widget=forms.TextInput(attrs={"data-testid": "project-name-input", "autocomplete": "off",
                                      "placeholder": gettext_lazy("e.g. Ramadan collection 2025")}),
    )
    description = forms.CharField(
        max_length=500, required=False, label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 3, "data-testid": "project-description-input"}),
    )


class ProjectCreateForm(ProjectDetailsForm, AvatarFields):
    field_order = ["project_name", "description", "avatar_source", "avatar_image", "avatar_id"]


def _owned_project(request, project_id):
    try:
        return project_get(user=request.user, project_id=project_id)
    except NotFound:
        raise Http404 from None


@login_required
def projects(request):
    status = request.GET.get("status")
    status = status if status in STATUS_FILTERS else ProjectStatus.ACTIVE
    pick = request.GET.get("pick") == "1"
    qs = project_list(user=request.user, status=status).annotate(last_generation_at=Max("generations__created_at"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pages/projects/list.html", {
        "page": page, "status": status, "filters": STATUS_FILTERS, "pick": pick,
        "tray_count": len(tray_pose_ids(request=request)) if pick else 0,
    })


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request):
    form = ProjectCreateForm(request.POST or None, request.FILES or None)
    next_step = request.POST.get("next") or request.GET.get("next") or ""
    avatars = list(avatar_list(user=request.user)[:24])
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        try:
            rate_limit_check(request=request, scope="upload")  # the API's counter
            project = project_create(
                user=request.user, project_name=v["project_name"], description=v["description"],
                avatar_source=v["avatar_source"], avatar_image=v.get("avatar_image"), avatar_id=v.get("avatar_id"),
            )
        except DomainError as exc:
            form_add_domain_error(form=form, exc=exc, field_map=SERVICE_FIELDS)
        else:
            messages.success(request, _("Project “%(name)s” created.") % {"name": project.project_name})
            if next_step == "wizard":
                return redirect("pages:wizard", project_id=project.pk)
            return redirect("pages:project_detail", project_id=project.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "pages/projects/new.html", {
        "form": form, "avatars": avatars, "next": "wizard" if next_step == "wizard" else "",
        "tray_count": len(tray_pose_ids(request=request)),
    }, status=status)


@login_required
def project_detail(request, project_id):
    project = _owned_project(request, project_id)
    generations = Paginator(project_generations(project=project), GENERATIONS_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "pages/projects/detail.html", {"project": project, "generations": generations,
                                                          "avatar_check": avatar_check_localize(project.avatar_check)})


@login_required
def project_avatar_check(request, project_id):
    """The avatar check panel alone; htmx polls it every 2 s while the check is pending."""
    project = _owned_project(request, project_id)
    return render(request, "pages/projects/_avatar_check.html",
                  {"project": project, "avatar_check": avatar_check_localize(project.avatar_check)})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, project_id):
    project = _owned_project(request, project_id)
    action = request.POST.get("action", "details") if request.method == "POST" else ""
    details = ProjectDetailsForm(
        request.POST if action == "details" else None,
        initial={"project_name": project.project_name, "description": project.description},
    )
    avatar_form = AvatarFields(request.POST if action == "avatar" else None,
                               request.FILES if action == "avatar" else None)
    try:
        if action == "details" and details.is_valid():
            project_update(project=project, project_name=details.cleaned_data["project_name"],
                           description=details.cleaned_data["description"])
            messages.success(request, _("Project details saved."))
            return redirect("pages:project_detail", project_id=project.pk)
        if action == "avatar" and avatar_form.is_valid():
            v = avatar_form.cleaned_data
            project_avatar_change(project=project, avatar_source=v["avatar_source"],
                                  avatar_image=v.get("avatar_image"), avatar_id=v.get("avatar_id"))
            messages.success(request, _("Model photo changed. We are checking it now."))
            return redirect("pages:project_detail", project_id=project.pk)
        if action in ("archive", "unarchive"):
            target = ProjectStatus.ARCHIVED if action == "archive" else ProjectStatus.ACTIVE
            project_update(project=project, status=target)
            messages.success(request, _("Project archived.") if action == "archive" else _("Project restored."))
            return redirect("pages:project_detail", project_id=project.pk)
    except DomainError as exc:
        form_add_domain_error(form=avatar_form if action == "avatar" else details, exc=exc,
                          field_map=SERVICE_FIELDS)
    status = 400 if request.method == "POST" else 200
    return render(request, "pages/projects/edit.html", {
        "project": project, "details": details, "avatar_form": avatar_form,
        "avatars": list(avatar_list(user=request.user)[:24]), "action": action,
    }, status=status)


@login_required
@require_POST
def project_remove(request, project_id):
    project = _owned_project(request, project_id)
    try:
        project_delete(project=project)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("pages:project_edit", project_id=project.pk)
    messages.success(request, _("Project “%(name)s” deleted.") % {"name": project.project_name})
    return redirect(reverse("pages:projects"))


urlpatterns = [
    path("projects/", projects, name="projects"),
    path("projects/new/", project_new, name="project_new"),
    path("projects/<uuid:project_id>/", project_detail, name="project_detail"),
    path("projects/<uuid:project_id>/avatar-check/", project_avatar_check, name="project_avatar_check"),
    path("projects/<uuid:project_id>/edit/", project_edit, name="project_edit"),
    path("projects/<uuid:project_id>/delete/", project_remove, name="project_delete"),
]
