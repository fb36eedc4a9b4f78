"""Malformed input is a 400/413 in the envelope, without a traceback in the log (issue 18 §6)."""

import logging

import pytest

from posegen.models import PoseGeneratorProject as Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_traceback(caplog):
    caplog.set_level(logging.INFO)
    yield
    assert not [record for record in caplog.records if record.exc_info or record.levelno >= logging.ERROR]


def test_deep_json_is_a_400(api_client, no_traceback):
    body = "[" * 50_000 + "]" * 50_000
    response = api_client.generic("POST", "/api/auth/token", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == {"message": "JSON parse error - the document is nested too deeply.",
                                        "code": "PARSE_ERROR", "statusCode": 400}


def test_a_20_mb_json_body_is_a_413_and_writes_nothing(auth_client, no_traceback):
    body = '{"name": "' + "a" * (20 * 1024 * 1024) + '"}'
    response = auth_client.generic("POST", "/api/apps/pose-generator/projects", body,
                                   content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"] == {"message": "The request body is larger than 16 MB.",
                                        "code": "REQUEST_TOO_LARGE", "statusCode": 413}
    assert Project.objects.count() == 0


def test_nul_in_the_requests_board_query_is_a_400_page(client, user, no_traceback):
    client.force_login(user)
    response = client.get("/pose-requests/?q=%00")
    assert response.status_code == 400
    assert b"Something was wrong with the request" in response.content


@pytest.mark.parametrize("query", ["search=%00", "a%00b=1", "search=ab%00cd"])
def test_nul_in_an_api_query_is_a_400_envelope(auth_client, query, no_traceback):
    response = auth_client.get(f"/api/apps/pose-generator/library?{query}")
    assert response.status_code == 400
    assert response.json()["error"] == {"message": "The address contains a NUL character.",
                                        "code": "BAD_REQUEST", "statusCode": 400}


def test_ordinary_queries_still_work(auth_client):
    assert auth_client.get("/api/apps/pose-generator/library?search=duduk").status_code == 200
