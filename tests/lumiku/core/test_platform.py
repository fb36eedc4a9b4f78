"""App registry, OpenAPI schema, error envelope fallbacks, deploy checks, storage keys, admin pages."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import RequestFactory

from lumiku.core.exception_handler import api_exception_handler
from lumiku.core.registry import app_credit_price, app_credit_prices
from lumiku.core.storage import storage_key, user_storage_key
from tests.paths import REPO

ROOT = REPO


@pytest.mark.django_db
def test_apps_endpoint_lists_pose_generator_config(api_client):
    body = api_client.get("/api/apps").json()
    assert [app["appId"] for app in body["apps"]] == ["pose-generator"]
    app = body["apps"][0]
    assert app["credits"] == {"generateFromGallery": 30, "generateFromText": 30, "backgroundChanger": 10,
                              "uploadBackground": 0}
    assert app["routePrefix"] == "/api/apps/pose-generator"
    assert app["access"]["requiresAuth"] is True
    assert app["features"] == {"enabled": True, "beta": False, "comingSoon": False}
    assert app["dashboard"]["stats"]["endpoint"] == "/api/apps/pose-generator/stats"


def test_credit_prices_come_from_the_registry_with_settings_overrides(settings):
    assert app_credit_price(app_id="pose-generator", key="backgroundChanger") == 10
    settings.CREDIT_PRICE_OVERRIDES = {"pose-generator": {"backgroundChanger": 12}}
    assert app_credit_price(app_id="pose-generator", key="backgroundChanger") == 12
    assert app_credit_prices(app_id="pose-generator")["generateFromText"] == 30
    with pytest.raises(KeyError):
        app_credit_price(app_id="pose-generator", key="nope")


def test_no_credit_price_literal_outside_the_registry():
    """Prices live in posegen/plugin.py only; services must read them from the registry."""
    offenders = []
    for path in list((ROOT / "posegen").rglob("*.py")) + list((ROOT / "lumiku").rglob("*.py")):
        if path.name == "plugin.py" or "migrations" in path.parts:
            continue
        text = path.read_text()
        for needle in ("credits=30", "= 30  # credits", "* 30", "* 10  # background"):
            if needle in text:
                offenders.append(f"{path}: {needle}")
    assert offenders == []


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    text = out.read_text()
    for path in ("/api/apps/pose-generator/projects", "/api/apps/pose-generator/health", "/api/credits/history",
                 "/api/auth/register", "/api/avatars/"):
        assert f"  {path}:" in text
    assert "ErrorEnvelope" in text


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_a_cdn(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn.jsdelivr" not in html and "unpkg" not in html
    assert "/static/drf_spectacular_sidecar/" in html


def test_unhandled_error_becomes_500_envelope():
    request = RequestFactory().get("/api/x")
    response = api_exception_handler(RuntimeError("secret detail"), {"request": request, "view": None})
    assert response.status_code == 500
    assert response.data == {"error": {"message": "Internal server error.", "code": "INTERNAL_ERROR",
                                       "statusCode": 500}}


@pytest.mark.django_db
def test_unknown_api_path_is_404_envelope_and_page_is_html(client):
    api = client.get("/api/does-not-exist")
    assert api.status_code == 404
    assert api.json() == {"error": {"message": "Not found.", "code": "NOT_FOUND", "statusCode": 404}}
    page = client.get("/does-not-exist/")
    assert page.status_code == 404
    assert b"<html" in page.content


def test_storage_keys_are_generated():
    key = user_storage_key(user_id="u1", kind="avatars", extension="JPEG")
    assert key.startswith("users/u1/avatars/") and key.endswith(".jpg")
    assert len(key.split("/")[-1]) == 36
    for bad_kind in ("../etc", "a/../../b", "x y"):
        with pytest.raises(ValueError):
            storage_key(owner="users/u1", kind=bad_kind, extension="png")


@pytest.mark.django_db
def test_media_view_refuses_traversal(client):
    assert client.get("/media/../../etc/passwd").status_code == 404
    assert client.get("/media/%2e%2e/%2e%2e/etc/passwd").status_code == 404


def test_check_deploy_is_clean_with_production_values():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lumiku.settings.production",
           "SECRET_KEY": "x9" * 30 + "-Prod_Key_Value!", "ALLOWED_HOSTS": "pose.example.com"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_require_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="lumiku.settings.production", ALLOWED_HOSTS="pose.example.com")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_admin_pages_render_for_every_model(client):
    from django.contrib import admin

    from tests.factories import AvatarFactory, GenerationFactory

    admin_user = get_user_model().objects.create_superuser("root@example.com", "root-pass-123!")
    client.force_login(admin_user)
    GenerationFactory()
    AvatarFactory()
    for model in admin.site._registry:
        meta = model._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/"
        response = client.get(url)
        assert response.status_code == 200, url
        obj = model.objects.first()
        if obj is not None:
            assert client.get(f"{url}{obj.pk}/change/").status_code == 200, url


@pytest.mark.django_db
def test_admin_grant_credits_action_grants_once_per_submission(client, user, other_user):
    from lumiku.credits.selectors import credits_balance

    admin_user = get_user_model().objects.create_superuser("root@example.com", "root-pass-123!")
    client.force_login(admin_user)
    url = "/admin/accounts/user/"
    selected = [str(user.pk), str(other_user.pk)]
    form = client.post(url, {"action": "grant_credits", "_selected_action": selected})
    assert form.status_code == 200 and b"Grant credits" in form.content
    payload = {"action": "grant_credits", "_selected_action": selected, "apply": "1", "amount": "75",
               "reason": "Promo", "grant_token": "tok1"}
    client.post(url, payload)
    client.post(url, payload)  # a double submit
    assert credits_balance(user_id=user.pk) == 75
    assert credits_balance(user_id=other_user.pk) == 75
    assert credits_balance(user_id=admin_user.pk) == 0
