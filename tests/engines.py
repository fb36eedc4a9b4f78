"""Engines for pipeline tests (the engine is a paid/heavy external part; the pipeline under test is real).

Selected through settings.POSEGEN_EXTRA_ENGINES + POSEGEN_ENGINE. Call counts are process-wide so a
test can prove no image was generated twice.
"""

from __future__ import annotations

import io
import os
import random
import threading
import time
from collections import Counter

from PIL import Image

from posegen.engines.base import EngineError, EngineRequest, EngineResult, TransientEngineError

CALLS: Counter = Counter()
_LOCK = threading.Lock()


def _record(name: str, request: EngineRequest) -> int:
    with _LOCK:
        CALLS[name] += 1
        CALLS[(name, request.seed)] += 1
        return CALLS[(name, request.seed)]


def _image(request: EngineRequest) -> EngineResult:
    buf = io.BytesIO()
    Image.new("RGB", (request.width, request.height), (120, 140, 160)).save(buf, "PNG")
    return EngineResult(image=buf.getvalue(), width=request.width, height=request.height, seed=request.seed,
                        elapsed=0.0, confidence=0.9)


class CountingEngine:
    name = "counting"

    def generate(self, request):
        _record(self.name, request)
        return _image(request)


class OddSeedsFailEngine:
    """Rejects every image whose seed is odd (a moderation-style refusal: not retried)."""

    name = "odd-fail"

    def generate(self, request):
        _record(self.name, request)
        if request.seed % 2:
            raise EngineError("odd seed", user_message="The provider refused this image.")
        return _image(request)


class FlakyEngine:
    """Transient failure on the first two calls for each seed, then success."""

    name = "flaky"

    def generate(self, request):
        if _record(self.name, request) <= 2:
            raise TransientEngineError("503 from provider")
        return _image(request)


class AlwaysTransientEngine:
    name = "always-transient"

    def generate(self, request):
        _record(self.name, request)
        raise TransientEngineError("timeout")


class SlowEngine:
    name = "slow"

    def generate(self, request):
        _record(self.name, request)
        time.sleep(0.4)
        return _image(request)


class WrongSizeEngine:
    name = "wrong-size"

    def generate(self, request):
        _record(self.name, request)
        result = _image(request)
        return EngineResult(image=result.image, width=request.width + 1, height=request.height, seed=request.seed,
                            elapsed=0.0)


# --- engines for tests/chaos: they run inside `celery worker` subprocesses, so they record to a file -----
def chaos_log(event: str, request: EngineRequest) -> None:
    """Append "<worker label> <pid> <event> <seed>" to $CHAOS_CALL_LOG (one O_APPEND write: atomic across
    processes), so a test can tell which worker started or finished which image, after a SIGKILL too."""
    path = os.environ.get("CHAOS_CALL_LOG")
    if not path:
        return
    line = f"{os.environ.get('CHAOS_WORKER_LABEL', '-')} {os.getpid()} {event} {request.seed}\n".encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def chaos_fails(seed: int, *, rate: float = 0.3) -> bool:
    """Whether the seeded-random engine refuses the image with this seed (the same answer in every process)."""
    return random.Random(f"chaos:{seed}").random() < rate


class ChaosSlowEngine:
    """Slow and deterministic ($CHAOS_ENGINE_DELAY seconds, default 0.25), so a kill lands mid-image."""

    name = "chaos-slow"

    def generate(self, request):
        chaos_log("start", request)
        time.sleep(float(os.environ.get("CHAOS_ENGINE_DELAY", "0.25")))
        result = _image(request)
        chaos_log("done", request)
        return result


class ChaosRandomFailEngine:
    """Refuses (not retried) the ~30 % of images whose seed `chaos_fails`; the rest like chaos-slow, faster."""

    name = "chaos-random-fail"

    def generate(self, request):
        chaos_log("start", request)
        time.sleep(float(os.environ.get("CHAOS_ENGINE_DELAY", "0.05")))
        if chaos_fails(request.seed):
            chaos_log("refused", request)
            raise EngineError("seeded random failure", user_message="The provider refused this image.")
        result = _image(request)
        chaos_log("done", request)
        return result


TEST_ENGINES = {
    cls.name: f"tests.engines.{cls.__name__}"
    for cls in (CountingEngine, OddSeedsFailEngine, FlakyEngine, AlwaysTransientEngine, SlowEngine, WrongSizeEngine,
                ChaosSlowEngine, ChaosRandomFailEngine)
}
