"""Files: where user files and static files live (local disk or S3), how long their signed URLs last,
and what an upload may be.

The S3 options are complete before STORAGES is built from them (signed URLs use SigV4: R2 and MinIO
accept nothing older).
"""

from __future__ import annotations

from pathlib import Path

import environ

from .environment import BASE_DIR, VAR_DIR, env

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
            "signature_version": env.str("AWS_S3_SIGNATURE_VERSION", default="s3v4"),
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default=None),
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
