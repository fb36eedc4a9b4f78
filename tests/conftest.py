"""Shared fixtures. The suite runs on the real stack: PostgreSQL + Redis when DATABASE_URL/REDIS_URL
are set (always in CI, where a missing service fails the run), SQLite + in-process broker otherwise."""

from __future__ import annotations

import os

import pytest

# Django-dependent imports stay inside fixtures, so the Django-free posekit tests also run with
# `-p no:django`.


def pytest_sessionstart(session):
    if os.environ.get("CI"):
        db_url = os.environ.get("DATABASE_URL", "")
        if not db_url.startswith(("postgres://", "postgresql://")):
            pytest.exit("CI must run against PostgreSQL: set DATABASE_URL", returncode=2)
        if not os.environ.get("REDIS_URL"):
            pytest.exit("CI must run against Redis: set REDIS_URL", returncode=2)
        import redis

        try:
            redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3).ping()
        except Exception as exc:
            pytest.exit(f"Redis is unreachable in CI: {exc}", returncode=2)


@pytest.fixture(autouse=True)
def _isolated_cache(request):
    if not _django_active(request.config):
        yield
        return
    from django.core.cache import cache

    from posegen import library_cache

    cache.clear()
    # The cleared cache holds no library version any more: forget the one this process memoised, or a
    # later bump would land on the version an earlier test already used and revive its pages.
    library_cache._version_memo[0] = 0.0
    yield


@pytest.fixture(autouse=True)
def _fresh_channel_layer(request):
    """Each test starts with a channel layer of its own. channels_redis lets one event loop receive on a
    layer instance at a time: a browser test that fails while its page's WebSocket is still open leaves
    the live server's consumer receiving on the process-wide instance, and every later test's
    communicator (another loop) then failed with "Two event loops are trying to receive()" (a CI run
    where one journey timed out under load turned into 30 failures). The layer is only a client: what a
    test publishes still reaches every consumer through Redis."""
    yield
    if _django_active(request.config):
        from channels.layers import channel_layers

        channel_layers.backends.clear()


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def auth_client(user):
    from tests.clients import api_client_for

    return api_client_for(user)


@pytest.fixture
def other_client(other_user):
    from tests.clients import api_client_for

    return api_client_for(other_user)


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (threads pool) consuming every queue, in this process."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from lumiku.celery import app
    from lumiku.core.queues import Queue

    app.control.purge() if settings.REDIS_URL else None
    with start_worker(
        app,
        pool="threads",
        concurrency=2,
        perform_ping_check=False,
        queues=[q.value for q in Queue],
        loglevel="WARNING",
        shutdown_timeout=15,
    ) as worker:
        yield worker


def _django_active(config) -> bool:
    return config.pluginmanager.hasplugin("django")


def pytest_collection_modifyitems(config, items):
    if not _django_active(config):
        return
    from django.conf import settings as django_settings

    if django_settings.IS_POSTGRES:
        return
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL row locks (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip_pg)


@pytest.fixture
def engine(settings):
    """Choose a test engine by name: `engine("counting")`. Clears counters and the engine cache."""
    from posegen import engines as engines_module
    from tests import engines as test_engines

    settings.POSEGEN_EXTRA_ENGINES = test_engines.TEST_ENGINES
    settings.POSEGEN_OUTPUT_WIDTH = 96
    settings.POSEGEN_OUTPUT_HEIGHT = 144
    settings.POSEGEN_RETRY_BACKOFF_SECONDS = 0.05
    test_engines.CALLS.clear()
    engines_module._engine.cache_clear()

    def choose(name: str):
        settings.POSEGEN_ENGINE = name
        return test_engines.CALLS

    yield choose
    engines_module._engine.cache_clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and before it is dropped: end the sessions that threads of in-process
    servers and workers still hold (pooled or idle), which would otherwise make the drop fail."""
    yield
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        for wrapper in connections.all():
            if getattr(wrapper, "pool", None) is not None:
                wrapper.close_pool()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
