"""Run a function from many threads at once (each with its own database connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_concurrently(n: int, fn: Callable[[int], object], *, timeout: float = 120.0) -> list[tuple[str, object]]:
    """Call fn(0..n-1) from n threads released together; returns [("ok", result) | ("error", exc)]."""
    from django.db import connection

    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = ("ok", fn(i))
        except Exception as exc:
            outcomes[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return outcomes
