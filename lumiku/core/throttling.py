"""Rate limits: one scoped throttle whose rates live in settings.RATE_LIMITS (env-overridable),
counted in the default cache (Redis in production). A refusal is the 429 error envelope with
Retry-After (see the exception handler).

Rates are read on every check rather than at import time, so operators and tests can change them.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.utils.translation import ngettext
from rest_framework.throttling import SimpleRateThrottle

from lumiku.core.client_ip import client_ip
from lumiku.core.errors import RateLimited


class ScopedRateLimit(SimpleRateThrottle):
    """Per user (or per client IP when anonymous) and per view `throttle_scope`."""

    def __init__(self) -> None:  # SimpleRateThrottle reads its rate here; ours comes per request
        pass

    def allow_request(self, request, view):
        methods = getattr(view, "throttle_methods", None)
        if methods and request.method not in methods:
            return True
        self.scope = getattr(view, "throttle_scope", None)
        self.rate = settings.RATE_LIMITS.get(self.scope) if self.scope else None
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request) -> str:
        # DRF's own get_ident trusts X-Forwarded-For from anyone when NUM_PROXIES is unset.
        return client_ip(request)

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return f"ratelimit:{self.scope}:{ident}"


def rate_limited(scope: str, *, methods: tuple[str, ...] | None = None):
    """Class decorator: `@rate_limited("generate")` on an APIView (optionally only some methods)."""

    def apply(view_class):
        view_class.throttle_scope = scope
        view_class.throttle_methods = methods
        view_class.throttle_classes = [*getattr(view_class, "throttle_classes", []), ScopedRateLimit]
        return view_class

    return apply


class _PageView:
    """Stands in for an APIView so server-rendered pages share the API's scopes, rates and counters."""

    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope
        self.throttle_methods = None


def rate_limit_wait(*, request, scope: str) -> int | None:
    """Count one attempt of a page form against `scope`; None when allowed, else the seconds to wait."""
    throttle = ScopedRateLimit()
    if throttle.allow_request(request, _PageView(scope)):
        return None
    return max(1, round(throttle.wait() or 1))


def rate_limit_message(*, wait: float) -> str:
    """The API's 429 message in the active language. DRF's own Throttled text formats the number before the
    catalogue lookup, so its second sentence never translates; the English here is DRF's, word for word."""
    seconds = math.ceil(wait)
    return ngettext("Request was throttled. Expected available in %(wait)s second.",
                    "Request was throttled. Expected available in %(wait)s seconds.", seconds) % {"wait": seconds}


def rate_limit_check(*, request, scope: str) -> None:
    """For page actions that call a service: count one attempt against `scope` (the API's counter) and
    raise RateLimited, which the page shows in place like any other refusal, before anything is charged."""
    wait = rate_limit_wait(request=request, scope=scope)
    if wait is not None:
        raise RateLimited(rate_limit_message(wait=wait), retryAfter=wait)
