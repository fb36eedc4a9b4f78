"""In-app notifications and their emails. An email is sent only once the transaction commits."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lumiku.core.errors import NotFound
from lumiku.notifications.models import Notification

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """`path` on the public site (`SITE_URL` when configured; otherwise the path itself)."""
    base = getattr(settings, "SITE_URL", "") or ""
    return f"{base.rstrip('/')}{path}" if base and path.startswith("/") else path


def _send_email_now(*, to: str, subject: str, body: str) -> None:
    send_mail(subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[to])


def notification_send(*, user, kind: str, title: str, body: str = "", link: str = "",
                      data: dict[str, Any] | None = None, email: bool = True) -> Notification:
    """Create the in-app notification and, after commit, email it to the user (a failed email is logged,
    never raised: the in-app row is the record)."""
    notification = Notification.objects.create(
        user=user, kind=kind, title=title[:200], body=body, link=link[:500], data=data or {}
    )
    if email and user.email:
        lines = [body] if body else []
        if link:
            lines.append(absolute_url(link))
        message = "\n\n".join([*lines, "— Lumiku Pose Generator"])
        transaction.on_commit(
            lambda: _send_email_now(to=user.email, subject=title, body=message), robust=True
        )
    return notification


def notification_mark_read(*, user, notification_id) -> Notification:
    """Mark one of the user's notifications read (idempotent: the first read time is kept)."""
    notification = Notification.objects.filter(user=user, pk=notification_id).first()
    if notification is None:
        raise NotFound(_("Notification not found."), code="NOTIFICATION_NOT_FOUND")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
