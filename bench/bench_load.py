"""Load test on the production-style stack of this machine (issue 10), in under 5 minutes:

    .venv/bin/python bench/bench_load.py                       # everything, defaults below
    .venv/bin/python bench/bench_load.py --seconds 10 --rounds 2 --locust-users 50 --ws-clients 500
    .venv/bin/python bench/bench_load.py --only wrk            # wrk, locust, ws: any comma list

Stack: uvicorn ``lumiku.asgi:application`` with 2 workers (the Procfile's web command) under
``lumiku.settings.bench`` (the app plus an empty DRF endpoint), a Celery worker on every queue
(prefork, 2 processes, the ``instant`` engine), PostgreSQL database ``lumiku_bench`` (50,000 poses,
built by bench_library_api.py when missing) and Redis db 14, port 8130.

1. wrk (C, one thread, 16 keep-alive connections, pinned with taskset to --client-cpus): the scenarios
   below interleaved, --rounds rounds of --seconds each, after one warm-up pass over every URL:
   empty (``/bench/empty``, the framework floor), apps (``/api/apps``), plain / filtered / searched
   library pages (anonymous: the cached fast path), plain-django (the same pages with ``format=json``,
   which the fast path leaves to Django: the cached page through middleware and DRF), uncached
   (2,500 page/limit pairs: mostly page-cache misses, the page query).
2. locust (bench/locustfile.py): the mixed, authenticated journey for --locust-seconds; per endpoint
   req/s, p50/p99 and failures.
3. bench_websockets.py: --ws-clients WebSocket clients, their own progress events, cross-user check.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PORT = int(os.environ.get("BENCH_PORT", "8130"))
BASE = "/api/apps/pose-generator/library"
SEARCHES = ("hands on hips", "sitting", "product", "yoga", "walking", "arms crossed", "kneeling", "selfie",
            "holding cup", "confident", "back view", "dance", "duduk", "jumping", "hand in hair")
SCENARIOS = ("empty", "apps", "plain", "filtered", "searched", "plain-django", "uncached")
ENV = {
    "DATABASE_URL": f"{PG}/lumiku_bench", "REDIS_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14"),
    "DJANGO_SETTINGS_MODULE": "lumiku.settings.bench", "DEBUG": "false", "LOG_LEVEL": "WARNING",
    "POSEGEN_ENGINE": "instant", "PYTHONPATH": str(ROOT),
}
os.environ.update(ENV)


def _paths(scenario: str) -> list[str]:
    from posegen.posekit.catalog import CATEGORIES

    top = [c.slug for c in CATEGORIES if c.parent is None]
    if scenario == "empty":
        return ["/bench/empty"]
    if scenario == "apps":
        return ["/api/apps"]
    if scenario == "plain":
        return [f"{BASE}?page={p}" for p in range(1, 51)]
    if scenario == "plain-django":
        return [f"{BASE}?page={p}&format=json" for p in range(1, 51)]
    if scenario == "filtered":
        return [f"{BASE}?{urlencode({'category': c, 'difficulty': d, 'page': p})}"
                for c in top for d in ("beginner", "intermediate", "advanced") for p in range(1, 6)]
    if scenario == "searched":
        return [f"{BASE}?{urlencode({'search': s, 'page': p})}" for s in SEARCHES for p in range(1, 4)]
    return [f"{BASE}?page={p}&limit={n}" for p in range(1, 51) for n in range(10, 60)]


def _database_ready() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = 'lumiku_bench'").fetchone()
    if exists:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True)
    else:
        from bench.bench_library_api import build_database

        build_database(50_000)


def _accounts(count: int, path: Path) -> None:
    """Bench accounts with credits, a project with an avatar and a JWT each, for the locustfile."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from PIL import Image
    from rest_framework_simplejwt.tokens import AccessToken

    from lumiku.core.storage import storage_save, user_storage_key
    from lumiku.credits.services import credits_grant
    from posegen.models import PoseGeneratorProject, PoseLibrary

    accounts = []
    for i in range(count):
        user, _ = get_user_model().objects.get_or_create(
            email=f"bench-load-{i}@lumiku.local", defaults={"password": make_password(None)})
        credits_grant(user_id=user.pk, amount=100_000, idempotency_key=f"bench-load:{user.pk}:{time.time_ns()}")
        project = PoseGeneratorProject.objects.filter(user=user).first()
        if project is None:
            buffer = io.BytesIO()
            Image.new("RGB", (64, 96), (180, 120, 90)).save(buffer, "PNG")
            key = storage_save(key=user_storage_key(user_id=user.pk, kind="bench", extension="PNG"),
                               content=buffer.getvalue())
            project = PoseGeneratorProject.objects.create(user=user, project_name="Load", avatar_image=key)
        accounts.append({"token": str(AccessToken.for_user(user)), "projectId": str(project.pk)})
    poses = [str(p) for p in PoseLibrary.objects.filter(is_public=True).values_list("pk", flat=True)[:200]]
    path.write_text(json.dumps({"accounts": accounts, "poseIds": poses}))


def _start(args) -> list[subprocess.Popen]:
    def pinned(command: list[str]) -> list[str]:
        return ["taskset", "-c", args.server_cpus, *command] if args.server_cpus else command

    server = subprocess.Popen(pinned([
        sys.executable, "-m", "uvicorn", "lumiku.asgi:application", "--host", "127.0.0.1", "--port", str(PORT),
        "--workers", str(args.workers), "--no-access-log", "--log-level", "warning"]), cwd=ROOT)
    worker = subprocess.Popen(pinned([
        sys.executable, "-m", "celery", "-A", "lumiku", "worker", "-Q", "default,engine,export", "-c", "2",
        "-l", "WARNING", "-n", f"bench-load-{os.getpid()}@%h"]), cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/bench/empty")
            if conn.getresponse().status == 200:
                return [server, worker]
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not start")


def _warm(paths: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    for path in paths:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)


def _wrk(args, scenario: str, folder: Path) -> dict:
    command = ["wrk", "-t1", "-c", str(args.connections), "-d", f"{args.seconds}s",
               "-s", str(ROOT / "bench/wrk/urls.lua"), f"http://127.0.0.1:{PORT}", "--", str(folder / scenario)]
    if args.client_cpus:
        command = ["taskset", "-c", args.client_cpus, *command]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    return json.loads(line.removeprefix("WRK_JSON "))


def run_wrk(args) -> list[tuple[str, int, dict]]:
    folder = Path(tempfile.mkdtemp(prefix="lumiku-wrk-"))
    for scenario in SCENARIOS:
        paths = _paths(scenario)
        (folder / scenario).write_text("\n".join(paths) + "\n")
        if scenario != "uncached":
            _warm(paths)
    rows = []
    for round_number in range(1, args.rounds + 1):
        for scenario in SCENARIOS:
            rows.append((scenario, round_number, _wrk(args, scenario, folder)))
            print(scenario, round_number, rows[-1][2], flush=True)
    return rows


def run_locust(args) -> list[dict]:
    folder = Path(tempfile.mkdtemp(prefix="lumiku-locust-"))
    users_file = folder / "users.json"
    _accounts(args.locust_users, users_file)
    subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench/locustfile.py"), "--headless",
                    "-u", str(args.locust_users), "-r", str(args.locust_users), "-t", f"{args.locust_seconds}s",
                    "--host", f"http://127.0.0.1:{PORT}", "--csv", str(folder / "load"), "--only-summary",
                    "--loglevel", "WARNING"],
                   cwd=ROOT, env={**os.environ, "LOAD_USERS_FILE": str(users_file)}, check=False)
    with open(folder / "load_stats.csv") as file:
        return list(csv.DictReader(file))


def run_ws(args) -> dict:
    out = subprocess.run([sys.executable, str(ROOT / "bench/bench_websockets.py"), "--url", f"ws://127.0.0.1:{PORT}",
                          "--clients", str(args.ws_clients), "--events", "4"],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    return json.loads(next(x for x in out.splitlines() if x.startswith("WS_JSON ")).removeprefix("WS_JSON "))


def report(wrk_rows, locust_rows, ws) -> None:
    with open("/proc/loadavg") as file:
        print(f"\nload average at the end: {' '.join(file.read().split()[:3])}")
    if wrk_rows:
        print("\n| scenario | round | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | vs empty |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        empty = {r: x["rps"] for s, r, x in wrk_rows if s == "empty"}
        for scenario, round_number, x in wrk_rows:
            print(f"| {scenario} | {round_number} | {x['rps']:,.0f} | {x['p50_ms']:.1f} | {x['p90_ms']:.1f} | "
                  f"{x['p99_ms']:.1f} | {x['max_ms']:.0f} | {x['errors'] + x['non2xx']} | "
                  f"{x['rps'] / empty[round_number]:.2f} |")
    if locust_rows:
        print("\n| endpoint | requests | failures | req/s | p50 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for row in locust_rows:
            print(f"| {row['Type']} {row['Name']} | {int(row['Request Count']):,} | {row['Failure Count']} | "
                  f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['99%']} | "
                  f"{float(row['Max Response Time']):.0f} |")
    if ws:
        print("\n" + json.dumps(ws))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="wrk,locust,ws")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server-cpus", default="", help="taskset CPU list for uvicorn and Celery (default: none)")
    parser.add_argument("--client-cpus", default="", help="taskset CPU list for wrk (default: none)")
    parser.add_argument("--locust-users", type=int, default=50)
    parser.add_argument("--locust-seconds", type=int, default=60)
    parser.add_argument("--ws-clients", type=int, default=500)
    args = parser.parse_args()
    parts = set(args.only.split(","))
    _database_ready()
    processes = _start(args)
    wrk_rows, locust_rows, ws = [], [], {}
    try:
        if "wrk" in parts:
            wrk_rows = run_wrk(args)
        if "locust" in parts:
            locust_rows = run_locust(args)
        if "ws" in parts:
            ws = run_ws(args)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    report(wrk_rows, locust_rows, ws)


if __name__ == "__main__":
    main()
