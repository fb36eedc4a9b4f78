"""Prefork safety for database connections.

A Celery prefork child starts as a copy of the worker's main process, including Django's psycopg pool
(kept on the backend class) and any open connection: their sockets are the parent's and the pool's
threads did not survive the fork. Used from the child they hang (a pool request no thread will serve) or
mix two processes' traffic on one session; closed from the child they end the parent's sessions (psycopg
sends a Terminate). So the child forgets them without any network I/O, keeps them referenced so that no
finaliser ever closes them, and opens its own on first use.
"""

from __future__ import annotations

_INHERITED: list = []


def database_forget_inherited() -> None:
    """Call first thing in a forked child (Celery's worker_process_init), before anything touches the database."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            _INHERITED.append(conn.connection)
            conn.connection = None
    for conn in connections.all():
        pools = getattr(type(conn), "_connection_pools", None)
        if pools:
            _INHERITED.append(dict(pools))
            pools.clear()
