"""Small request helpers every server-rendered page uses."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def is_htmx(request) -> bool:
    """An htmx request (it wants a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true"


def is_htmx_swap(request) -> bool:
    """An htmx swap; a history restore is an htmx request that needs the whole page."""
    return is_htmx(request) and not request.headers.get("HX-History-Restore-Request")


def safe_redirect_target(*, request, target: str | None, fallback):
    """`target` when it stays on this site (same host, and https when this request is), else `fallback`:
    a `next` field or a stored link is never followed off-site."""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback
