"""The browser harness itself: Chromium loads our pages over the live ASGI server with styles and scripts."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_landing_page_loads_with_styles_and_htmx(new_page, shots):
    page = new_page()
    response = page.goto("/")
    assert response.status == 200
    assert page.evaluate("typeof window.htmx") == "object"
    # app.css applied: the sticky header is styled
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).position") == "sticky"
    shots(page, "landing")
    assert page.js_errors == []
