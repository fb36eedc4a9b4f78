"""The live progress page when the connection drops: the images finish while the browser is offline, and
when it comes back the page re-syncs to 100 % by itself (no reload); a reload shows the same state."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client
from rest_framework.test import APIClient

from lumiku.celery import app
from lumiku.core.queues import Queue
from posegen.models import PoseGeneration
from tests.browser.conftest import DESKTOP, wait_until
from tests.browser.netproxy import CuttableProxy
from tests.factories import ProjectFactory, UserFactory, library_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMAGES = 3


@pytest.fixture
def link(asgi_server):
    """The browser reaches the app through a link the test can cut."""
    proxy = CuttableProxy(target_port=int(asgi_server.rsplit(":", 1)[1]))
    yield proxy
    proxy.close()


def _signed_in_page(browser, link, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=link.url, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": link.url}])
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return page


def test_progress_page_resyncs_after_the_connection_comes_back(browser, link, engine):
    engine("slow")
    user = UserFactory()
    fund(user, 1000)
    project = ProjectFactory(user=user)
    poses = [library_pose() for _ in range(IMAGES)]
    api = APIClient()
    api.force_authenticate(user)
    # Submitted while no worker runs: the generation waits in the broker.
    response = api.post(GENERATE_URL, gallery_body(project, poses), format="json")
    assert response.status_code == 202, response.content
    generation_id = response.json()["generationId"]

    page = _signed_in_page(browser, link, user)
    page.goto(f"/generations/{generation_id}/")
    page.wait_for_selector("[data-conn-state][data-state=live]", state="attached")
    assert page.get_by_test_id("progress-bar").get_attribute("aria-valuenow") == "0"
    page.evaluate("window.__sameDocument = true")

    link.cut()  # the WebSocket (and any request) dies, reconnects are refused
    page.wait_for_selector("[data-conn-state][data-state=offline]", state="attached")
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False,
                      queues=[q.value for q in Queue], loglevel="WARNING", shutdown_timeout=15):
        for _ in range(300):
            generation = PoseGeneration.objects.get(pk=generation_id)
            if generation.status == "completed":
                break
            page.wait_for_timeout(100)
    assert generation.status == "completed"
    # Everything happened while the page was cut off: it still shows the start.
    assert page.get_by_test_id("progress-bar").get_attribute("aria-valuenow") == "0"

    link.restore()
    wait_until(page,
        "document.querySelector('[data-testid=progress-bar]').getAttribute('aria-valuenow') === '100'",
        timeout=20_000)
    wait_until(page,
        f"document.querySelectorAll('[data-testid=pose-card][data-pose-status=completed]').length === {IMAGES}")
    assert page.evaluate("window.__sameDocument") is True  # re-synced in place, not reloaded
    assert page.get_by_test_id("progress-percent").inner_text().strip() == "100%"

    page.reload()
    assert page.get_by_test_id("progress-bar").get_attribute("aria-valuenow") == "100"
    assert page.locator("[data-testid=pose-card][data-pose-status=completed]").count() == IMAGES
    assert page.js_errors == []
