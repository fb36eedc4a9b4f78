"""Settings shared by every environment. Every value comes from the environment.

With no DATABASE_URL / REDIS_URL the app runs embedded: SQLite, an in-process Celery broker and an
in-process channel layer (see `make run`). With them set it runs on PostgreSQL (psycopg 3) and Redis.
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("LUMIKU_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")


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
APP_VERSION = "1.0.0"

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE transactions: the embedded worker thread and the web thread write concurrently.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    # Under ASGI every request runs in its own thread: persistent per-thread connections would pile up
    # until PostgreSQL refuses more. A per-process psycopg pool (Django's native pooling, which needs
    # CONN_MAX_AGE=0) reuses connections safely; DATABASE_POOL=false falls back to plain connections.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if env.bool("DATABASE_POOL", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=1),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# --- Redis: broker, results, channel layer, cache -----------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
EMBEDDED = not REDIS_URL

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lumiku",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 reads with a 5 s socket timeout by default, the same 5 s that channels_redis
            # blocks in BZPOPMIN waiting for messages: an idle socket's reply then lands just after the
            # timeout under load and the consumer dies (bench/bench_websockets.py, 500 clients).
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}], "prefix": "lumiku:asgi"},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "lumiku.core.channel_layer.ThreadSafeInMemoryChannelLayer"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = None

# --- Celery -------------------------------------------------------------------------------------
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Hard limits stay below the visibility timeout so a task is never re-delivered while still running.
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=900)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
    if REDIS_URL
    else {"polling_interval": 0.1}
)
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=3.0)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE: dict = {}
WORKER_HEARTBEAT_INTERVAL = env.float("WORKER_HEARTBEAT_INTERVAL", default=10.0)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING (JSON in production) like the web
# /metrics: a Prometheus scraper sends `Authorization: Bearer <METRICS_TOKEN>`; staff sessions also see it.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
WORKER_HEARTBEAT_TTL = env.float("WORKER_HEARTBEAT_TTL", default=35.0)

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

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # JWT first: its WWW-Authenticate header makes anonymous API calls a 401, not a 403. Ours refuses
        # tokens issued before a password change or "log out everywhere", and revoked refresh families.
        "lumiku.accounts.tokens.StampedJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "lumiku.core.parsers.SafeJSONParser",  # deep nesting is a 400, not a RecursionError
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "lumiku.core.exception_handler.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lumiku Pose Generator API",
    "DESCRIPTION": ("Pose library, projects, generation, exports and community requests.\n\n"
                    "Live progress: the WebSocket `/ws/pose-generator/?ticket=...` (every event and its fields under "
                    "`POST /api/apps/pose-generator/ws-ticket`; docs/WEBSOCKETS.md). Signed callbacks: "
                    "`/api/webhooks` (docs/WEBHOOKS.md)."),
    "VERSION": APP_VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI assets are served from our own static files: the app must work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "lumiku.core.schema.add_error_envelope",
    ],
}

# --- Files --------------------------------------------------------------------------------------
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="local")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it to exist
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True

if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=True),
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=3600),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
elif STORAGE_BACKEND == "local":
    # User files get short-lived signed URLs, like S3's presigned ones (lumiku/core/media.py).
    _default_storage = {"BACKEND": "lumiku.core.media.SignedFileSystemStorage"}
else:
    raise environ.ImproperlyConfigured("STORAGE_BACKEND must be 'local' or 's3'")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Extra origins pages may load images from (lumiku/core/csp.py); with S3 the endpoint's origin by default.
CSP_MEDIA_ORIGINS = env.list("CSP_MEDIA_ORIGINS", default=[])
# Local storage: how long a signed /media URL for a user's file stays valid (at least; up to 10 min more).
MEDIA_URL_EXPIRE_SECONDS = env.int("MEDIA_URL_EXPIRE_SECONDS", default=3600)
# Before a deleted object's file is removed, each of these says which of the names something still uses.
STORAGE_REFERENCE_CHECKS = [
    "lumiku.avatars.selectors.avatar_images_in_use",
    "posegen.selectors.projects.project_images_in_use",
]

# Uploads: every image is decoded and re-encoded; these bound what a client may send.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=15 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)
UPLOAD_MAX_SIDE = env.int("UPLOAD_MAX_SIDE", default=12_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Product ------------------------------------------------------------------------------------
CREDITS_WELCOME_GRANT = env.int("CREDITS_WELCOME_GRANT", default=300)
# Overrides for app credit prices, e.g. CREDIT_PRICE_OVERRIDES='{"pose-generator": {"backgroundChanger": 12}}'
CREDIT_PRICE_OVERRIDES = env.json("CREDIT_PRICE_OVERRIDES", default={})
LUMIKU_APPS = ["posegen.plugin.POSE_GENERATOR_APP"]
DEMO_USER_EMAIL = env.str("DEMO_USER_EMAIL", default="demo@lumiku.local")
DEMO_USER_PASSWORD = env.str("DEMO_USER_PASSWORD", default="lumiku-demo-2026")
DEMO_USER_CREDITS = env.int("DEMO_USER_CREDITS", default=5000)

# --- Buying credits (lumiku.billing); keys only from the environment, see README -----------------
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="midtrans")  # midtrans | xendit
MIDTRANS_SERVER_KEY = env.str("MIDTRANS_SERVER_KEY", default="")
MIDTRANS_SNAP_URL = env.str("MIDTRANS_SNAP_URL", default="https://app.midtrans.com")  # sandbox: app.sandbox.
MIDTRANS_API_URL = env.str("MIDTRANS_API_URL", default="https://api.midtrans.com")  # sandbox: api.sandbox.
XENDIT_SECRET_KEY = env.str("XENDIT_SECRET_KEY", default="")
XENDIT_CALLBACK_TOKEN = env.str("XENDIT_CALLBACK_TOKEN", default="")
XENDIT_API_URL = env.str("XENDIT_API_URL", default="https://api.xendit.co")
PAYMENT_HTTP_TIMEOUT = env.float("PAYMENT_HTTP_TIMEOUT", default=15.0)
# Absolute links in e-mails (receipts) and the provider's return URL when there is no request.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# A storage folder of before/after pairs of real results the operator owns, shown on the landing page
# (<name>-before.jpg and <name>-after.jpg); unset: seller poses from the library instead.
LANDING_SHOWCASE_DIR = env.str("LANDING_SHOWCASE_DIR", default="")
# Orders still pending this long are asked about once more (the payment pages of both providers last 24 h
# by default); an order the provider never heard of then expires. The sweep runs on beat.
PAYMENT_PENDING_EXPIRE_HOURS = env.float("PAYMENT_PENDING_EXPIRE_HOURS", default=25.0)

# --- i18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", "English"), ("id", "Bahasa Indonesia")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Jakarta")
USE_I18N = True
USE_TZ = True

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Lumiku <no-reply@lumiku.local>")

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

# --- Pose generation pipeline -------------------------------------------------------------------
# offline: the avatar photo itself re-posed on a CPU (no GPU, no key); mannequin stays selectable.
POSEGEN_ENGINE = env.str("POSEGEN_ENGINE", default="offline")
POSEGEN_OUTPUT_WIDTH = env.int("POSEGEN_OUTPUT_WIDTH", default=1024)
POSEGEN_OUTPUT_HEIGHT = env.int("POSEGEN_OUTPUT_HEIGHT", default=1536)
POSEGEN_ENGINE_MAX_ATTEMPTS = env.int("POSEGEN_ENGINE_MAX_ATTEMPTS", default=3)  # per image, transient errors
POSEGEN_RETRY_BACKOFF_SECONDS = env.float("POSEGEN_RETRY_BACKOFF_SECONDS", default=2.0)
POSEGEN_STALE_AFTER_SECONDS = env.int("POSEGEN_STALE_AFTER_SECONDS", default=600)  # no progress for this long
POSEGEN_MAX_ENQUEUE_ATTEMPTS = env.int("POSEGEN_MAX_ENQUEUE_ATTEMPTS", default=3)  # then fail and refund
# A claimed image whose worker vanished may be taken over after this (above the task hard limit).
POSEGEN_CLAIM_LEASE_SECONDS = env.int("POSEGEN_CLAIM_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
POSEGEN_ESTIMATED_SECONDS_PER_IMAGE = env.float("POSEGEN_ESTIMATED_SECONDS_PER_IMAGE", default=1.5)
CELERY_TASK_ROUTES = {
    "posegen.tasks.pose_generate": {"queue": "engine"},
    "posegen.tasks.*": {"queue": "default"},
}
CELERY_BEAT_SCHEDULE = {
    "posegen-sweep-stale-generations": {
        "task": "posegen.tasks.generation_sweep_stale",
        "schedule": env.float("POSEGEN_SWEEP_INTERVAL_SECONDS", default=60.0),
    },
}
CELERY_BEAT_SCHEDULE["accounts-purge-refresh-families"] = {
    "task": "lumiku.accounts.tasks.refresh_families_purge",
    "schedule": 24 * 3600.0,
}
CELERY_BEAT_SCHEDULE["billing-sweep-pending-orders"] = {
    "task": "lumiku.billing.tasks.orders_sweep_pending",
    "schedule": env.float("PAYMENT_SWEEP_INTERVAL_SECONDS", default=900.0),
}

# --- Signed webhooks (lumiku/webhooks; docs/WEBHOOKS.md) -----------------------------------------
# Hosts that may resolve to private addresses and may use http:// (a test's loopback receiver, a private
# deployment's own services); every other endpoint must be https on public addresses.
WEBHOOK_ALLOWED_PRIVATE_HOSTS = env.list("WEBHOOK_ALLOWED_PRIVATE_HOSTS", default=[])
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)  # doubling per attempt
WEBHOOK_RETRY_WINDOW_SECONDS = env.int("WEBHOOK_RETRY_WINDOW_SECONDS", default=24 * 3600)
WEBHOOK_MAX_ENDPOINTS = env.int("WEBHOOK_MAX_ENDPOINTS", default=10)
WEBHOOK_LOG_RETENTION_DAYS = env.int("WEBHOOK_LOG_RETENTION_DAYS", default=30)  # finished deliveries
CELERY_BEAT_SCHEDULE["webhooks-deliveries-sweep"] = {
    "task": "lumiku.webhooks.tasks.webhook_deliveries_sweep",
    "schedule": env.float("WEBHOOK_SWEEP_INTERVAL_SECONDS", default=15.0),
}

# --- Diffusion engines (POSEGEN_ENGINE = comfyui | diffusers | bfl | fal); see README ------------
# Shared HTTP behaviour of the remote engines: timeouts (seconds) and in-call retries with backoff.
ENGINE_HTTP_TIMEOUT = env.float("ENGINE_HTTP_TIMEOUT", default=60.0)
ENGINE_HTTP_CONNECT_TIMEOUT = env.float("ENGINE_HTTP_CONNECT_TIMEOUT", default=10.0)
ENGINE_HTTP_RETRIES = env.int("ENGINE_HTTP_RETRIES", default=3)
ENGINE_HTTP_BACKOFF_SECONDS = env.float("ENGINE_HTTP_BACKOFF_SECONDS", default=1.0)
ENGINE_HTTP_BACKOFF_CAP_SECONDS = env.float("ENGINE_HTTP_BACKOFF_CAP_SECONDS", default=30.0)
# Whole-image deadline for polling engines; below CELERY_TASK_SOFT_TIME_LIMIT.
ENGINE_GENERATION_TIMEOUT = env.float("ENGINE_GENERATION_TIMEOUT", default=300.0)
ENGINE_POLL_INTERVAL_SECONDS = env.float("ENGINE_POLL_INTERVAL_SECONDS", default=1.0)
# ComfyUI: one or several servers (round-robin), at most COMFYUI_MAX_CONCURRENCY prompts per server
# from each worker process; an operator's own API-format workflow may replace the default one.
COMFYUI_URLS = env.list("COMFYUI_URLS", default=["http://127.0.0.1:8188"])
COMFYUI_MAX_CONCURRENCY = env.int("COMFYUI_MAX_CONCURRENCY", default=1)
COMFYUI_WORKFLOW_PATH = env.str("COMFYUI_WORKFLOW_PATH", default="")  # empty: COMFYUI_MODEL's bundled one
COMFYUI_BACKGROUND_WORKFLOW_PATH = env.str("COMFYUI_BACKGROUND_WORKFLOW_PATH", default="")
COMFYUI_UNION_TYPE = env.str("COMFYUI_UNION_TYPE", default="auto")  # not "openpose": ComfyUI issue #4823
COMFYUI_API_KEY = env.str("COMFYUI_API_KEY", default="")  # sent as Authorization: Bearer, behind a proxy
COMFYUI_COST_PER_IMAGE_USD = env.float("COMFYUI_COST_PER_IMAGE_USD", default=0.0)
# The bundled workflows: flux2-klein (FLUX.2 [klein] 4B, Apache-2.0), qwen-image-edit (Apache-2.0) or flux1-dev
# (FLUX.1 [dev] Non-Commercial License). Workflows with custom nodes: the server's /object_info JSON here.
COMFYUI_MODEL = env.str("COMFYUI_MODEL", default="flux2-klein")
COMFYUI_NODE_DEFINITIONS_PATH = env.str("COMFYUI_NODE_DEFINITIONS_PATH", default="")
# Black Forest Labs API (x-key). Pose control by multi-reference editing (avatar + pose map).
BFL_API_KEY = env.str("BFL_API_KEY", default="")
BFL_API_URL = env.str("BFL_API_URL", default="https://api.bfl.ai")
BFL_MODEL = env.str("BFL_MODEL", default="flux-2-pro")
BFL_BACKGROUND_MODEL = env.str("BFL_BACKGROUND_MODEL", default="flux-2-pro")
BFL_ALLOWED_HOSTS = env.list("BFL_ALLOWED_HOSTS", default=[".bfl.ai", ".bfl.ml"])  # polling + result hosts
BFL_SAFETY_TOLERANCE = env.int("BFL_SAFETY_TOLERANCE", default=2)
BFL_COST_PER_IMAGE_USD = env.float("BFL_COST_PER_IMAGE_USD", default=0.05)  # when the reply states none
# fal.ai queue API (Authorization: Key ...): flux-general with a union ControlNet (pose) + IP-adapter.
FAL_KEY = env.str("FAL_KEY", default="")
FAL_QUEUE_URL = env.str("FAL_QUEUE_URL", default="https://queue.fal.run")
FAL_MODEL = env.str("FAL_MODEL", default="fal-ai/flux-2/klein/4b/edit")  # fal-ai/flux-general: FLUX.1-dev
FAL_BACKGROUND_MODEL = env.str("FAL_BACKGROUND_MODEL", default="fal-ai/flux-2/klein/4b")
FAL_ALLOWED_HOSTS = env.list("FAL_ALLOWED_HOSTS", default=["queue.fal.run", ".fal.media", ".fal.run"])
FAL_COST_PER_MEGAPIXEL_USD = env.float("FAL_COST_PER_MEGAPIXEL_USD", default=0.01)  # klein 4B edit, fal pricing
FAL_CONTROLNET_UNION_PATH = env.str("FAL_CONTROLNET_UNION_PATH",
                                    default="Shakker-Labs/FLUX.1-dev-ControlNet-Union-Pro")
FAL_IP_ADAPTER_PATH = env.str("FAL_IP_ADAPTER_PATH", default="XLabs-AI/flux-ip-adapter")
FAL_IP_ADAPTER_SCALE = env.float("FAL_IP_ADAPTER_SCALE", default=0.7)
# diffusers in the engine worker (GPU): local model folders only, loaded once per worker process.
DIFFUSERS_FLUX_PATH = env.str("DIFFUSERS_FLUX_PATH", default="")  # FLUX.1-dev in diffusers layout
DIFFUSERS_CONTROLNET_PATH = env.str("DIFFUSERS_CONTROLNET_PATH", default="")  # FLUX.1-dev-ControlNet-Union-Pro
DIFFUSERS_DEVICE = env.str("DIFFUSERS_DEVICE", default="")  # empty: cuda when available, else cpu
DIFFUSERS_DTYPE = env.str("DIFFUSERS_DTYPE", default="bfloat16")
DIFFUSERS_STEPS = env.int("DIFFUSERS_STEPS", default=0)  # 0: the pipeline's own (klein 4, qwen 40, flux1 28)
DIFFUSERS_GUIDANCE = env.float("DIFFUSERS_GUIDANCE", default=0.0)  # 0: the pipeline's own (1.0, 4.0, 3.5)
DIFFUSERS_CPU_OFFLOAD = env.bool("DIFFUSERS_CPU_OFFLOAD", default=False)
DIFFUSERS_COST_PER_IMAGE_USD = env.float("DIFFUSERS_COST_PER_IMAGE_USD", default=0.0)

# --- Background changer and exports (issue 7) ---------------------------------------------------
POSEGEN_BACKGROUND_MAX_ATTEMPTS = env.int("POSEGEN_BACKGROUND_MAX_ATTEMPTS", default=3)  # transient errors
# Finished jobs are purged by beat after this long (spec 003 §4; the issue asks 7 days for both).
POSEGEN_BACKGROUND_JOB_KEEP_COMPLETED_HOURS = env.float("POSEGEN_BACKGROUND_JOB_KEEP_COMPLETED_HOURS", default=7 * 24)
POSEGEN_BACKGROUND_JOB_KEEP_FAILED_HOURS = env.float("POSEGEN_BACKGROUND_JOB_KEEP_FAILED_HOURS", default=7 * 24)
CELERY_BEAT_SCHEDULE["posegen-purge-background-jobs"] = {
    "task": "posegen.tasks.background_jobs_purge",
    "schedule": env.float("POSEGEN_BACKGROUND_PURGE_INTERVAL_SECONDS", default=3600.0),
}
CELERY_TASK_ROUTES["posegen.tasks.background_change"] = {"queue": "export"}
CELERY_TASK_ROUTES["posegen.tasks.pose_export"] = {"queue": "export"}

# --- Rate limits (per user, or per IP when anonymous); "N/second|minute|hour|day" ----------------
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
if STORAGE_BACKEND == "s3":  # signed URLs with SigV4: R2 and MinIO accept nothing older
    _default_storage["OPTIONS"]["signature_version"] = env.str("AWS_S3_SIGNATURE_VERSION", default="s3v4")
    _default_storage["OPTIONS"]["addressing_style"] = env.str("AWS_S3_ADDRESSING_STYLE", default=None)

# Optional avatar identity for the diffusers engine: XLabs flux-ip-adapter + a CLIP ViT-L/14 folder.
DIFFUSERS_IP_ADAPTER_PATH = env.str("DIFFUSERS_IP_ADAPTER_PATH", default="")
DIFFUSERS_IMAGE_ENCODER_PATH = env.str("DIFFUSERS_IMAGE_ENCODER_PATH", default="")
DIFFUSERS_IP_ADAPTER_SCALE = env.float("DIFFUSERS_IP_ADAPTER_SCALE", default=0.7)
# Issue 21: the default studio model is one a business may use (Apache-2.0): FLUX.2 [klein] 4B as a
# multi-reference edit (avatar + pose reference + prompt); qwen-image-edit (Qwen-Image-Edit-2509, Apache-2.0)
# likewise; flux1-controlnet is the FLUX.1-dev + union ControlNet pipeline (FLUX.1 [dev] Non-Commercial License).
DIFFUSERS_PIPELINE = env.str("DIFFUSERS_PIPELINE", default="flux2-klein")  # or qwen-image-edit, flux1-controlnet
DIFFUSERS_MODEL_PATH = env.str("DIFFUSERS_MODEL_PATH", default="")  # the edit model's folder (diffusers layout)
# What the edit models see as the target pose: "mannequin" (a clothed studio mannequin in the avatar's colours,
# the clearer reference) or "skeleton" (the OpenPose map).
POSEGEN_POSE_REFERENCE = env.str("POSEGEN_POSE_REFERENCE", default="mannequin")
# shoot: every pose of a generation is sampled with the generation's seed (+ the variation index), so the
# studio models keep the same person and garment across the shoot; per_image: one seed per image.
POSEGEN_SEED_POLICY = env.str("POSEGEN_SEED_POLICY", default="shoot")
