"""Settings for the load benchmarks (bench/): the base settings plus a bench-only URL conf with an
empty DRF endpoint (the framework's floor), which production URLs never contain.

``LIBRARY_FAST_PATH=false`` sends every library list request through Django, to compare.
"""

from .base import *  # noqa: F403
from .base import env

ROOT_URLCONF = "bench.urls_bench"
POSEGEN_LIBRARY_FAST_PATH = env.bool("LIBRARY_FAST_PATH", default=True)
