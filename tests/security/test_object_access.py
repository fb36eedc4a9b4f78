"""Object-level access, generated from the URL conf so every new API route is covered.

- Anonymous: every /api/ route answers 401, except the deliberate public ones (PUBLIC_ROUTES; a
  route that opens itself to anonymous users without being listed there fails the test).
- Another user: every route that names one of *your* objects in its path answers 404 to someone else
  — never 403 (which would confirm the object exists), never 200. A route parameter this test does
  not know fails the test until it is taught how to make an object of that kind.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny

from tests.factories import AvatarFactory, GenerationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC_ROUTES = {
    "api/auth/register", "api/auth/token", "api/auth/token/refresh", "api/apps", "api/apps/pose-generator/health",
    "api/schema/", "api/docs/",
    # The pose catalogue is browsable before signing up (favourites and extraction need an account).
    "api/apps/pose-generator/library", "api/apps/pose-generator/library/<uuid:pose_id>",
    "api/apps/pose-generator/library/<uuid:pose_id>/openpose.json", "api/apps/pose-generator/categories",
    # What can be bought is public; the payment providers' notifications are verified by signature/token.
    "api/credits/products", "api/payments/midtrans/notification", "api/payments/xendit/callback",
}
# Routes on which another user's object is visible or usable by design, with the reason.
SHARED_BY_DESIGN = {
    ("api/apps/pose-generator/requests/<uuid:request_id>", "get"): "open requests are on the public board",
    ("api/apps/pose-generator/requests/<uuid:request_id>/vote", "post"): "anyone may vote for an open request",
    ("api/apps/pose-generator/requests/<uuid:request_id>/vote", "delete"): "taking back your own vote",
}
MODERATOR_PREFIX = "api/apps/pose-generator/admin/"
# Valid bodies, so that the ownership check, not input validation, decides the answer.
BODIES = {
    "api/apps/pose-generator/poses/<uuid:pose_id>/background": {"backgroundMode": "solid_color",
                                                                 "backgroundColor": "#FFFFFF"},
    "api/apps/pose-generator/generations/<uuid:generation_id>/background": {"backgroundMode": "solid_color",
                                                                             "backgroundColor": "#FFFFFF"},
    "api/apps/pose-generator/poses/<uuid:pose_id>/regenerate-export": {"format": "instagram_feed"},
    "api/apps/pose-generator/admin/pose-requests/<uuid:request_id>/reject": {"adminNotes": "no"},
}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def api_routes():
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        view = getattr(pattern.callback, "view_class", None)
        if not route.startswith("api/") or view is None:
            continue
        methods = [m for m in METHODS if hasattr(view, m)]
        routes.append((route, view, methods))
    return routes


def _owned_objects(owner):
    from lumiku.notifications.models import Notification
    from posegen.models import GeneratedPose
    from requests_community.models import PoseRequest

    generation = GenerationFactory(project=ProjectFactory(user=owner), total_expected_poses=1)
    pose = GeneratedPose.objects.create(generation=generation, sequence=0, status="completed",
                                        output_image="users/x/out.png", export_formats={"original": "users/x/o.png"})
    return {
        "avatar_id": AvatarFactory(user=owner).pk,
        "project_id": generation.project_id,
        "generation_id": generation.pk,
        "pose_id": pose.pk,
        "notification_id": Notification.objects.create(user=owner, kind="test", title="t").pk,
        "order_id": _order(owner).pk,
        "request_id": PoseRequest.objects.create(user=owner, pose_name="Lean", normalized_name="lean",
                                                 description="d").pk,
        "endpoint_id": _webhook_endpoint(owner).pk,
    }


def _webhook_endpoint(owner):
    from lumiku.webhooks.models import WebhookEndpoint

    return WebhookEndpoint.objects.create(user=owner, url="https://hooks.example/lumiku", events=["pose.completed"],
                                          secret="whsec_test")


def _order(owner):
    from lumiku.billing.models import Order, Product

    product = Product.objects.create(name="Test", credits=10, price_idr=10_000)
    return Order.objects.create(user=owner, product=product, product_name=product.name, amount_idr=10_000,
                                credits=10, provider="midtrans")


def _url(route: str, objects: dict) -> str:
    import re

    def fill(match):
        name = match.group(2)
        if name not in objects:
            pytest.fail(f"{route}: teach tests/security/test_object_access.py how to make a {name!r}")
        return str(objects[name])

    return "/" + re.sub(r"<(\w+):(\w+)>", fill, route)


def test_public_routes_are_exactly_the_listed_ones():
    def public(view) -> bool:
        permissions = list(getattr(view, "permission_classes", []))
        return not permissions or any(issubclass(p, AllowAny) for p in permissions)

    opened = {route for route, view, _ in api_routes() if public(view)}
    opened |= {"api/schema/", "api/docs/"}  # served by drf-spectacular with SERVE_PERMISSIONS
    assert opened == PUBLIC_ROUTES


def test_anonymous_gets_401_everywhere_but_public_routes(api_client, user):
    objects = _owned_objects(user)
    objects["backdrop_id"] = "studio-white"
    failures = []
    for route, _, methods in api_routes():
        if route in PUBLIC_ROUTES:
            continue
        url = _url(route, objects)
        for method in methods:
            response = getattr(api_client, method)(url, {}, format="json")
            if response.status_code != 401 or response.json()["error"]["statusCode"] != 401:
                failures.append(f"{method.upper()} {url} -> {response.status_code}")
    assert failures == []


def test_another_users_objects_are_404(other_client, user):
    objects = _owned_objects(user)
    failures = []
    checked = 0
    for route, _, methods in api_routes():
        if "<uuid:" not in route:
            continue
        url = _url(route, objects)
        for method in methods:
            if (route, method) in SHARED_BY_DESIGN:
                continue
            expected = 403 if route.startswith(MODERATOR_PREFIX) else 404
            response = getattr(other_client, method)(url, BODIES.get(route, {}), format="json")
            checked += 1
            if response.status_code != expected:
                failures.append(f"{method.upper()} {url} -> {response.status_code} (expected {expected})")
    assert failures == []
    assert checked >= 25
