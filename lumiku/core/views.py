"""Platform pages and the fallbacks that keep /api/ errors in the JSON envelope."""

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.shortcuts import render
from django.views.static import serve

from lumiku.core.exception_handler import json_error_response


def home(request):
    return render(request, "home.html")


def media(request, path: str):
    """Local-storage media (embedded and single-host runs). serve() confines the path to MEDIA_ROOT."""
    if settings.STORAGE_BACKEND != "local":
        raise Http404
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation:
        raise Http404 from None
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
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
    return render(request, "500.html", status=500)


def error_403(request, exception=None):
    if _is_api(request):
        return json_error_response(status_code=403, code="FORBIDDEN", message="Forbidden.")
    return render(request, "403.html", status=403)


def error_400(request, exception=None):
    if _is_api(request):
        return json_error_response(status_code=400, code="BAD_REQUEST", message="Bad request.")
    return render(request, "400.html", status=400)
