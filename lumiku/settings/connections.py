"""The two backing services, each from one URL: PostgreSQL (DATABASE_URL) and Redis (REDIS_URL: the cache
and the channel layer here; Celery's broker in celery.py).

With neither set the app runs embedded (`make run`): SQLite, a local-memory cache and an in-process
channel layer.
"""

from __future__ import annotations

from .environment import VAR_DIR, env

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

# --- Redis: cache and channel layer -------------------------------------------------------------
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
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "lumiku.core.channel_layer.ThreadSafeInMemoryChannelLayer"}}
