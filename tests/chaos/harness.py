"""Real processes for the fault-injection suite: Celery workers started as the Procfile starts the engine
process (`celery -A lumiku worker`, prefork, prefetch 1) and private redis-servers, each in its own process
group so a test can SIGKILL one whole. Nothing here imports Django at module level: the workers are
configured through their environment (tests/chaos/settings.py reads it)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.paths import REPO

# Short enough that a lost image comes back within seconds: the sweep re-dispatches a generation with
# no progress for STALE_AFTER seconds, and dispatch re-queues an image whose claim is older than LEASE.
# LEASE < STALE_AFTER, so the first re-dispatch already finds the stranded image claimable. (In
# production the lease sits above the task's hard time limit; here every image takes 0.25 s, so a
# 2 s lease never takes an image from a live worker.)
LEASE_SECONDS = 2
STALE_AFTER_SECONDS = 3
IMAGES = 20
PRICE = 30  # credits per gallery image (posegen.services.pricing)
CHAOS_PORTS = range(6391, 6400)  # private redis-servers (the shared one on 6379 is never restarted)
QUEUE_KEY_PATTERNS = ("default*", "engine*", "export*", "unacked*")

requires_real_stack = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
         and os.environ.get("REDIS_URL")),
    reason="the chaos suite runs real worker processes on PostgreSQL + Redis (set DATABASE_URL and REDIS_URL)",
)
requires_redis_server = pytest.mark.skipif(shutil.which("redis-server") is None,
                                           reason="needs the redis-server binary for a private, restartable Redis")


def subprocess_env(*, redis_url: str, engine: str, call_log: Path, label: str = "-") -> dict[str, str]:
    """The environment of a worker or manage.py subprocess: this session's test database and media."""
    from django.conf import settings
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.chaos.settings",
        CHAOS_DB_NAME=connection.settings_dict["NAME"],
        CHAOS_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        CHAOS_CALL_LOG=str(call_log),
        CHAOS_WORKER_LABEL=label,
        REDIS_URL=redis_url,
        POSEGEN_ENGINE=engine,
        POSEGEN_OUTPUT_WIDTH="96",
        POSEGEN_OUTPUT_HEIGHT="144",
        POSEGEN_RETRY_BACKOFF_SECONDS="0.05",
        POSEGEN_CLAIM_LEASE_SECONDS=str(LEASE_SECONDS),
        POSEGEN_STALE_AFTER_SECONDS=str(STALE_AFTER_SECONDS),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Worker:
    """One `celery -A lumiku worker` process group consuming every queue."""

    name: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self) -> Worker:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed argv
            [sys.executable, "-m", "celery", "-A", "lumiku", "worker", "-Q", "default,engine,export",
             "--pool", "prefork", "--concurrency", "2", "--prefetch-multiplier", "1", "-n", self.name,
             "--without-gossip", "--without-mingle", "-l", "WARNING"],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until the worker answers a ping through its broker (it is consuming)."""
        from lumiku.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.assert_running()
            try:
                if app.control.ping(destination=[self.name], timeout=0.5):
                    return
            except Exception:  # noqa: S110 - the broker itself may still be coming back
                pass
            time.sleep(0.2)
        raise AssertionError(f"worker {self.name} never answered a ping:\n{self.log_tail()}")

    def assert_running(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise AssertionError(f"worker {self.name} exited:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL to the whole process group: the main process and every pool child die mid-task."""
        with contextlib.suppress(ProcessLookupError):  # the group may be gone already
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # Cold shutdown: the test is over, nothing left to finish (and a warm one costs seconds).
        os.killpg(self.process.pid, signal.SIGQUIT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        else:
            _kill_group_leftovers(self.process.pid)

    def dump_stacks(self) -> None:
        """Every process of the group writes its threads' stacks to the log (tests/chaos/settings.py)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGUSR2)
            time.sleep(0.5)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""


def _kill_group_leftovers(pgid: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


@dataclass
class Workers:
    """Starts workers for one test and stops every one of them afterwards."""

    tmp: Path
    started: list[Worker] = field(default_factory=list)

    def start(self, *, label: str, redis_url: str, engine: str, call_log: Path) -> Worker:
        env = subprocess_env(redis_url=redis_url, engine=engine, call_log=call_log, label=label)
        worker = Worker(name=f"chaos-{label}-{os.getpid()}@localhost", env=env,
                        log_path=self.tmp / f"worker-{label}.log").start()
        self.started.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()


@dataclass
class RedisServer:
    """A throwaway redis-server without persistence: a restart loses every queued message."""

    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed argv
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server on {self.port} did not start: {self.log_path.read_text()}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def free_chaos_port() -> int:
    for port in CHAOS_PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port in {CHAOS_PORTS.start}-{CHAOS_PORTS.stop - 1} for a private redis-server")


@contextmanager
def broker_at(url: str):
    """Point this process's Celery app (the API's enqueue, the test's sweep and pings) at another broker."""
    from lumiku.celery import app

    def switch(to: str) -> None:
        from kombu import pools

        # kombu keeps one pool per broker address for the whole process; a closed one is never reopened,
        # so drop them all (a later switch back to an address gets a fresh pool).
        pools.reset()
        app.conf.broker_url = to
        app._after_fork()  # forgets the app's own pool references, exactly as after a fork

    previous = app.conf.broker_url
    switch(url)
    try:
        yield
    finally:
        switch(previous)


def purge_queues(redis_url: str) -> None:
    """Drop Celery's queues and unacked messages from a Redis db (a previous run's leftovers)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for pattern in QUEUE_KEY_PATTERNS:
        keys = list(client.scan_iter(match=pattern))
        if keys:
            client.delete(*keys)


def unacked_task_args(redis_url: str, *, task: str) -> list[list]:
    """The arguments of `task` messages a worker took from the broker and never acknowledged (kombu keeps
    them in the `unacked` hash until the visibility timeout): the work a killed worker held."""
    import base64
    import json

    import redis

    found = []
    for raw in redis.Redis.from_url(redis_url).hvals("unacked"):
        message = json.loads(raw)[0]
        if message["headers"].get("task") == task:
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            found.append(args)
    return found


def queued_task_args(redis_url: str, *, task: str, queue: str) -> list[list]:
    """The arguments of `task` messages still waiting in `queue` (kombu's list of that name): work no worker
    has taken yet, which the next worker to consume will get."""
    import base64
    import json

    import redis

    found = []
    for raw in redis.Redis.from_url(redis_url).lrange(queue, 0, -1):
        message = json.loads(raw)
        if message["headers"].get("task") == task:
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            found.append(args)
    return found


def queue_lengths(redis_url: str) -> dict[str, int]:
    import redis

    client = redis.Redis.from_url(redis_url)
    return {"default": client.llen("default"), "engine": client.llen("engine"), "unacked": client.hlen("unacked")}


def diagnose(*, generation_id, redis_url: str, call_log: Path, workers=()) -> str:
    """What a timed-out wait shows: the images' states, the broker's queues, the engine log, worker logs."""
    from posegen.models import GeneratedPose, PoseGeneration

    generation = PoseGeneration.objects.filter(pk=generation_id).values(
        "status", "enqueue_attempts", "last_progress_at").first()
    poses = Counter(GeneratedPose.objects.filter(generation_id=generation_id).values_list("status", flat=True))
    try:
        queues = queue_lengths(redis_url)
    except Exception as exc:
        queues = {"error": str(exc)}
    for worker in workers:
        worker.dump_stacks()
    logs = "\n".join(f"--- {w.name} ---\n{w.log_tail(chars=20000)}" for w in workers)
    return f"generation {generation}\nposes {dict(poses)}\nqueues {queues}\ncalls {read_call_log(call_log)}\n{logs}"


def send_sweep() -> None:
    """What beat does every POSEGEN_SWEEP_INTERVAL_SECONDS: publish the stale-generation sweep."""
    from posegen.tasks import generation_sweep_stale

    generation_sweep_stale.apply_async()


def audit_credits(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "audit_credits"], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )


def read_call_log(path: Path) -> list[tuple[str, str, int]]:
    """[(worker label, event, seed)] in the order the engines wrote them."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        label, _pid, event, seed = line.split()
        rows.append((label, event, int(seed)))
    return rows


def event_counts(rows, *, event: str, label: str | None = None) -> Counter:
    return Counter(seed for lbl, ev, seed in rows if ev == event and (label is None or lbl == label))


def wait_until(predicate, *, timeout: float, interval: float = 0.02, message: str = "condition", on_fail=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    detail = on_fail() if on_fail else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {message}\n{detail}")
