"""A strict Content-Security-Policy on every page (issue 18 §7); the browser journeys run under it and
fail on any violation (tests/browser/conftest.py collects them)."""

import logging
import re

import pytest
from django.test import Client

from tests.paths import REPO

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/api/docs/",
                                  "/api/apps/pose-generator/library", "/no-such-page/"])
def test_every_response_carries_the_policy(client, path):
    directives = _directives(client.get(path))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["report-uri"] == "/csp-report"


def test_signed_in_pages_carry_the_policy(client, user):
    client.force_login(user)
    for path in ("/dashboard/", "/account/", "/library/", "/projects/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _directives(response)["script-src"] == "'self'"


def test_the_api_docs_load_their_initialiser_as_a_file(client):
    html = client.get("/api/docs/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html)  # no inline script body
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_templates_carry_no_inline_script_or_handler():
    offenders = []
    for path in (REPO / "templates").rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+=\"", text) or \
                "javascript:" in text or re.search(r"hx-on|hx-vars|hx-vals=[\"']js:|hx-trigger=\"[^\"]*\[", text):
            # the last ones: htmx evaluates trigger filters, hx-on and js: values as code ('unsafe-eval')
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_violation_reports_are_logged_and_answered_204(caplog):
    caplog.set_level(logging.WARNING, logger="lumiku.csp")
    body = ('{"csp-report": {"document-uri": "http://127.0.0.1/dashboard/", "violated-directive": "script-src",'
            ' "blocked-uri": "inline"}}')
    response = Client(enforce_csrf_checks=True).post("/csp-report", body, content_type="application/csp-report")
    assert response.status_code == 204
    assert [r.getMessage() for r in caplog.records] == [
        "CSP violation: script-src blocked inline on http://127.0.0.1/dashboard/"]
    assert Client().post("/csp-report", "x" * 20_000, content_type="application/csp-report").status_code == 204
    assert Client().get("/csp-report").status_code == 405
