"""The header's bell: how many of the signed-in user's notifications are unread."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from lumiku.notifications.selectors import notification_unread_count


def notifications_unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that do not render the header (htmx fragments) run no query.
    return {"nav_unread": SimpleLazyObject(lambda: notification_unread_count(user=user))}
