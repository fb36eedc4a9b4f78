"""A model created once per process on first use, under a lock.

The pose and selfie models are LiteRT interpreters: creating one costs ~200 ms and tens of MiB, and an
interpreter is not re-entrant, so each process keeps one of each and callers serialise on its lock. A
model that cannot start (a missing or damaged file, a runtime that rejects it) becomes the one error the
API turns into a 503, ``ModelUnavailable``, with the runtime's own words. Never imports Django.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class ProcessModel:
    def __init__(self, create: Callable[[], Any], *, what: str) -> None:
        self._create = create
        self._what = what
        self._model: Any = None
        # Held while the model is created, and by callers while they use it.
        self.lock = threading.Lock()

    def get(self) -> Any:
        if self._model is None:
            with self.lock:
                if self._model is None:
                    self._model = self._started()
        return self._model

    def _started(self) -> Any:
        # Imported here: extract.py (where the error lives) builds its own ProcessModel at import time.
        from posegen.posekit.extract import ModelUnavailable

        try:
            return self._create()
        except ModelUnavailable:
            raise
        except Exception as exc:  # LiteRT raises bare RuntimeErrors/ValueErrors on a bad model.
            raise ModelUnavailable(f"Could not start the {self._what}: {exc}") from exc
