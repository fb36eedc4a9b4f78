"""Fixtures for the diffusion-engine protocol tests: fast timeouts, small images, a fresh engine."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image


@pytest.fixture
def engine_settings(settings):
    """Small images and short waits; the selected engine is rebuilt for each test."""
    from posegen import engines as engines_module

    settings.POSEGEN_OUTPUT_WIDTH = 96
    settings.POSEGEN_OUTPUT_HEIGHT = 144
    settings.POSEGEN_RETRY_BACKOFF_SECONDS = 0.05
    settings.ENGINE_HTTP_TIMEOUT = 5.0
    settings.ENGINE_HTTP_CONNECT_TIMEOUT = 2.0
    settings.ENGINE_HTTP_RETRIES = 3
    settings.ENGINE_HTTP_BACKOFF_SECONDS = 0.02
    settings.ENGINE_HTTP_BACKOFF_CAP_SECONDS = 1.0
    settings.ENGINE_GENERATION_TIMEOUT = 20.0
    settings.ENGINE_POLL_INTERVAL_SECONDS = 0.05
    engines_module._engine.cache_clear()

    def select(name: str) -> None:
        settings.POSEGEN_ENGINE = name
        engines_module._engine.cache_clear()

    yield select
    engines_module._engine.cache_clear()


def png_bytes(width: int, height: int, color=(200, 40, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "PNG")
    return buf.getvalue()


def engine_request(*, width: int = 96, height: int = 144, seed: int = 7, weight: float = 0.65,
                   prompt: str = "a woman standing, studio photo"):
    """An EngineRequest without the database (for calling an engine directly)."""
    from posegen.engines.base import EngineRequest

    keypoints = np.zeros((18, 3), dtype=np.float32)
    keypoints[:, 0], keypoints[:, 1], keypoints[:, 2] = 0.5, np.linspace(0.1, 0.9, 18), 1.0
    return EngineRequest(avatar_image=png_bytes(64, 96), keypoints=keypoints,
                         controlnet_map_loader=lambda: png_bytes(width, height, (0, 0, 0)), prompt=prompt,
                         negative_prompt="blurry", seed=seed, controlnet_weight=weight, width=width, height=height)


def decoded_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        return img.size
