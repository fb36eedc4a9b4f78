"""Buying credits (lumiku.billing) and signed webhooks (lumiku.webhooks; docs/WEBHOOKS.md): providers,
keys (only from the environment; see README), timeouts and retention. Their sweeps run on beat (celery.py)."""

from __future__ import annotations

from .environment import env

PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="midtrans")  # midtrans | xendit
MIDTRANS_SERVER_KEY = env.str("MIDTRANS_SERVER_KEY", default="")
MIDTRANS_SNAP_URL = env.str("MIDTRANS_SNAP_URL", default="https://app.midtrans.com")  # sandbox: app.sandbox.
MIDTRANS_API_URL = env.str("MIDTRANS_API_URL", default="https://api.midtrans.com")  # sandbox: api.sandbox.
XENDIT_SECRET_KEY = env.str("XENDIT_SECRET_KEY", default="")
XENDIT_CALLBACK_TOKEN = env.str("XENDIT_CALLBACK_TOKEN", default="")
XENDIT_API_URL = env.str("XENDIT_API_URL", default="https://api.xendit.co")
PAYMENT_HTTP_TIMEOUT = env.float("PAYMENT_HTTP_TIMEOUT", default=15.0)
# Orders still pending this long are asked about once more (the payment pages of both providers last 24 h
# by default); an order the provider never heard of then expires.
PAYMENT_PENDING_EXPIRE_HOURS = env.float("PAYMENT_PENDING_EXPIRE_HOURS", default=25.0)

# Hosts that may resolve to private addresses and may use http:// (a test's loopback receiver, a private
# deployment's own services); every other endpoint must be https on public addresses.
WEBHOOK_ALLOWED_PRIVATE_HOSTS = env.list("WEBHOOK_ALLOWED_PRIVATE_HOSTS", default=[])
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)  # doubling per attempt
WEBHOOK_RETRY_WINDOW_SECONDS = env.int("WEBHOOK_RETRY_WINDOW_SECONDS", default=24 * 3600)
WEBHOOK_MAX_ENDPOINTS = env.int("WEBHOOK_MAX_ENDPOINTS", default=10)
WEBHOOK_LOG_RETENTION_DAYS = env.int("WEBHOOK_LOG_RETENTION_DAYS", default=30)  # finished deliveries
