"""Logs and metrics: one console handler, readable text here and JSON lines in production."""

from __future__ import annotations

from .environment import env

# "text" (readable, the default here) or "json" (one object per line; production's default).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"text": {"()": "lumiku.core.logging.TextFormatter"},
                   "json": {"()": "lumiku.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": "json" if LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# /metrics: a Prometheus scraper sends `Authorization: Bearer <METRICS_TOKEN>`; staff sessions also see it.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
