"""N concurrent WebSocket clients on the real ASGI server with the Redis channel layer: connect time,
event latency, and that every user receives exactly their own events.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lumiku_bench REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/bench_websockets.py --url ws://127.0.0.1:8130 --clients 500 --events 4

1. Creates (or reuses) N bench users ``bench-ws-<i>@lumiku.local`` and issues each a WebSocket ticket
   with the product's ticket service (what ``POST /ws-ticket`` does).
2. Connects N clients (``websockets``; 50 handshakes at a time) to ``/ws/pose-generator/?ticket=...``
   and times each until its ``connection.ready`` message (ticket redeemed, user loaded, group joined,
   active generations read).
3. A separate process publishes ``--events`` ``generation.progress`` events per user through
   ``lumiku.core.realtime.realtime_publish`` (the pipeline's publisher: Redis channel layer group
   send), interleaved over users at ``--rate`` events/s, each stamped with its user and send time.
4. Every client checks that each event carries its own user id; reports latency p50/p99/max, events
   received vs expected, and cross-user deliveries (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lumiku.settings.base")


def _setup_django() -> None:
    import django

    django.setup()


def bench_users(count: int) -> list[str]:
    """Ids of ``count`` bench users (created once, reused after)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    emails = [f"bench-ws-{i}@lumiku.local" for i in range(count)]
    have = set(user_model.objects.filter(email__in=emails).values_list("email", flat=True))
    from django.contrib.auth.hashers import make_password

    unusable = make_password(None)  # sign-in is not part of the bench: tickets are issued directly
    user_model.objects.bulk_create([user_model(email=e, password=unusable) for e in emails if e not in have])
    ids = dict(user_model.objects.filter(email__in=emails).values_list("email", "pk"))
    return [str(ids[e]) for e in emails]


def _publisher(user_ids: list[str], events: int, rate: float, start_at: float) -> None:
    _setup_django()
    from lumiku.core.realtime import realtime_publish

    generation_ids = {u: str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-ws/{u}")) for u in user_ids}
    while time.time() < start_at:
        time.sleep(0.01)
    interval = 1.0 / rate
    due = time.perf_counter()
    for sequence in range(1, events + 1):
        for user_id in user_ids:
            due += interval
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            realtime_publish(user_id=user_id, event_type="generation.progress", payload={
                "generationId": generation_ids[user_id], "status": "processing",
                "percentage": round(100 * sequence / events), "posesCompleted": sequence, "posesFailed": 0,
                "totalPosesExpected": events, "benchUserId": user_id, "sentAt": time.time()})


async def _client(url: str, origin: str, user_id: str, ticket: str, expected: int, gate: asyncio.Semaphore,
                  result: dict, connected: asyncio.Event, stop: asyncio.Event) -> None:
    import websockets

    async with gate:
        started = time.perf_counter()
        socket = await websockets.connect(f"{url}/ws/pose-generator/?ticket={ticket}", origin=origin,
                                          open_timeout=60, max_queue=None)
        ready = json.loads(await asyncio.wait_for(socket.recv(), 60))
        assert ready["type"] == "connection.ready", ready
        result["connect_ms"] = (time.perf_counter() - started) * 1000
    connected.set()
    latencies, foreign = result["latencies"], 0
    try:
        while len(latencies) + foreign < expected and not stop.is_set():
            try:
                event = json.loads(await asyncio.wait_for(socket.recv(), 1.0))
            except TimeoutError:
                continue
            if event.get("type") != "generation.progress":
                continue
            if event.get("benchUserId") != user_id:
                foreign += 1
            else:
                latencies.append((time.time() - event["sentAt"]) * 1000)
    finally:
        result["foreign"] = foreign
        await socket.close()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


async def run(url: str, clients: int, events: int, rate: float, timeout: float) -> dict:
    from asgiref.sync import sync_to_async

    from lumiku.core.ws_auth import ws_ticket_issue

    user_ids = await sync_to_async(bench_users)(clients)
    tickets = [ws_ticket_issue(user_id=u) for u in user_ids]
    origin = url.replace("ws://", "http://").replace("wss://", "https://")
    gate = asyncio.Semaphore(50)
    stop = asyncio.Event()
    results = [{"latencies": []} for _ in user_ids]
    flags = [asyncio.Event() for _ in user_ids]
    started = time.perf_counter()
    tasks = [asyncio.create_task(_client(url, origin, u, t, events, gate, r, f, stop))
             for u, t, r, f in zip(user_ids, tickets, results, flags, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(f.wait() for f in flags)), timeout)
    connect_wall = time.perf_counter() - started
    publisher = multiprocessing.get_context("spawn").Process(
        target=_publisher, args=(user_ids, events, rate, time.time() + 1.0))
    publisher.start()
    done, pending = await asyncio.wait(tasks, timeout=timeout + clients * events / rate)
    stop.set()
    await asyncio.gather(*pending, return_exceptions=True)
    failures = [t.exception() for t in done if t.exception() is not None]
    publisher.join(timeout=30)
    latencies = [x for r in results for x in r["latencies"]]
    connects = [r["connect_ms"] for r in results if "connect_ms" in r]
    return {
        "clients": clients, "connected": len(connects), "connect_wall_s": round(connect_wall, 2),
        "connect_p50_ms": round(statistics.median(connects), 1), "connect_p99_ms": round(_percentile(connects, 99), 1),
        "connect_max_ms": round(max(connects), 1),
        "events_expected": clients * events, "events_received": len(latencies),
        "users_complete": sum(1 for r in results if len(r["latencies"]) == events),
        "cross_user_deliveries": sum(r.get("foreign", 0) for r in results),
        "latency_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "latency_p99_ms": round(_percentile(latencies, 99), 1), "latency_max_ms": round(max(latencies or [0]), 1),
        "publish_rate_per_s": rate, "client_errors": len(failures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="ws://127.0.0.1:8130")
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--events", type=int, default=4, help="events per user")
    parser.add_argument("--rate", type=float, default=250.0, help="events published per second, all users")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    _setup_django()
    report = asyncio.run(run(args.url, args.clients, args.events, args.rate, args.timeout))
    print("WS_JSON " + json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
