"""The library list's ASGI fast path (posegen/api/library_asgi.py) through the real ASGI application
and Redis: a cached anonymous page is served without Django and is byte-for-byte what Django sends;
everything else reaches Django unchanged."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.core import signals
from django.test import override_settings

from lumiku.accounts.tokens import token_pair_issue
from posegen.library_cache import library_cache_bump
from posegen.models.library import PoseFavorite
from tests.factories import CategoryFactory, UserFactory, library_pose

LIST = "/api/apps/pose-generator/library"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="the fast path serves the Redis page cache only"),
]


@pytest.fixture
def asgi():
    """GET through lumiku.asgi.application (or the bare Django app) -> (status, headers, body, reached
    Django). Django runs each request in a thread of its own, hence transactional tests."""
    from lumiku.asgi import application, django_asgi_app

    reached: list[bool] = []

    def started(**kwargs):
        reached.append(True)

    signals.request_started.connect(started)

    def get(path: str, *, headers: list[tuple[bytes, bytes]] = (), django_only: bool = False):
        path, _, query = path.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
                 "query_string": query.encode(), "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
                 "headers": [(b"host", b"testserver"), *headers]}
        reached.clear()

        async def run():
            communicator = ApplicationCommunicator(django_asgi_app if django_only else application, scope)
            await communicator.send_input({"type": "http.request", "body": b""})
            start = await communicator.receive_output(10)
            body = b""
            while True:
                message = await communicator.receive_output(10)
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            await communicator.wait(1)
            return start, body

        start, body = async_to_sync(run)()
        return start["status"], sorted((bytes(n).lower(), bytes(v)) for n, v in start["headers"]), body, bool(reached)

    yield get
    signals.request_started.disconnect(started)


@pytest.fixture
def poses():
    category = CategoryFactory(slug="standing", name="Standing")
    return [library_pose(category=category, name=f"Pose {i}") for i in range(3)]


def test_a_cached_anonymous_page_is_served_without_django_and_equals_djangos_response(asgi, poses):
    traced = [(b"x-request-id", b"load-test-0001")]  # echoed by the request-id middleware, when configured
    first = asgi(f"{LIST}?page=1&limit=2", headers=traced)  # a miss: Django renders, caches; headers learned
    second = asgi(f"{LIST}?page=1&limit=2", headers=traced)
    by_django = asgi(f"{LIST}?page=1&limit=2", headers=traced, django_only=True)

    assert first[3] is True and by_django[3] is True
    assert second[3] is False  # served from Redis: Django never saw the request
    assert second[0] == first[0] == by_django[0] == 200
    assert second[1] == first[1] == by_django[1]  # every header, Content-Length included
    assert second[2] == first[2] == by_django[2]
    body = json.loads(second[2])
    assert [p["name"] for p in body["poses"]] == ["Pose 0", "Pose 1"]
    assert body["pagination"]["total"] == 3
    assert all(p["isFavorite"] is False for p in body["poses"])
    # A request id of the fast path's own is fresh per response, as Django's are.
    untraced = [asgi(f"{LIST}?page=1&limit=2") for _ in range(2)]
    ids = [dict(r[1]).get(b"x-request-id") for r in untraced]
    assert untraced[1][3] is False
    assert [h for h in untraced[1][1] if h[0] != b"x-request-id"] == [h for h in first[1] if h[0] != b"x-request-id"]
    assert (ids[0] is None) == (ids[1] is None) == (dict(first[1]).get(b"x-request-id") is None)
    assert ids[0] is None or ids[0] != ids[1]
    # Another page of the same visitor: known headers, but a miss, so Django renders it once.
    assert asgi(f"{LIST}?page=2&limit=2")[3] is True
    assert asgi(f"{LIST}?page=2&limit=2")[3] is False


def test_signed_in_requests_reach_django_and_get_their_favourites(asgi, poses):
    user = UserFactory()
    PoseFavorite.objects.create(user=user, pose=poses[0])
    asgi(LIST)
    assert asgi(LIST)[3] is False  # the anonymous page is cached and served fast
    token = str(token_pair_issue(user=user).access_token)

    status, _, body, reached = asgi(LIST, headers=[(b"authorization", f"Bearer {token}".encode())])

    assert (status, reached) == (200, True)
    favourites = {p["id"]: p["isFavorite"] for p in json.loads(body)["poses"]}
    assert favourites == {str(poses[0].pk): True, str(poses[1].pk): False, str(poses[2].pk): False}
    status, _, body, reached = asgi(LIST, headers=[(b"authorization", b"Bearer not-a-token")])
    assert (status, reached) == (401, True)
    assert json.loads(body)["error"]["statusCode"] == 401
    cookie = f"{settings.SESSION_COOKIE_NAME}=whatever; csrftoken=x".encode()
    assert asgi(LIST, headers=[(b"cookie", cookie)])[3] is True


@pytest.mark.parametrize(("query", "status"), [
    ("difficulty=bogus", 400),  # the error envelope comes from Django
    ("favorites=true", 401),  # personal: never from the shared cache
    ("projectId=00000000-0000-4000-8000-000000000001", 401),  # per-project support: personal too
    ("format=xml", 404),  # a parameter the list does not know: DRF decides
])
def test_requests_the_fast_path_cannot_vouch_for_reach_django(asgi, poses, query, status):
    asgi(LIST)
    asgi(LIST)

    got = asgi(f"{LIST}?{query}")

    assert (got[0], got[3]) == (status, True)
    assert got[2] == asgi(f"{LIST}?{query}", django_only=True)[2]


def test_a_new_header_set_is_learned_from_django_first(asgi, poses):
    asgi(LIST)
    assert asgi(LIST)[3] is False
    indonesian = [(b"accept-language", b"id"), (b"x-request-id", b"load-test-0002")]

    first = asgi(LIST, headers=indonesian)
    second = asgi(LIST, headers=indonesian)

    assert (first[3], second[3]) == (True, False)
    assert (b"content-language", b"id") in second[1]
    assert second[1] == first[1]


def test_a_cache_bump_sends_the_next_request_to_django(asgi, poses):
    asgi(LIST)
    assert json.loads(asgi(LIST)[2])["pagination"]["total"] == 3
    library_pose(category=poses[0].category, name="Pose 3")
    library_cache_bump()

    status, _, body, reached = asgi(LIST)

    assert (status, reached) == (200, True)
    assert json.loads(body)["pagination"]["total"] == 4


def test_unknown_middleware_switches_the_fast_path_off(asgi, poses):
    asgi(LIST)
    assert asgi(LIST)[3] is False
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, "django.middleware.gzip.GZipMiddleware"]):
        asgi(LIST)
        assert asgi(LIST)[3] is True
    with override_settings(POSEGEN_LIBRARY_FAST_PATH=False):
        asgi(LIST)
        assert asgi(LIST)[3] is True


def _redis():
    import redis

    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])


def _page_cache_keys(suffix: str = "") -> list[bytes]:
    from django.core.cache import cache

    pattern = cache.make_and_validate_key("posegen:library:page:*")
    return [k for k in _redis().keys(pattern) if k.endswith(suffix.encode()) and (suffix or b":" not in k[-12:])]


def _expire_freshness() -> None:
    client = _redis()
    keys = _page_cache_keys(":fresh")
    assert keys
    client.delete(*keys)


def test_a_stale_page_is_served_at_once_and_rendered_again_once_by_a_worker(asgi, poses, monkeypatch,
                                                                            celery_worker):
    import time

    from posegen.api import library
    from posegen.models import PoseLibrary
    from posegen.services import library_pages

    renders: list[int] = []
    real_render = library_pages.library_page_render

    def counted(**page):  # a spy: counts, then renders for real
        renders.append(page["page_number"])
        return real_render(**page)

    monkeypatch.setattr(library, "library_page_render", counted)  # the DRF view's render of a miss
    monkeypatch.setattr(library_pages, "library_page_render", counted)  # the worker's (the task imports it)
    asgi(LIST)
    assert asgi(LIST)[3] is False
    assert renders == [1]  # the miss, rendered by Django
    renders.clear()
    PoseLibrary.objects.filter(pk=poses[0].pk).update(name="Renamed pose")
    _expire_freshness()

    stale = [asgi(LIST) for _ in range(3)]  # the first takes the refresh lock, the others just read

    assert [r[3] for r in stale] == [False, False, False]  # none waited for Django
    assert "Pose 0" in stale[0][2].decode()
    deadline = time.monotonic() + 10
    while not _page_cache_keys(":fresh") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert renders == [1]  # exactly one render, by the worker, for three stale reads
    fresh = asgi(LIST)
    assert fresh[3] is False and "Renamed pose" in fresh[2].decode()
    assert _page_cache_keys(":refreshing") == []  # the lock is released with the new page
