"""A forked child (a Celery prefork process) must not use or end the parent's pooled database sessions."""

import os

import pytest
from django.db import connection

from lumiku.core.db_fork import database_forget_inherited

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_forked_child_opens_its_own_session_and_leaves_the_parents_alive():
    if not connection.settings_dict.get("OPTIONS", {}).get("pool"):
        pytest.skip("the inherited-pool hazard needs DATABASE_POOL on")
    _backend_pid()
    connection.close()  # back into the pool, idle: what a child would otherwise be handed
    pooled = {conn.info.backend_pid for conn in connection.pool._pool}
    assert pooled
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe and never returns
        code = 1
        try:
            database_forget_inherited()
            os.write(write_end, str(_backend_pid()).encode())
            connection.close()
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    child_pid = int(os.read(read_end, 64) or b"0")
    os.close(read_end)
    _, status = os.waitpid(child, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert child_pid and child_pid not in pooled  # the child had a session of its own
    with connection.cursor() as cursor:  # and none of the parent's pooled sessions was ended by it
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [list(pooled)])
        assert cursor.fetchone()[0] == len(pooled)
