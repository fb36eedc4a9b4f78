"""Library API latency on 50,000 poses in PostgreSQL, under uvicorn (2 workers), 16 concurrent clients.

    .venv/bin/python bench/bench_library_api.py                  # build lumiku_bench, then measure
    .venv/bin/python bench/bench_library_api.py --reuse          # keep the existing lumiku_bench data
    .venv/bin/python bench/bench_library_api.py --seconds 20 --clients 16 --poses 50000

What it does:
1. (Re)creates the database ``lumiku_bench`` on the PostgreSQL server of $BENCH_PG (default
   postgres://postgres@127.0.0.1:5432), migrates it and bulk-inserts the catalogue's category tree and
   N poses (the 800-odd catalogue poses repeated with numbered names, real keypoints/OpenPose JSON,
   random usage and favourite counts), then ANALYZEs.
2. Starts ``uvicorn lumiku.asgi:application --workers 2`` against it (Redis db 14 for the cache).
3. Runs closed-loop load, no think time: ``--clients`` keep-alive HTTP/1.1 connections spread over 4
   client processes, each scenario for ``--seconds`` after a warm-up, and prints p50/p90/p99/max,
   throughput and errors per scenario:
   - plain: ``/library?page=P`` (P random 1..50, 20 per page, default popular sort)
   - filtered: ``/library?category=<top-level slug>&difficulty=<d>&page=P`` (descendants included)
   - searched: ``/library?search=<words>&page=P`` (P 1..3; full text, popular order)
   - baseline: ``/api/apps`` (static JSON through the same middleware and DRF): the framework's floor
   - uncached: ``/library?page=P&limit=L`` (P 1..50, L 10..59: 2,500 combinations, so most requests
     miss the 30 s page cache and run the page query; the total is cached per filter combination)
   The client runs on the same cores as the server and PostgreSQL, so the figures are pessimistic.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "lumiku_bench"
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
PORT = 8765
BASE = "/api/apps/pose-generator/library"
SEARCHES = ("hands on hips", "sitting", "product", "yoga", "walking", "arms crossed", "kneeling", "selfie",
            "holding cup", "confident", "back view", "dance", "duduk", "jumping", "hand in hair")
DIFFICULTIES = ("beginner", "intermediate", "advanced")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # CONN_MAX_AGE=0: under ASGI every request runs in its own thread, so persistent connections
    # (thread-local) are never reused and pile up until PostgreSQL refuses more clients.
    env.update(DATABASE_URL=f"{PG}/{DB_NAME}", REDIS_URL=REDIS, DJANGO_SETTINGS_MODULE="lumiku.settings.base",
               CONN_MAX_AGE="0",
               DEBUG="false", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    return env


def build_database(poses: int) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=_env(), check=True)
    started = time.perf_counter()
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); import bench.bench_library_api as b; b._populate({poses})"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), check=True)
    print(f"built {DB_NAME}: {poses:,} poses in {time.perf_counter() - started:.0f} s", flush=True)


def _populate(poses: int) -> None:
    import django

    django.setup()
    from django.db import connection

    from posegen.models import PoseLibrary
    from posegen.posekit.catalog import LICENSE_TYPE, SOURCE_CREDIT, build_catalog
    from posegen.posekit.catalog.render import pose_keypoints
    from posegen.posekit.formats import OpenPoseDocument, openpose_to_dict
    from posegen.services.library import library_categories_recount
    from posegen.services.library_seed import library_categories_seed

    by_slug = library_categories_seed()
    catalog = build_catalog().poses
    prepared = []
    for entry in catalog:
        keypoints = pose_keypoints(pose_dict=entry.pose_dict)
        document = OpenPoseDocument.single(body=keypoints, canvas_width=768, canvas_height=1024)
        prepared.append((entry, keypoints.round(5).tolist(), openpose_to_dict(document=document)))
    rng = random.Random(7)
    batch = []
    for i in range(poses):
        entry, keypoints, openpose = prepared[i % len(prepared)]
        usage = int(rng.paretovariate(1.2)) - 1
        favorites = rng.randint(0, max(1, usage // 10))
        batch.append(PoseLibrary(
            name=f"{entry.name} #{i // len(prepared) + 1}", description=entry.description,
            category=by_slug[entry.category], difficulty=entry.difficulty,
            gender_suitability=entry.gender_suitability, tags=list(entry.tags), source_credit=SOURCE_CREDIT,
            license_type=LICENSE_TYPE, keypoints=keypoints, openpose_json=openpose, pose_structure=entry.pose_dict,
            preview_image=f"library/poses/preview/{uuid.uuid4().hex}.jpg",
            reference_image=f"library/poses/reference/{uuid.uuid4().hex}.jpg",
            controlnet_image=f"library/poses/controlnet/{uuid.uuid4().hex}.png",
            thumbnail=f"library/poses/thumbnail/{uuid.uuid4().hex}.jpg",
            usage_count=usage, favorite_count=favorites, popularity_score=usage + favorites,
            is_featured=entry.featured and i < len(prepared),
        ))
        if len(batch) == 2000:
            PoseLibrary.objects.bulk_create(batch)
            batch.clear()
    if batch:
        PoseLibrary.objects.bulk_create(batch)
    library_categories_recount()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE posegen_poselibrary")


def start_server() -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "lumiku.asgi:application", "--host", "127.0.0.1", "--port", str(PORT),
         "--workers", "2", "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=_env())
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", f"{BASE}?limit=1")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("uvicorn did not start")


def _url(scenario: str, rng: random.Random, top_slugs: list[str]) -> str:
    if scenario == "baseline":  # the app registry: Django + DRF + middleware, no database, no cache
        return "/api/apps"
    if scenario == "plain":
        params = {"page": rng.randint(1, 50)}
    elif scenario == "uncached":  # 2,500 page/limit pairs: most requests miss the 30 s page cache
        params = {"page": rng.randint(1, 50), "limit": rng.randint(10, 59)}
    elif scenario == "filtered":
        params = {"category": rng.choice(top_slugs), "difficulty": rng.choice(DIFFICULTIES),
                  "page": rng.randint(1, 5)}
    else:
        params = {"search": rng.choice(SEARCHES), "page": rng.randint(1, 3)}
    return f"{BASE}?{urlencode(params)}"


def _client_thread(scenario, seconds, seed, top_slugs, out):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        url = _url(scenario, rng, top_slugs)
        started = time.perf_counter()
        try:
            conn.request("GET", url)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            ok = False
        out.append((time.perf_counter() - started, ok))


def _client_process(scenario, seconds, threads, seed, top_slugs, queue):
    import threading

    results: list = []
    workers = [threading.Thread(target=_client_thread, args=(scenario, seconds, seed * 100 + t, top_slugs, results))
               for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put(results)


def run_load(scenario: str, *, clients: int, seconds: float, top_slugs: list[str]) -> list:
    processes = 4 if clients >= 4 else 1
    per = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    queue: multiprocessing.Queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_client_process, args=(scenario, seconds, n, i, top_slugs, queue))
             for i, n in enumerate(per)]
    for p in procs:
        p.start()
    results = []
    for _ in procs:
        results += queue.get()
    for p in procs:
        p.join()
    return results


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--poses", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=4.0)
    parser.add_argument("--reuse", action="store_true", help="Keep the existing lumiku_bench database.")
    parser.add_argument("--scenarios", default="plain,filtered,searched,uncached")
    args = parser.parse_args()

    if not args.reuse:
        build_database(args.poses)
    from posegen.posekit.catalog import CATEGORIES

    top_slugs = [c.slug for c in CATEGORIES if c.parent is None]
    server = start_server()
    rows = []
    try:
        for scenario in args.scenarios.split(","):
            run_load(scenario, clients=args.clients, seconds=args.warmup, top_slugs=top_slugs)
            results = run_load(scenario, clients=args.clients, seconds=args.seconds, top_slugs=top_slugs)
            times = [t * 1000 for t, ok in results if ok]
            errors = sum(1 for _, ok in results if not ok)
            rows.append((scenario, len(results), len(results) / args.seconds, statistics.median(times),
                         _percentile(times, 90), _percentile(times, 99), max(times), errors))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\n{args.poses:,} poses · uvicorn 2 workers · {args.clients} concurrent clients · {args.seconds:.0f} s each")
    print("| scenario | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, n, rps, p50, p90, p99, worst, errors in rows:
        print(f"| {name} | {n:,} | {rps:.0f} | {p50:.1f} | {p90:.1f} | {p99:.1f} | {worst:.0f} | {errors} |")


if __name__ == "__main__":
    main()
