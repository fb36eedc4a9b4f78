"""The platform names no product: each product plugs its URL confs, front page, WebSocket route, HTTP fast path, audit
checks, scrape-time metrics and notification kinds in from its AppConfig.ready(). These tests pin what the
products registered, so a registration lost in a move fails here rather than as a missing page or check."""

import pytest

from lumiku.core import metrics
from lumiku.credits.audit import CHECKS, audit_check_register
from lumiku.notifications import kinds
from lumiku.routing import _http_wrappers, _urlconfs, home_page_view, websocket_urlpatterns


def test_the_front_page_is_the_pose_generators_landing_page():
    from posegen.pages.home import home

    assert home_page_view() is home


def test_the_products_mount_their_url_confs_after_the_platforms_routes():
    from django.urls import resolve

    assert _urlconfs == [("api/apps/pose-generator/", "posegen.api.urls"), ("", "posegen.pages.urls"),
                         ("api/apps/pose-generator/", "requests_community.api.urls"),
                         ("pose-requests/", "requests_community.urls")]
    assert resolve("/pose-requests/").view_name == "requests_community:board"
    assert resolve("/api/apps/pose-generator/requests").url_name == "pose-requests"
    assert resolve("/api/apps/pose-generator/library").func.__module__ == "posegen.api.library"
    assert resolve("/pricing").view_name == "billing:pricing"


def test_the_websocket_routes_and_http_fast_path_are_the_products():
    from posegen.consumers import PoseGeneratorConsumer

    assert [(str(p.pattern), p.callback.consumer_class) for p in websocket_urlpatterns()] == [
        ("ws/pose-generator/", PoseGeneratorConsumer)]
    assert _http_wrappers == ["posegen.api.library_asgi.library_list_fast_path"]


def test_audit_runs_the_platforms_checks_and_each_products():
    from posegen.audit import audit_categories, audit_generations
    from requests_community.audit import audit_votes

    assert list(CHECKS) == ["wallets", "orders", "generations", "categories", "votes"]
    assert (CHECKS["generations"], CHECKS["categories"], CHECKS["votes"]) == (
        audit_generations, audit_categories, audit_votes)
    with pytest.raises(ValueError, match="registered twice"):
        audit_check_register(name="votes", check=audit_categories)
    assert CHECKS["votes"] is audit_votes


def test_scrape_sources_and_notification_kinds_come_from_the_products():
    from requests_community.metrics import request_category_metrics, request_pending_metrics

    assert {request_pending_metrics, request_category_metrics} <= set(metrics._SCRAPE_SOURCES)
    assert {"generation.ready", "request.status_changed"} <= set(kinds._RENDERERS)
