"""Figures every page's header shows: the credit balance and unread notifications."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def account_summary(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def balance():
        from lumiku.credits.selectors import credits_balance

        return credits_balance(user_id=user.pk)

    def unread():
        from lumiku.notifications.selectors import notification_unread_count

        return notification_unread_count(user=user)

    # Lazy: pages that do not render the header (htmx fragments) run no query.
    return {"nav_balance": SimpleLazyObject(balance), "nav_unread": SimpleLazyObject(unread)}
