"""Abuse limits: per-user (or per-IP) request rates, login lockout, and which proxies may tell us the
client's address."""

from __future__ import annotations

import ipaddress

import environ

from .environment import env

# Rates are "N/second|minute|hour|day", per user, or per IP when anonymous.
# (bandit B105 takes the "password_reset" key's rate for a hard-coded password.)
RATE_LIMITS = {
    "generate": "30/minute",
    "register": "10/hour",
    "login": "20/minute",
    "password_reset": "5/hour",  # nosec B105
    "pose_request_create": "20/hour",
    "vote": "120/minute",
    "background_change": env.str("POSEGEN_BACKGROUND_RATE", default="10/minute"),  # (its older variable)
    # CPU-heavy requests that cost no credits (issue 18): pose extraction from a photo, text to pose (also the
    # wizard's live preview), re-exports, and photo uploads (projects, avatars, backgrounds and logos).
    "library_extract": "30/hour",
    "text_to_pose": "120/hour",
    "export_regenerate": "60/hour",
    "upload": "60/hour",
    # Each checkout opens a transaction at the payment provider (lumiku.billing).
    "checkout": "20/hour",
    **env.json("RATE_LIMITS", default={}),
}
# Brute-force protection: this many failed logins for one email locks it for LOGIN_LOCKOUT_SECONDS.
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)
# Per-IP limits read X-Forwarded-For only from our own proxies (lumiku/core/client_ip.py): TRUSTED_PROXIES
# lists their addresses or networks (also uvicorn's --forwarded-allow-ips in the Procfile), or NUM_PROXIES
# counts them when nothing else can reach the app. Default: neither, the socket peer is the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise environ.ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network") from None
