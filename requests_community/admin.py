"""The moderation queue in Django admin.

Moderators (role moderator/admin, is_staff) may view requests and change their status; every change
goes through the services (state machine, moderation log, notifications) — status, votes and links
are read-only fields here. Bulk approve/reject ask for a note on an intermediate page; the change page
has one button per allowed transition, "Merge into…" and "Create library pose".
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from lumiku.core.admin import ReadOnlyAdminMixin
from lumiku.core.errors import DomainError
from requests_community.forms import CompleteForm, CreatePoseForm, MergeForm, NotesForm
from requests_community.models import (
    PoseRequest,
    PoseRequestTransition,
    PoseRequestVote,
    RequestStatus,
)
from requests_community.selectors import request_stats
from requests_community.services.library import pose_request_create_library_pose
from requests_community.services.moderation import (
    allowed_transitions,
    pose_request_bulk_transition,
    pose_request_merge,
    pose_request_notes_update,
    pose_request_transition,
)

STATUS_COLORS = {
    RequestStatus.PENDING: "#b45309",
    RequestStatus.APPROVED: "#2563eb",
    RequestStatus.IN_PROGRESS: "#7c3aed",
    RequestStatus.COMPLETED: "#15803d",
    RequestStatus.REJECTED: "#6b7280",
}
TRANSITION_LABELS = {
    RequestStatus.APPROVED: "Approve",
    RequestStatus.IN_PROGRESS: "Mark in progress",
    RequestStatus.COMPLETED: "Mark completed",
    RequestStatus.REJECTED: "Reject",
}


def _thumb(file_field, height=48):
    if not file_field:
        return "—"
    return format_html('<img src="{}" style="height:{}px;border-radius:4px" alt="">', file_field.url, height)


class ModeratorAccessMixin:
    """Moderators work the queue without per-model permissions; adding and deleting stay superuser-only."""

    def _is_moderator(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_staff and getattr(request.user, "is_moderator", False))

    def has_module_permission(self, request):
        return self._is_moderator(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._is_moderator(request) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_moderator(request) or super().has_change_permission(request, obj)


class PoseRequestTransitionInline(admin.TabularInline):
    model = PoseRequestTransition
    verbose_name = "moderation log entry"
    verbose_name_plural = "moderation log"
    extra = 0
    can_delete = False
    fields = ("created_at", "actor", "from_status", "to_status", "notes")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return getattr(request.user, "is_moderator", False) or super().has_view_permission(request, obj)


@admin.register(PoseRequest)
class PoseRequestAdmin(ModeratorAccessMixin, admin.ModelAdmin):
    list_display = ("thumb", "pose_name", "status_badge", "votes_count", "user", "category", "use_case",
                    "duplicate_of", "created_at")
    list_display_links = ("pose_name",)
    list_filter = ("status", "use_case", "category")
    search_fields = ("pose_name", "description", "user__email")
    ordering = ("-votes_count", "-created_at")
    list_select_related = ("user", "category", "duplicate_of")
    list_per_page = 50
    fields = ("reference_preview", "pose_name", "description", "user", "category", "use_case", "status",
              "votes_count", "admin_notes", "completed_pose", "duplicate_of", "normalized_name", "created_at",
              "updated_at")
    readonly_fields = ("reference_preview", "pose_name", "description", "user", "category", "use_case", "status",
                       "votes_count", "completed_pose", "duplicate_of", "normalized_name", "created_at",
                       "updated_at")
    inlines = [PoseRequestTransitionInline]
    actions = ["approve_selected", "reject_selected", "mark_in_progress_selected"]
    change_list_template = "requests_community/admin/change_list.html"
    change_form_template = "requests_community/admin/change_form.html"

    def has_add_permission(self, request):
        return False  # requests come from users

    # --- columns -----------------------------------------------------------------------------------

    @admin.display(description="Photo")
    def thumb(self, obj):
        return _thumb(obj.reference_image)

    @admin.display(description="Reference photo")
    def reference_preview(self, obj):
        if not obj.reference_image:
            return "—"
        return format_html('<a href="{0}" target="_blank" rel="noopener"><img src="{0}" '
                           'style="max-height:320px;border-radius:6px" alt=""></a>', obj.reference_image.url)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return format_html('<span style="padding:2px 8px;border-radius:10px;color:#fff;background:{}">{}</span>',
                           STATUS_COLORS.get(obj.status, "#6b7280"), obj.get_status_display())

    # --- statistics on the changelist ------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "request_stats": request_stats(),
                         "status_labels": dict(RequestStatus.choices)}
        return super().changelist_view(request, extra_context=extra_context)

    # --- notes edits go through the service --------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if change and "admin_notes" in form.changed_data:
            pose_request_notes_update(request_id=obj.pk, actor=request.user, notes=obj.admin_notes)

    # --- bulk actions -----------------------------------------------------------------------------

    def _bulk(self, request, queryset, *, to_status: str, action: str, title: str, notes_required: bool):
        form = NotesForm(request.POST if "apply" in request.POST else None, notes_required=notes_required)
        if "apply" in request.POST and form.is_valid():
            result = pose_request_bulk_transition(
                request_ids=list(queryset.values_list("pk", flat=True)), actor=request.user, to_status=to_status,
                notes=form.cleaned_data["notes"] or None,
            )
            if result.changed:
                self.message_user(request, f"{title}: {len(result.changed)} request(s).", messages.SUCCESS)
            for request_id, reason in result.refused:
                name = next((r.pose_name for r in queryset if str(r.pk) == request_id), request_id)
                self.message_user(request, f"Skipped “{name}”: {reason}", messages.WARNING)
            return None
        return TemplateResponse(request, "requests_community/admin/bulk_notes.html", {
            **self.admin_site.each_context(request),
            "title": title,
            "requests": queryset,
            "form": form,
            "action": action,
            "notes_required": notes_required,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        })

    @admin.action(description="Approve selected requests")
    def approve_selected(self, request, queryset):
        return self._bulk(request, queryset, to_status=RequestStatus.APPROVED, action="approve_selected",
                          title="Approve requests", notes_required=False)

    @admin.action(description="Reject selected requests (with a note)")
    def reject_selected(self, request, queryset):
        return self._bulk(request, queryset, to_status=RequestStatus.REJECTED, action="reject_selected",
                          title="Reject requests", notes_required=True)

    @admin.action(description="Mark selected requests in progress")
    def mark_in_progress_selected(self, request, queryset):
        return self._bulk(request, queryset, to_status=RequestStatus.IN_PROGRESS,
                          action="mark_in_progress_selected", title="Mark requests in progress",
                          notes_required=False)

    # --- per-request moderation pages (the buttons on the change page) --------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<uuid:object_id>/transition/<str:to_status>/", wrap(self.transition_view),
                 name="requests_community_poserequest_transition"),
            path("<uuid:object_id>/merge/", wrap(self.merge_view), name="requests_community_poserequest_merge"),
            path("<uuid:object_id>/create-pose/", wrap(self.create_pose_view),
                 name="requests_community_poserequest_create_pose"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {
            "transition_buttons": [
                (status, TRANSITION_LABELS.get(status, status)) for status in allowed_transitions(obj.status)
            ] if obj else [],
            "can_merge": bool(obj and RequestStatus.REJECTED in allowed_transitions(obj.status)),
            "can_create_pose": bool(obj and obj.reference_image and obj.status in (RequestStatus.APPROVED,
                                                                                   RequestStatus.IN_PROGRESS)),
        }
        return super().change_view(request, object_id, form_url, extra_context={**(extra_context or {}), **extra})

    def _page(self, request, obj, *, title: str, form, submit: str):
        return TemplateResponse(request, "requests_community/admin/request_form.html", {
            **self.admin_site.each_context(request),
            "title": title,
            "original": obj,
            "form": form,
            "submit_label": submit,
            "opts": self.model._meta,
            "reference_preview": self.reference_preview(obj),
        })

    def _check(self, request, obj):
        if not self.has_change_permission(request, obj):
            raise PermissionDenied

    def _done(self, obj):
        return redirect(reverse("admin:requests_community_poserequest_change", args=[obj.pk]))

    def transition_view(self, request, object_id, to_status):
        obj = get_object_or_404(PoseRequest, pk=object_id)
        self._check(request, obj)
        if to_status not in TRANSITION_LABELS:
            raise PermissionDenied
        completing = to_status == RequestStatus.COMPLETED
        form_class = CompleteForm if completing else NotesForm
        form = form_class(request.POST or None, notes_required=to_status == RequestStatus.REJECTED)
        if request.method == "POST" and form.is_valid():
            try:
                pose_request_transition(
                    request_id=obj.pk, actor=request.user, to_status=to_status,
                    notes=form.cleaned_data["notes"] or None,
                    completed_pose_id=form.cleaned_data["completed_pose"].pk if completing else None,
                )
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, f"“{obj.pose_name}”: {TRANSITION_LABELS[to_status].lower()} done.",
                                  messages.SUCCESS)
            return self._done(obj)
        return self._page(request, obj, title=f"{TRANSITION_LABELS[to_status]}: {obj.pose_name}", form=form,
                          submit=TRANSITION_LABELS[to_status])

    def merge_view(self, request, object_id):
        obj = get_object_or_404(PoseRequest, pk=object_id)
        self._check(request, obj)
        form = MergeForm(request.POST or None, exclude_id=obj.pk)
        if request.method == "POST" and form.is_valid():
            try:
                result = pose_request_merge(request_id=obj.pk, target_id=form.cleaned_data["target"].pk,
                                            actor=request.user, notes=form.cleaned_data["notes"] or None)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Merged into “{result.target.pose_name}”: {result.votes_moved} vote(s) moved, "
                    f"{result.votes_dropped} already there; it now has {result.target.votes_count}.",
                    messages.SUCCESS,
                )
            return self._done(obj)
        return self._page(request, obj, title=f"Merge “{obj.pose_name}” into another request", form=form,
                          submit="Merge")

    def create_pose_view(self, request, object_id):
        obj = get_object_or_404(PoseRequest, pk=object_id)
        self._check(request, obj)
        initial = {"name": obj.pose_name, "category": obj.category_id, "description": obj.description}
        form = CreatePoseForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                pose = pose_request_create_library_pose(
                    request_id=obj.pk, actor=request.user, name=data["name"], category_id=data["category"].pk,
                    description=data["description"], notes=data["notes"] or None,
                )
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return self._page(request, obj, title=f"Create a library pose from “{obj.pose_name}”", form=form,
                                  submit="Create pose")
            self.message_user(request, f"Library pose “{pose.name}” created; the request is completed.",
                              messages.SUCCESS)
            for warning in getattr(pose, "extraction_warnings", []):
                self.message_user(request, warning, messages.WARNING)
            return self._done(obj)
        return self._page(request, obj, title=f"Create a library pose from “{obj.pose_name}”", form=form,
                          submit="Create pose")


@admin.register(PoseRequestVote)
class PoseRequestVoteAdmin(ReadOnlyAdminMixin, ModeratorAccessMixin, admin.ModelAdmin):
    list_display = ("request", "user", "created_at")
    search_fields = ("request__pose_name", "user__email")
    raw_id_fields = ("request", "user")

    def get_readonly_fields(self, request, obj=None):
        return ("request", "user", "created_at")  # votes change only through the vote services


@admin.register(PoseRequestTransition)
class PoseRequestTransitionAdmin(ReadOnlyAdminMixin, ModeratorAccessMixin, admin.ModelAdmin):
    list_display = ("request", "from_status", "to_status", "actor", "created_at")
    list_filter = ("to_status", "from_status")
    search_fields = ("request__pose_name", "actor__email", "notes")
    list_select_related = ("request", "actor")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in PoseRequestTransition._meta.fields]
