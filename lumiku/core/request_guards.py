"""NUL characters in the query string are a 400, not a 500: PostgreSQL text cannot hold NUL, so a
search for one crashed the query. (Deep JSON: lumiku/core/parsers.py; bodies over
DATA_UPLOAD_MAX_MEMORY_SIZE: a 413 in the exception handler.)"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from lumiku.core.exception_handler import json_error_response


class RejectNulMiddleware:
    """A NUL in a query-string name or value is never meaningful: refuse the request up front. Placed after
    the language and user middleware, so the 400 page speaks the reader's language."""

    # A request it refuses never has a cached page (a NUL fails every cached query's validation first),
    # so a layer that answers cached anonymous GETs ahead of Django may skip it.
    anonymous_get_headers_only = True

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            message = _("The address contains a NUL character.")
            if request.path.startswith("/api/"):
                return json_error_response(status_code=400, code="BAD_REQUEST", message=message)
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)
