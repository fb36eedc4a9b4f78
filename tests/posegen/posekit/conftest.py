"""Fixtures for the Django-free pose toolkit."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.paths import TESTDATA

# ../shared/testdata/poses relative to the repository root; a user's clone does not have it.
SHARED_POSES = TESTDATA / "poses"


@pytest.fixture
def shared_poses() -> Path:
    if not SHARED_POSES.is_dir():
        pytest.skip(f"shared pose files not available at {SHARED_POSES}")
    return SHARED_POSES
