"""A figure every page's header shows: the credit balance (the bell's count: lumiku.notifications)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def account_summary(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def balance():
        from lumiku.credits.selectors import credits_balance

        return credits_balance(user_id=user.pk)

    # Lazy: pages that do not render the header (htmx fragments) run no query.
    return {"nav_balance": SimpleLazyObject(balance)}
