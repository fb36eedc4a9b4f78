"""What the products add to the platform's routes: their URL confs, the front page, WebSocket routes and
HTTP fast paths.

Each product registers dotted paths from its AppConfig.ready(); they are imported when first used (the
root URL conf or the ASGI application is built, `/` is requested), so the platform names no product and
registering imports nothing. Registration order is INSTALLED_APPS order.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.utils.module_loading import import_string

_urlconfs: list[tuple[str, str]] = []
_home_page: list[str] = []
_websocket_routes: list[str] = []
_http_wrappers: list[str] = []


def urls_register(*, prefix: str, urlconf: str) -> None:
    """Mount a product's URL conf (a dotted module path) at `prefix` in the root URL conf, after the
    platform's own routes."""
    if (prefix, urlconf) not in _urlconfs:
        _urlconfs.append((prefix, urlconf))


def home_page_register(*, view: str) -> None:
    """The view that answers `/` (named `home`); the last app to register one wins."""
    _home_page.append(view)
    home_page_view.cache_clear()


def websocket_routes_register(*, routes: str) -> None:
    """A list of URL patterns of WebSocket consumers, mounted under the platform's origin and auth checks."""
    if routes not in _websocket_routes:
        _websocket_routes.append(routes)


def asgi_http_wrapper_register(*, wrapper: str) -> None:
    """A callable `wrapper(app) -> app` put in front of Django's HTTP application (a fast path that
    answers some requests before Django, passing the rest on)."""
    if wrapper not in _http_wrappers:
        _http_wrappers.append(wrapper)


def product_urlpatterns() -> list:
    from django.urls import include, path

    return [path(prefix, include(urlconf)) for prefix, urlconf in _urlconfs]


@cache
def home_page_view() -> Callable | None:
    return import_string(_home_page[-1]) if _home_page else None


def websocket_urlpatterns() -> list:
    return [pattern for routes in _websocket_routes for pattern in import_string(routes)]


def asgi_http_application(app):
    """Django's HTTP application behind the registered wrappers (the first registered is outermost)."""
    for wrapper in reversed(_http_wrappers):
        app = import_string(wrapper)(app)
    return app
