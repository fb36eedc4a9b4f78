"""OpenAPI: our JWT authentication documents itself as simplejwt's bearer scheme (it only refuses more)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class StampedJWTScheme(SimpleJWTScheme):
    target_class = "lumiku.accounts.tokens.StampedJWTAuthentication"
