"""An engine that returns at once: measures the pipeline's own overhead (benchmarks, load tests)."""

from __future__ import annotations

import io
import time

from PIL import Image

from posegen.engines.base import EngineRequest, EngineResult


class InstantEngine:
    name = "instant"

    def generate(self, request: EngineRequest) -> EngineResult:
        started = time.perf_counter()
        shade = 180 + (request.seed % 60)
        buffer = io.BytesIO()
        Image.new("RGB", (request.width // 8, request.height // 8), (shade, shade, shade)).save(buffer, "PNG")
        return EngineResult(image=buffer.getvalue(), width=request.width // 8, height=request.height // 8,
                            seed=request.seed, elapsed=time.perf_counter() - started, confidence=1.0)
