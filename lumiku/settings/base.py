"""Settings shared by every environment. Every value comes from the environment.

This module holds what the whole site is (apps, middleware, templates, accounts, languages, mail, the
product's grants) and imports one module per concern, each of which sets its own names once:

- connections.py  PostgreSQL and Redis (DATABASE_URL, REDIS_URL; the cache and the channel layer)
- celery.py       the broker, task limits, queue routes and the one beat schedule
- storage.py      local or S3 files, static files, upload limits
- api.py          REST framework, JWT, the OpenAPI schema
- security.py     rate limits, login lockout, trusted proxies
- logging.py      log format and /metrics
- engines.py      which image engine runs and every engine's own settings
- pose_generator.py  the pose generator's jobs (sizes, retries, claims, retention)
- payments.py     buying credits and signed webhooks

With no DATABASE_URL / REDIS_URL the app runs embedded: SQLite, an in-process Celery broker and an
in-process channel layer (see `make run`). With them set it runs on PostgreSQL (psycopg 3) and Redis.
test.py, bench.py and production.py start from everything here.
"""

from __future__ import annotations

import secrets

from .api import *  # noqa: F403
from .celery import *  # noqa: F403
from .connections import *  # noqa: F403
from .engines import *  # noqa: F403
from .environment import *  # noqa: F403
from .environment import BASE_DIR, VAR_DIR, env
from .logging import *  # noqa: F403
from .payments import *  # noqa: F403
from .pose_generator import *  # noqa: F403
from .security import *  # noqa: F403
from .storage import *  # noqa: F403


def _local_secret_key() -> str:
    """A per-checkout key for local runs, so no secret is ever committed; production requires SECRET_KEY."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "lumiku.core",
    "lumiku.accounts",
    "lumiku.credits",
    "lumiku.avatars",
    "lumiku.webhooks",
    "lumiku.billing",
    "lumiku.notifications",
    "posegen",
    "requests_community",
]

MIDDLEWARE = [
    "lumiku.core.request_id.RequestIdMiddleware",  # outermost: every log line of the request has its id
    "lumiku.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lumiku.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lumiku.core.middleware.UserLanguageMiddleware",
    "lumiku.core.request_guards.RejectNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lumiku.urls"
WSGI_APPLICATION = "lumiku.wsgi.application"
ASGI_APPLICATION = "lumiku.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lumiku.core.context_processors.account_summary",
                "lumiku.notifications.context_processors.notifications_unread",
            ],
        },
    },
]

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Product ------------------------------------------------------------------------------------
CREDITS_WELCOME_GRANT = env.int("CREDITS_WELCOME_GRANT", default=300)
# Overrides for app credit prices, e.g. CREDIT_PRICE_OVERRIDES='{"pose-generator": {"backgroundChanger": 12}}'
CREDIT_PRICE_OVERRIDES = env.json("CREDIT_PRICE_OVERRIDES", default={})
LUMIKU_APPS = ["posegen.plugin.POSE_GENERATOR_APP"]
DEMO_USER_EMAIL = env.str("DEMO_USER_EMAIL", default="demo@lumiku.local")
DEMO_USER_PASSWORD = env.str("DEMO_USER_PASSWORD", default="lumiku-demo-2026")
DEMO_USER_CREDITS = env.int("DEMO_USER_CREDITS", default=5000)
# Absolute links in e-mails (receipts) and the payment provider's return URL when there is no request.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# A storage folder of before/after pairs of real results the operator owns, shown on the landing page
# (<name>-before.jpg and <name>-after.jpg); unset: seller poses from the library instead.
LANDING_SHOWCASE_DIR = env.str("LANDING_SHOWCASE_DIR", default="")

# --- i18n and mail ------------------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", "English"), ("id", "Bahasa Indonesia")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Jakarta")
USE_I18N = True
USE_TZ = True

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Lumiku <no-reply@lumiku.local>")
