"""Settings for the chaos suite's subprocesses (`celery worker`, `manage.py audit_credits`).

The test settings, pointed at the database pytest-django created for the session and at the test
process's media root (both passed in the environment by tests/chaos/harness.py), with the test engines.
"""

import faulthandler
import os
import signal
from pathlib import Path

from lumiku.settings.test import *  # noqa: F403
from lumiku.settings.test import DATABASES, STORAGE_BACKEND
from tests.engines import TEST_ENGINES

DATABASES["default"]["NAME"] = os.environ["CHAOS_DB_NAME"]
if STORAGE_BACKEND == "local":
    MEDIA_ROOT = Path(os.environ["CHAOS_MEDIA_ROOT"])
POSEGEN_EXTRA_ENGINES = TEST_ENGINES
POSEGEN_ENGINE = os.environ["POSEGEN_ENGINE"]  # the test settings pin one; each chaos test chooses its own

# A hung worker explains itself: the harness sends SIGUSR2 to the group before giving up, and every
# process (pool children inherit this) writes all its threads' stacks to the worker log.
faulthandler.register(signal.SIGUSR2, all_threads=True)
