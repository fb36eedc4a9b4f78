"""Browser journeys: Debian's Chromium driven by Playwright against the real ASGI app (HTTP + WebSockets,
uvicorn in a thread of this process) and a real Celery worker, on the suite's database and broker.

Chromium comes from the `chromium` Debian package (`.ci/run` installs it); `playwright install` is never
used. Without the binary the journeys skip locally and fail in CI."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.paths import REPO

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", REPO / "artifacts" / "screenshots"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    skip = pytest.mark.skip(reason="Debian's chromium package is not installed")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    """uvicorn serving lumiku.asgi on a free port for the whole session (the DB is shared with the tests)."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config("lumiku.asgi:application", host="127.0.0.1", port=port, lifespan="off",
                            log_level="warning", ws="websockets-sansio")
    server = uvicorn.Server(config)
    with django_db_blocker.unblock():
        thread = threading.Thread(target=server.run, name="uvicorn-browser", daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True
        thread.join(timeout=10)



@pytest.fixture
def browser(monkeypatch):
    """One Chromium per test. Playwright's sync API keeps an asyncio loop running on this thread while it
    is open, which trips Django's async-safety guard for the test's own ORM calls; the guard is lifted
    only for that window (the app itself runs in uvicorn's thread, unaffected)."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


def wait_until(page, expression: str, *, arg=None, timeout: float = 15_000) -> None:
    """page.wait_for_function without its in-page eval, which the app's CSP (script-src 'self', no
    'unsafe-eval') refuses: the expression is evaluated over DevTools, as page.evaluate does, every 100 ms."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout / 1000
    while True:
        try:
            if page.evaluate(expression, arg):
                return
        except Error:  # a navigation replaced the document while it was evaluated: ask again
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} ms waiting for {expression}")
        page.wait_for_timeout(100)


class Shots:
    """Saves full-page screenshots as test artifacts: artifacts/screenshots/<journey>/<nn>-<name>.png."""

    def __init__(self, journey: str):
        self.folder = SCREENSHOTS / journey
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        self.count = 0

    def __call__(self, page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.evaluate("window.scrollTo(0, 0)")  # sticky header and tray where a visitor sees them
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(request):
    return Shots(request.node.name.removeprefix("test_"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def new_page(browser, asgi_server, request):
    """new_page(viewport=..., locale=...) → a fresh context (own cookies) with the base URL set."""
    contexts = []
    csp_violations: list[str] = []

    def make(*, viewport=DESKTOP, locale="en-US", is_mobile=False):
        context = browser.new_context(base_url=asgi_server, viewport=viewport, locale=locale,
                                      is_mobile=is_mobile, has_touch=is_mobile, device_scale_factor=1)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors
        # The app runs under a strict Content-Security-Policy: Chromium reports each blocked script, style,
        # image or connection on the console ("Refused to ... Content Security Policy"); any one fails.
        page.on("console", lambda message: csp_violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
        page.csp_violations = csp_violations
        return page

    yield make
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for index, context in enumerate(contexts):
            for number, page in enumerate(context.pages):
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / f"FAILED-{request.node.name}-{index}-{number}.png"),
                                full_page=True)
    for context in contexts:
        context.close()
    assert csp_violations == [], "\n".join(csp_violations)
