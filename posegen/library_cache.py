"""The pose library's shared cache: one Redis client per process, raw bytes (no pickling on the hot
path), keys scoped by a cache generation that writes bump, and the list pages' stale-while-revalidate
store read by both the DRF view and the ASGI fast path (posegen/api/library_asgi.py).

List pages are *fresh* for ``PAGE_FRESH_SECONDS`` and kept for ``PAGE_KEEP_SECONDS``. A reader that finds
a stale page is served it, except the one reader per page that wins a short refresh lock: it renders the
page again (the DRF view inline; the fast path serves the stale page and queues a Celery task that does). So a
page's expiry costs one render instead of a burst of identical renders from every concurrent reader, and
counters in a list lag by at most the fresh window plus one render.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.dispatch import receiver

_VERSION_KEY = "posegen:library:version"
_VERSION_MEMO_SECONDS = 2.0  # how long a process trusts the version it last read
PAGE_FRESH_SECONDS = 30
PAGE_KEEP_SECONDS = 600
PAGE_REFRESH_LOCK_SECONDS = 15

_version_memo: list[float] = [0.0, 0.0]  # (read at, version)


def library_cache_version() -> int:
    """The library's cache generation (bumped by :func:`library_cache_bump`), re-read every 2 s."""
    now = time.monotonic()
    if now - _version_memo[0] > _VERSION_MEMO_SECONDS:
        raw = library_cache_get_bytes(_VERSION_KEY)
        _version_memo[:] = [now, float(int(raw)) if raw else 0.0]
    return int(_version_memo[1])


def _cache_key(kind: str, parts: dict[str, Any], version: int) -> str:
    digest = hashlib.sha256(repr(sorted(parts.items())).encode()).hexdigest()[:24]
    return f"posegen:library:{kind}:{version}:{digest}"


def library_cache_key(*, kind: str, parts: dict[str, Any]) -> str:
    """A cache key for ``parts`` (filters, page...) in the current cache generation."""
    return _cache_key(kind, parts, library_cache_version())


_raw_client: list[Any] = []


def _redis_client() -> tuple[Any, Any] | None:
    """A Redis cache backend and its client, kept for the process; None for other backends.

    ``django.core.cache.caches`` hands every async context (under ASGI: every request) its own
    backend object with its own connection pool, so each request would open a new Redis connection
    and build a client for every call; the hot path of the list reuses one instead."""
    if not _raw_client:
        backend = caches.create_connection("default")
        _raw_client.append((backend, backend._cache.get_client(write=True))
                           if isinstance(backend, RedisCache) else None)
    return _raw_client[0]


@receiver(setting_changed)
def _caches_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "CACHES":
        _raw_client.clear()
        _async_client.clear()
        _version_memo[0] = 0.0


def library_cache_get_bytes(key: str) -> bytes | None:
    """Raw bytes stored by :func:`library_cache_set_bytes` (no pickling on the hot path)."""
    found = _redis_client()
    if found is None:
        return cache.get(key)
    backend, client = found
    return client.get(backend.make_and_validate_key(key))


def library_cache_set_bytes(key: str, data: bytes, timeout: int) -> None:
    found = _redis_client()
    if found is None:
        cache.set(key, data, timeout)
        return
    backend, client = found
    client.set(backend.make_and_validate_key(key), data, ex=timeout)


def library_cache_bump() -> None:
    """Forget cached totals and pages (after poses were added, removed, hidden or shown)."""
    found = _redis_client()
    if found is None:
        try:
            cache.incr(_VERSION_KEY)
        except ValueError:
            cache.set(_VERSION_KEY, 1, None)
    else:
        backend, client = found
        client.incr(backend.make_and_validate_key(_VERSION_KEY))
    _version_memo[0] = 0.0


# ---- the same cache from the event loop (the list's ASGI fast path, posegen/api/library_asgi.py) -----

_async_client: list[Any] = []  # [(event loop, redis.asyncio client)]


def library_cache_async_available() -> bool:
    """Whether the cache is Redis, so the async reads below see what the sync writes stored."""
    return _redis_client() is not None


def _async_redis() -> Any:
    import asyncio

    import redis.asyncio

    loop = asyncio.get_running_loop()
    if not _async_client or _async_client[0][0] is not loop:  # a client's connections belong to one loop
        backend = _redis_client()[0]
        _async_client[:] = [(loop, redis.asyncio.Redis.from_url(backend._cache._servers[0]))]
    return _async_client[0][1]


async def library_cache_get_bytes_async(key: str) -> bytes | None:
    """:func:`library_cache_get_bytes` without leaving the event loop (Redis caches only)."""
    return await _async_redis().get(_redis_client()[0].make_and_validate_key(key))


async def library_cache_key_async(*, kind: str, parts: dict[str, Any]) -> str:
    """:func:`library_cache_key` without leaving the event loop (shares the 2 s version memo)."""
    now = time.monotonic()
    if now - _version_memo[0] > _VERSION_MEMO_SECONDS:
        raw = await library_cache_get_bytes_async(_VERSION_KEY)
        _version_memo[:] = [now, float(int(raw)) if raw else 0.0]
    return _cache_key(kind, parts, int(_version_memo[1]))


# ---- list pages: stale-while-revalidate ---------------------------------------------------------------


def _page_keys(key: str) -> tuple[str, str]:
    return f"{key}:fresh", f"{key}:refreshing"


def library_page_store(key: str, data: bytes) -> None:
    """Store a rendered list page: fresh for PAGE_FRESH_SECONDS, kept for PAGE_KEEP_SECONDS."""
    fresh, refreshing = _page_keys(key)
    found = _redis_client()
    if found is None:
        cache.set(key, data, PAGE_KEEP_SECONDS)
        cache.set(fresh, b"1", PAGE_FRESH_SECONDS)
        cache.delete(refreshing)
        return
    backend, client = found
    pipe = client.pipeline(transaction=False)
    pipe.set(backend.make_and_validate_key(key), data, ex=PAGE_KEEP_SECONDS)
    pipe.set(backend.make_and_validate_key(fresh), b"1", ex=PAGE_FRESH_SECONDS)
    pipe.delete(backend.make_and_validate_key(refreshing))
    pipe.execute()


def library_page_lookup(key: str) -> tuple[bytes | None, bool]:
    """(page, refresh): the stored page or None, and whether this reader should render it again
    (a miss, or a stale page whose refresh lock this reader just took)."""
    fresh, refreshing = _page_keys(key)
    found = _redis_client()
    if found is None:
        values = cache.get_many([key, fresh])
        page = values.get(key)
        if page is None:
            return None, True
        if values.get(fresh) is not None:
            return page, False
        return page, cache.add(refreshing, b"1", PAGE_REFRESH_LOCK_SECONDS)
    backend, client = found
    page, is_fresh = client.mget([backend.make_and_validate_key(key), backend.make_and_validate_key(fresh)])
    if page is None:
        return None, True
    if is_fresh is not None:
        return page, False
    won = client.set(backend.make_and_validate_key(refreshing), b"1", nx=True, ex=PAGE_REFRESH_LOCK_SECONDS)
    return page, bool(won)


async def library_page_lookup_async(key: str) -> tuple[bytes | None, bool]:
    """:func:`library_page_lookup` without leaving the event loop (Redis caches only)."""
    fresh, refreshing = _page_keys(key)
    make_key = _redis_client()[0].make_and_validate_key
    client = _async_redis()
    page, is_fresh = await client.mget([make_key(key), make_key(fresh)])
    if page is None:
        return None, True
    if is_fresh is not None:
        return page, False
    won = await client.set(make_key(refreshing), b"1", nx=True, ex=PAGE_REFRESH_LOCK_SECONDS)
    return page, bool(won)
