"""The pose library's shared cache: raw bytes (no pickling on the hot path), keys scoped by a cache
generation that writes bump, and the list pages' stale-while-revalidate store read by both the DRF view
and the ASGI fast path (posegen/api/library_asgi.py).

List pages are *fresh* for ``PAGE_FRESH_SECONDS`` and kept for ``PAGE_KEEP_SECONDS``. A reader that finds
a stale page is served it, except the one reader per page that wins a short refresh lock: it renders the
page again (the DRF view inline; the fast path serves the stale page and queues a Celery task that does). So a
page's expiry costs one render instead of a burst of identical renders from every concurrent reader, and
counters in a list lag by at most the fresh window plus one render.

One implementation, three ways to run it. Each operation is written once, as a generator that yields
Redis commands (``("mget", keys)``, ``("set", key, value, {"ex": s, "nx": True})``...) and returns its
result; a runner sends each command to a store and the reply back in. With Redis (the cache's
``LOCATION``) the same commands go to a redis-py client from a thread or to a redis.asyncio client on
the event loop, so the sync and async paths cannot drift apart; with another cache backend (local memory
in the embedded run) they map onto Django's public cache API. Keys are the cache's own
(``cache.make_and_validate_key``: its prefix and version), so ``cache.clear()`` clears them too.

Why not ``cache.get``/``cache.set`` for Redis: they pickle every value (the fast path would have to
unpickle on the event loop) and Django's Redis backend has no native async methods (its ``aget`` runs in
a thread, which is what the fast path exists to avoid).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Generator
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.signals import setting_changed
from django.dispatch import receiver

_VERSION_KEY = "posegen:library:version"
_VERSION_MEMO_SECONDS = 2.0  # how long a process trusts the version it last read
PAGE_FRESH_SECONDS = 30
PAGE_KEEP_SECONDS = 600
PAGE_REFRESH_LOCK_SECONDS = 15
_REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"

_version_memo: list[float] = [0.0, 0.0]  # (read at, version)
_clients: dict[str, Any] = {}  # "keys": a cache backend; "sync": redis.Redis; "async": (loop, redis.asyncio.Redis)

Command = tuple  # (name, *args[, kwargs dict])
Operation = Generator[Command, Any, Any]


def _redis_url() -> str | None:
    """The default cache's Redis URL (public configuration), or None when it is another backend."""
    config = settings.CACHES["default"]
    if config["BACKEND"] != _REDIS_BACKEND:
        return None
    location = config["LOCATION"]
    return location[0] if isinstance(location, list | tuple) else location.split(",")[0]


@receiver(setting_changed)
def _caches_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "CACHES":
        _clients.clear()
        _version_memo[0] = 0.0


# ---- runners: where an operation's commands go --------------------------------------------------------


def _split(command: Command) -> tuple[str, list, dict]:
    name, *args = command
    options = args.pop() if args and isinstance(args[-1], dict) else {}
    return name, args, options


def _local(command: Command) -> Any:
    """A command on Django's public cache API (non-Redis backends: the embedded run); keys as given."""
    name, args, options = _split(command)
    if name == "pipeline":
        return [_local(sub) for sub in args[0]]
    if name == "get":
        return cache.get(args[0])
    if name == "mget":
        found = cache.get_many(args[0])
        return [found.get(key) for key in args[0]]
    if name == "set":
        if options.get("nx"):
            return cache.add(args[0], args[1], options.get("ex"))
        cache.set(args[0], args[1], options.get("ex"))
        return True
    if name == "delete":
        return int(cache.delete(args[0]))
    if name == "incr":
        try:
            return cache.incr(args[0])
        except ValueError:
            cache.set(args[0], 1, None)
            return 1
    raise ValueError(f"no cache API form of {name}")


def _make_key(key: str) -> str:
    """The cache's own key for ``key`` (its KEY_PREFIX and VERSION), made by one backend object kept for
    the process: under ASGI ``cache`` is a new backend object in every request's context."""
    if "keys" not in _clients:
        _clients["keys"] = caches.create_connection("default")
    return _clients["keys"].make_and_validate_key(key)


def _on_redis(target: Any, command: Command) -> Any:
    """Queue or send one command to a redis-py client or pipeline (sync or asyncio: the same methods)."""
    name, args, options = _split(command)
    if name == "mget":
        args[0] = [_make_key(key) for key in args[0]]
    else:
        args[0] = _make_key(args[0])
    return getattr(target, name)(*args, **options)


def _run(operation: Operation) -> Any:
    """Run an operation from a thread: on Redis when the cache is Redis, else on the cache API."""
    url = _redis_url()
    if url is not None and "sync" not in _clients:
        import redis

        _clients["sync"] = redis.Redis.from_url(url)

    def execute(command: Command) -> Any:
        if url is None:
            return _local(command)
        if command[0] != "pipeline":
            return _on_redis(_clients["sync"], command)
        pipe = _clients["sync"].pipeline(transaction=False)
        for sub in command[1]:
            _on_redis(pipe, sub)
        return pipe.execute()

    try:
        command = next(operation)
        while True:
            command = operation.send(execute(command))
    except StopIteration as done:
        return done.value


async def _run_async(operation: Operation) -> Any:
    """Run an operation without leaving the event loop (Redis caches only; no pipelines needed here)."""
    import asyncio

    import redis.asyncio

    loop = asyncio.get_running_loop()
    if _clients.get("async", (None,))[0] is not loop:  # a client's connections belong to one loop
        _clients["async"] = (loop, redis.asyncio.Redis.from_url(_redis_url()))
    client = _clients["async"][1]
    try:
        command = next(operation)
        while True:
            command = operation.send(await _on_redis(client, command))
    except StopIteration as done:
        return done.value


def library_cache_async_available() -> bool:
    """Whether the cache is Redis, so the async reads below see what the sync writes stored."""
    return _redis_url() is not None


# ---- the operations, each written once -------------------------------------------------------------


def _get(key: str) -> Operation:
    return (yield ("get", key))


def _set(key: str, data: bytes, timeout: int) -> Operation:
    yield ("set", key, data, {"ex": timeout})


def _bump() -> Operation:
    yield ("incr", _VERSION_KEY)


def _version() -> Operation:
    """The cache generation, trusted for 2 s after it was last read."""
    now = time.monotonic()
    if now - _version_memo[0] > _VERSION_MEMO_SECONDS:
        raw = yield from _get(_VERSION_KEY)
        _version_memo[:] = [now, float(int(raw)) if raw else 0.0]
    return int(_version_memo[1])


def _page_keys(key: str) -> tuple[str, str]:
    return f"{key}:fresh", f"{key}:refreshing"


def _store(key: str, data: bytes) -> Operation:
    fresh, refreshing = _page_keys(key)
    yield ("pipeline", [("set", key, data, {"ex": PAGE_KEEP_SECONDS}), ("set", fresh, b"1", {"ex": PAGE_FRESH_SECONDS}),
                        ("delete", refreshing)])


def _lookup(key: str) -> Operation:
    fresh, refreshing = _page_keys(key)
    page, is_fresh = yield ("mget", [key, fresh])
    if page is None:
        return None, True
    if is_fresh is not None:
        return page, False
    won = yield ("set", refreshing, b"1", {"ex": PAGE_REFRESH_LOCK_SECONDS, "nx": True})
    return page, bool(won)


def _cache_key(kind: str, parts: dict[str, Any], version: int) -> str:
    digest = hashlib.sha256(repr(sorted(parts.items())).encode()).hexdigest()[:24]
    return f"posegen:library:{kind}:{version}:{digest}"


# ---- the public functions ---------------------------------------------------------------------------


def library_cache_version() -> int:
    """The library's cache generation (bumped by :func:`library_cache_bump`), re-read every 2 s."""
    return _run(_version())


def library_cache_key(*, kind: str, parts: dict[str, Any]) -> str:
    """A cache key for ``parts`` (filters, page...) in the current cache generation."""
    return _cache_key(kind, parts, library_cache_version())


async def library_cache_key_async(*, kind: str, parts: dict[str, Any]) -> str:
    """:func:`library_cache_key` without leaving the event loop (shares the 2 s version memo)."""
    return _cache_key(kind, parts, await _run_async(_version()))


def library_cache_get_bytes(key: str) -> bytes | None:
    """Raw bytes stored by :func:`library_cache_set_bytes` (no pickling on the hot path)."""
    return _run(_get(key))


def library_cache_set_bytes(key: str, data: bytes, timeout: int) -> None:
    _run(_set(key, data, timeout))


def library_cache_bump() -> None:
    """Forget cached totals and pages (after poses were added, removed, hidden or shown)."""
    _run(_bump())
    _version_memo[0] = 0.0


def library_page_store(key: str, data: bytes) -> None:
    """Store a rendered list page: fresh for PAGE_FRESH_SECONDS, kept for PAGE_KEEP_SECONDS."""
    _run(_store(key, data))


def library_page_lookup(key: str) -> tuple[bytes | None, bool]:
    """(page, refresh): the stored page or None, and whether this reader should render it again
    (a miss, or a stale page whose refresh lock this reader just took)."""
    return _run(_lookup(key))


async def library_page_lookup_async(key: str) -> tuple[bytes | None, bool]:
    """:func:`library_page_lookup` without leaving the event loop (Redis caches only)."""
    return await _run_async(_lookup(key))
