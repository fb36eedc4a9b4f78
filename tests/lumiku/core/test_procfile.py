"""The Procfile as written, on one machine (issue 17): `honcho` (a real Procfile runner) starts web, worker,
engine and beat on the test database and Redis; health is 200 within 60 s, and once `engine` is stopped
health names the `engine` queue within the heartbeat TTL.

Two honcho supervisors run the one Procfile: honcho stops every process when any one exits, so `engine`
gets its own to be stopped alone, exactly as a second machine or a systemd unit would."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import suppress
from pathlib import Path

import pytest

from tests.chaos.harness import purge_queues, requires_real_stack, subprocess_env
from tests.paths import REPO

pytestmark = [pytest.mark.slow, requires_real_stack]
HONCHO = shutil.which("honcho", path=str(Path(sys.executable).parent)) or shutil.which("honcho")
METRICS_TOKEN = "procfile-test-token"  # health details for operators once anonymous health hides them


class Honcho:
    def __init__(self, *names: str, env: dict, log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - a fixed argv
                [HONCHO, "-f", str(REPO / "Procfile"), "-d", str(REPO), "start", *names],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def child_pids(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", self.output())]

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM as an operator's Ctrl-C: honcho passes it to each process group and waits."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for pid in self.child_pids():  # each process runs in its own session: none may outlive the test
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


def _health(port: int) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/apps/pose-generator/health",
                                     headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback, fixed URL
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_green(port: int, app: Honcho, engine: Honcho, timeout: float = 60) -> tuple[float, dict]:
    started = time.monotonic()
    status, body = 0, {}
    while time.monotonic() - started < timeout:
        assert app.process.poll() is None, app.output()[-4000:]
        assert engine.process.poll() is None, engine.output()[-4000:]
        with suppress(OSError, ValueError):
            status, body = _health(port)
            if status == 200:
                return time.monotonic() - started, body
        time.sleep(1)
    raise AssertionError((status, body, app.output()[-3000:], engine.output()[-3000:]))


def _wait_status(port: int, wanted: int, *, deadline: float) -> tuple[int, dict]:
    while True:
        status, body = _health(port)
        if status == wanted or time.monotonic() > deadline:
            return status, body
        time.sleep(0.25)


def _assert_names_engine(status: int, body: dict) -> None:
    assert status == 503, body
    assert body["failing"] == ["workers"]
    assert body["checks"]["workers"]["missingQueues"] == ["engine"]
    assert body["checks"]["workers"]["detail"] == "no worker consumes queue(s): engine"


@pytest.mark.timeout(240)
def test_procfile_on_one_machine_is_green_then_names_a_stopped_engine(transactional_db, tmp_path, settings):
    assert HONCHO, "honcho is pinned in requirements-dev.txt"
    port = _free_port()
    env = subprocess_env(redis_url=os.environ["REDIS_URL"], engine="mannequin", call_log=tmp_path / "calls.log")
    env.update(PORT=str(port), WEB_CONCURRENCY="1", WORKER_CONCURRENCY="1", ENGINE_CONCURRENCY="1",
               METRICS_TOKEN=METRICS_TOKEN, LOG_LEVEL="INFO",
               # `python`, `celery`, `uvicorn` of the Procfile are the virtualenv's, as on an activated machine
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    purge_queues(env["REDIS_URL"])
    release = subprocess.run([HONCHO, "-f", str(REPO / "Procfile"), "-d", str(REPO), "start", "release"],  # noqa: S603
                             cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert release.returncode == 0, release.stdout + release.stderr
    app = Honcho("web", "worker", "beat", env=env, log=tmp_path / "app.log")
    engine = Honcho("engine", env=env, log=tmp_path / "engine.log")
    try:
        green_after, body = _wait_green(port, app, engine)
        workers = body["checks"]["workers"]["workers"]
        names = sorted(w["hostname"].split("@")[0] for w in workers)
        assert names == ["engine", "worker"]  # the Procfile's -n: two distinct nodes, each seen
        by_name = {w["hostname"].split("@")[0]: sorted(w["queues"]) for w in workers}
        assert by_name == {"engine": ["engine"], "worker": ["default", "export"]}

        # Stopped: SIGTERM, as an operator's Ctrl-C (honcho passes it on; Celery's warm shutdown).
        stopped = time.monotonic()
        engine.process.send_signal(signal.SIGTERM)
        status, body = _wait_status(port, 503, deadline=stopped + settings.WORKER_HEARTBEAT_TTL)
        named_after = time.monotonic() - stopped
        engine.stop()
        assert engine.process.returncode is not None
        _assert_names_engine(status, body)

        # Killed: SIGKILL to the engine's process group leaves its row behind; it stops counting within the
        # TTL of its last beat (plus the poll and one health request).
        engine = Honcho("engine", env=env, log=tmp_path / "engine-2.log")
        _wait_green(port, app, engine)
        [engine_pid] = engine.child_pids()
        killed = time.monotonic()
        os.killpg(engine_pid, signal.SIGKILL)
        status, body = _wait_status(port, 503, deadline=killed + settings.WORKER_HEARTBEAT_TTL + 1.0)
        dead_after = time.monotonic() - killed
        _assert_names_engine(status, body)
        print(f"health 200 after {green_after:.1f} s; engine named {named_after:.1f} s after SIGTERM, "
              f"{dead_after:.1f} s after SIGKILL (TTL {settings.WORKER_HEARTBEAT_TTL} s)")
    finally:
        engine.stop()
        app.stop()
        purge_queues(env["REDIS_URL"])
