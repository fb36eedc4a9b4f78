"""The account page: profile (name, language), balance, the credit ledger and the unlimited tier."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lumiku.accounts.services import user_update_profile
from lumiku.billing.receipts import idr
from lumiku.billing.selectors import orders_of_user
from lumiku.core.errors import DomainError
from lumiku.credits.models import EntryKind
from lumiku.credits.reasons import ledger_reason
from lumiku.credits.selectors import credits_balance, credits_history, credits_unlimited_tier

LEDGER_PAGE_SIZE = 20
KIND_BADGES = {EntryKind.CHARGE: "", EntryKind.REFUND: "badge-ok", EntryKind.GRANT: "badge-brand",
               EntryKind.PURCHASE: "badge-brand", EntryKind.REVERSAL: "badge-warn"}
ORDERS_SHOWN = 20
ORDER_BADGES = {"paid": "badge-ok", "pending": "badge-warn", "refunded": "badge-danger"}


class ProfileForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)


def _tier_view(*, user) -> dict:
    """The selector's tier, with its timestamps as datetimes for display and the quota left."""
    tier = credits_unlimited_tier(user=user)
    return {
        **tier,
        "quotaRemaining": max(tier["dailyQuota"] - tier["quotaUsed"], 0),
        "quotaResetAt": parse_datetime(tier["quotaResetAt"]) if tier["quotaResetAt"] else None,
        "expiresAt": parse_datetime(tier["expiresAt"]) if tier["expiresAt"] else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    user = request.user
    initial = {"name": user.name, "language": user.language}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user_update_profile(user=user, name=form.cleaned_data["name"], language=form.cleaned_data["language"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your profile is saved."))
            response = redirect("pages:account")
            # The cookie too, so the choice also holds on the login page after signing out.
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, max_age=365 * 24 * 3600,
                                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
            return response
    ledger = Paginator(credits_history(user_id=user.pk), LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in ledger:
        entry.badge = KIND_BADGES.get(entry.kind, "")
        entry.description = ledger_reason(kind=entry.kind, reference_type=entry.reference_type,
                                          description=entry.description)  # said in the reader's language
    return render(request, "pages/account/account.html", {
        "form": form,
        "balance": credits_balance(user_id=user.pk),
        "ledger": ledger,
        "tier": _tier_view(user=user),
        "orders": [_order_view(order) for order in orders_of_user(user_id=user.pk)[:ORDERS_SHOWN]],
    })


def _order_view(order):
    order.amount_label = idr(order.amount_idr)
    order.badge = ORDER_BADGES.get(order.status, "")
    return order
