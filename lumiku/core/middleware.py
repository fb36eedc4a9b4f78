"""Page middleware: the signed-in user's own language wins over the browser's."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Runs after AuthenticationMiddleware; LocaleMiddleware has already picked a language from the
    cookie / Accept-Language for anonymous visitors, which stays in force for them."""

    # For an anonymous visitor it only sets Content-Language: a layer that answers cached anonymous GETs
    # ahead of Django may replay the headers Django produced instead of running this.
    anonymous_get_headers_only = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in self.allowed:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
