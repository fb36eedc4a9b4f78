"""Shared by the page tests: a signed-in Django test client, and a clock set to a local time."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings


def local(*args: int) -> datetime:
    """A datetime on the site's clock (TIME_ZONE), e.g. local(2026, 3, 30, 10, 0)."""
    return datetime(*args, tzinfo=ZoneInfo(settings.TIME_ZONE))


@contextmanager
def clock_at(when: datetime):
    """Rows created inside get `when` as their auto_now_add time (Django's clock, not ours, is set)."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def signed_in(client, user):
    client.force_login(user)
    client.user = user
    return client
