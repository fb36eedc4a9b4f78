"""Platform pages (`/` hands over to the registered front page, /media) and the fallbacks that keep /api/
errors in the JSON envelope."""

import posixpath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.static import serve

from lumiku.core.exception_handler import json_error_response
from lumiku.core.media import media_access_allowed, media_is_private
from lumiku.routing import home_page_view


def home(request):
    """`/`: the front page the product registered (lumiku.routing.home_page_register); 404 without one."""
    view = home_page_view()
    if view is None:
        raise Http404
    return view(request)


def media(request, path: str):
    """Local-storage media (embedded and single-host runs). serve() confines the path to MEDIA_ROOT; user
    files need their owner's session or a valid signed URL (lumiku/core/media.py), else 404."""
    if settings.STORAGE_BACKEND != "local":
        raise Http404
    # Checked on the path serve() will open: `library/../users/...` is a user file.
    path = posixpath.normpath(path).lstrip("/")
    if path.startswith("..") or not media_access_allowed(request=request, name=path):
        raise Http404
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation:
        raise Http404 from None
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    if media_is_private(path):
        response["Referrer-Policy"] = "no-referrer"  # the signed URL must not leak to other sites
    return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def error_404(request, exception=None):
    if _is_api(request):
        return json_error_response(status_code=404, code="NOT_FOUND", message="Not found.")
    return render(request, "404.html", status=404)


def error_500(request):
    if _is_api(request):
        return json_error_response(status_code=500, code="INTERNAL_ERROR", message="Internal server error.")
    # A plain context: no context processors, so a broken database or cache cannot break the error page.
    return HttpResponseServerError(loader.get_template("500.html").render())


def error_403(request, exception=None):
    if _is_api(request):
        return json_error_response(status_code=403, code="FORBIDDEN", message="Forbidden.")
    return render(request, "403.html", status=403)


def error_400(request, exception=None):
    if _is_api(request):
        return json_error_response(status_code=400, code="BAD_REQUEST", message="Bad request.")
    return render(request, "400.html", status=400)
