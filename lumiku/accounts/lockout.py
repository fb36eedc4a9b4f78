"""Login brute-force protection, shared by the JWT token endpoint and the login page.

Failed logins are counted per email in the cache (Redis in production); at LOGIN_MAX_FAILURES the
email is locked for LOGIN_LOCKOUT_SECONDS from the first failure, whatever password comes next.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from lumiku.core.errors import DomainError


class LoginLocked(DomainError):
    status_code = 429
    code = "LOGIN_LOCKED"

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(
            _("Too many failed logins. Try again in %(minutes)s minute(s) or reset your password.")
            % {"minutes": max(1, retry_after // 60)},
            retryAfter=retry_after,
        )


def _key(email: str) -> str:
    return "login-fail:" + hashlib.sha256((email or "").strip().lower().encode()).hexdigest()


def login_lockout_check(*, email: str) -> None:
    if (cache.get(_key(email)) or 0) >= settings.LOGIN_MAX_FAILURES:
        raise LoginLocked(retry_after=cache.ttl(_key(email)) if hasattr(cache, "ttl") else
                          settings.LOGIN_LOCKOUT_SECONDS)


def login_failure_record(*, email: str) -> None:
    key = _key(email)
    if not cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def login_success_record(*, email: str) -> None:
    cache.delete(_key(email))
