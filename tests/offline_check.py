"""Run a snippet in a fresh interpreter with the network cut, and check it never imports Django."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO

_PROLOGUE = """
import socket, sys, urllib.request

def refuse(*args, **kwargs):
    raise AssertionError("network access attempted")

socket.socket.connect = refuse
urllib.request.urlopen = refuse
data = open(sys.argv[1], "rb").read()
"""
_EPILOGUE = """
leaked = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
assert not leaked, leaked
print("offline-ok")
"""


def assert_runs_offline_without_django(*, body: str, image: Path) -> None:
    """`body` may use `data` (the image's bytes); models must load from the installed wheels."""
    script = _PROLOGUE + body.strip() + "\n" + _EPILOGUE
    proc = subprocess.run(  # noqa: S603 - our own interpreter running our own script
        [sys.executable, "-c", script, str(image)],
        cwd=REPO, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "offline-ok" in proc.stdout
