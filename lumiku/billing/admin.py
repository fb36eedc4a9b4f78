from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from lumiku.billing.models import Order, Product
from lumiku.billing.services import order_record_refund, order_sync_with_provider
from lumiku.core.admin import ReadOnlyAdminMixin
from lumiku.core.errors import DomainError


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "name_id", "credits", "tier_days", "price_idr", "active", "sort_order")
    list_editable = ("active", "sort_order")
    list_filter = ("active",)
    ordering = ("sort_order", "id")

    def has_delete_permission(self, request, obj=None):
        return False  # orders keep pointing at it; switch it off instead (active)


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Orders change only through the services: a notification, or the actions below."""

    list_display = ("created_at", "user", "product_name", "amount_idr", "credits", "tier_days", "status",
                    "provider", "provider_status", "paid_at", "reversal_shortfall")
    list_filter = ("status", "provider", "created_at")
    search_fields = ("id", "user__email", "provider_reference")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    actions = ("recheck_with_provider", "record_refund")

    @admin.action(description=_("Re-check with the provider"))
    def recheck_with_provider(self, request, queryset):
        for order in queryset:
            try:
                order = order_sync_with_provider(order=order)
            except DomainError as exc:
                self.message_user(request, f"{order.pk}: {exc.message}", messages.WARNING)
            else:
                self.message_user(request, f"{order.pk}: {order.status} ({order.provider_status})")

    @admin.action(description=_("Record a refund (takes back what is left of the credits)"))
    def record_refund(self, request, queryset):
        for order in queryset:
            try:
                order = order_record_refund(order=order)
            except DomainError as exc:
                self.message_user(request, f"{order.pk}: {exc.message}", messages.WARNING)
            else:
                self.message_user(request, f"{order.pk}: {order.status}, {order.credits_reversed} taken back, "
                                           f"shortfall {order.reversal_shortfall}")
