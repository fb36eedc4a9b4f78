"""The JSON API: Django REST framework, JWT lifetimes and the OpenAPI schema."""

from __future__ import annotations

from datetime import timedelta

from .environment import APP_VERSION, env

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
