"""What every settings module reads from: the checkout's paths, the environment (and a local `.env`), the
app's version.

VAR_DIR is read before `.env` is loaded, so it can only come from the real environment: `.env` itself may
live in a checkout whose var/ folder is elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("LUMIKU_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

APP_VERSION = "1.0.0"
