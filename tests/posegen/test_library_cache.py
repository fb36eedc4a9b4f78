"""The library cache's operations are written once and run three ways: on Redis from a thread, on Redis from
the event loop, and on Django's cache API for other backends. The same sequence gives the same answers on
each (posegen/library_cache.py)."""

from __future__ import annotations

import asyncio

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from posegen import library_cache

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "library-cache-test"}}
needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis runners need REDIS_URL")


def _page_lifecycle(lookup) -> list:
    """Store a page, then read it fresh, stale (two readers: one takes the refresh lock), and stored again."""
    key = library_cache.library_cache_key(kind="page", parts={"test": "lifecycle"})
    seen = [lookup(key)]  # a miss
    library_cache.library_page_store(key, b'{"poses": []}')
    seen.append(lookup(key))  # fresh
    cache.delete(f"{key}:fresh")  # the page outlives its fresh window
    seen += [lookup(key), lookup(key)]  # the first stale reader renders again, the second does not
    library_cache.library_page_store(key, b'{"poses": [1]}')  # the render stores it and frees the lock
    seen.append(lookup(key))
    return seen


EXPECTED = [(None, True), (b'{"poses": []}', False), (b'{"poses": []}', True), (b'{"poses": []}', False),
            (b'{"poses": [1]}', False)]


def _bump_moves_the_version_by_one() -> tuple[int, int]:
    library_cache._version_memo[0] = 0.0
    before = library_cache.library_cache_version()
    library_cache.library_cache_bump()
    return before, library_cache.library_cache_version()


def test_local_cache_runs_the_same_operations():
    with override_settings(CACHES=LOCAL):
        cache.clear()
        assert not library_cache.library_cache_async_available()
        assert _page_lifecycle(library_cache.library_page_lookup) == EXPECTED
        before, after = _bump_moves_the_version_by_one()
        assert after == before + 1
        library_cache.library_cache_set_bytes("posegen:library:count:x", b"7", 60)
        assert library_cache.library_cache_get_bytes("posegen:library:count:x") == b"7"


@needs_redis
def test_redis_from_a_thread_runs_the_same_operations():
    assert library_cache.library_cache_async_available()
    assert _page_lifecycle(library_cache.library_page_lookup) == EXPECTED
    before, after = _bump_moves_the_version_by_one()
    assert after == before + 1
    # Raw bytes under the cache's own key (prefix and version), so cache.clear() clears them too.
    library_cache.library_cache_set_bytes("posegen:library:count:x", b"7", 60)
    assert library_cache.library_cache_get_bytes("posegen:library:count:x") == b"7"
    cache.clear()
    assert library_cache.library_cache_get_bytes("posegen:library:count:x") is None


@needs_redis
def test_redis_from_the_event_loop_reads_what_the_thread_wrote():
    def lookup(key):
        return asyncio.run(library_cache.library_page_lookup_async(key))

    assert _page_lifecycle(lookup) == EXPECTED
    library_cache._version_memo[0] = 0.0
    parts = {"test": "keys"}
    assert asyncio.run(library_cache.library_cache_key_async(kind="page", parts=parts)) == \
        library_cache.library_cache_key(kind="page", parts=parts)
