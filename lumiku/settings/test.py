"""Settings for the test suite: the real stack (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import STORAGE_BACKEND

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if STORAGE_BACKEND == "local":
    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="lumiku-test-media-"))
WORKER_HEARTBEAT_INTERVAL = 0.5
WORKER_HEARTBEAT_TTL = 5.0
CREDITS_WELCOME_GRANT = 0
# The suite's default engine is the fast, photo-independent mannequin (tests that need another choose
# it through the `engine` fixture); the offline engine's own tests call it directly.
POSEGEN_ENGINE = "mannequin"
# Threads (workers, consumers) must not keep connections that block dropping the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: worker threads need WAL and the busy timeout to share it.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.mkdtemp(prefix="lumiku-test-db-")) / "test.sqlite3")}
