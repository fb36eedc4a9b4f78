from django.contrib import admin

from lumiku.core.admin import ReadOnlyAdminMixin
from lumiku.credits.models import LedgerEntry, Wallet


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Credits move only through services."""


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdmin):
    list_display = ("user", "balance", "updated_at")
    search_fields = ("user__email",)
    ordering = ("-updated_at",)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "wallet", "kind", "amount", "balance_after", "reference_type", "reference_id")
    list_filter = ("kind", "reference_type")
    search_fields = ("wallet__user__email", "idempotency_key", "reference_id", "description")
    date_hierarchy = "created_at"
    list_select_related = ("wallet__user",)
