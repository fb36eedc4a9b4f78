from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.response import TemplateResponse

from lumiku.accounts.models import User
from lumiku.credits.selectors import credits_balance
from lumiku.credits.services import credits_grant


class GrantCreditsForm(forms.Form):
    amount = forms.IntegerField(min_value=1, max_value=1_000_000)
    reason = forms.CharField(max_length=200, initial="Granted by an administrator")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("-date_joined",)
    list_display = ("email", "name", "role", "balance", "unlimited_pose_active", "enterprise_unlimited", "is_active")
    list_filter = ("role", "is_active", "unlimited_pose_active", "enterprise_unlimited")
    search_fields = ("email", "name")
    readonly_fields = ("date_joined", "last_login", "balance")
    actions = ["grant_credits"]
    fieldsets = (
        (None, {"fields": ("email", "password", "name", "language")}),
        ("Role and access", {"fields": ("role", "is_active", "is_staff", "is_superuser", "groups")}),
        ("Credits", {"fields": ("balance", "enterprise_unlimited")}),
        (
            "Unlimited tier",
            {
                "fields": (
                    "unlimited_pose_active",
                    "unlimited_pose_daily_quota",
                    "unlimited_pose_quota_used",
                    "unlimited_pose_quota_reset_at",
                    "unlimited_pose_expires_at",
                )
            },
        ),
        ("Dates", {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "role")}),)

    @admin.display(description="Credits")
    def balance(self, obj):
        return credits_balance(user_id=obj.pk)

    @admin.action(description="Grant credits to selected users")
    def grant_credits(self, request, queryset):
        form = GrantCreditsForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            token = request.POST.get("grant_token", "")
            for user in queryset:
                credits_grant(
                    user_id=user.pk,
                    amount=form.cleaned_data["amount"],
                    # One form submission grants once per user, even if the admin double-posts.
                    idempotency_key=f"grant:admin:{token}:{user.pk}",
                    reference_type="admin",
                    reference_id=str(request.user.pk),
                    description=form.cleaned_data["reason"],
                )
            self.message_user(
                request, f"Granted {form.cleaned_data['amount']} credits to {queryset.count()} user(s).",
                messages.SUCCESS,
            )
            return None
        import uuid

        return TemplateResponse(
            request,
            "admin/accounts/grant_credits.html",
            {
                **self.admin_site.each_context(request),
                "title": "Grant credits",
                "users": queryset,
                "form": form,
                "grant_token": uuid.uuid4().hex,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )
