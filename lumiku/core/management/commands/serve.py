"""Serve the whole app from one command: ASGI (HTTP + WebSockets) plus a Celery worker and beat.

Embedded (no REDIS_URL): the worker, beat and web server share one process, so the in-process
broker and channel layer connect them. With REDIS_URL the same layout runs against Redis; for
production scale, run the Procfile's processes separately instead.
"""

from __future__ import annotations

import threading

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand

from lumiku.core.queues import Queue


class Command(BaseCommand):
    help = "Serve the app (ASGI) with an embedded Celery worker and beat."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--no-worker", action="store_true", help="serve HTTP/WebSockets only")

    def handle(self, *args, host, port, concurrency, no_worker, **options):
        config = uvicorn.Config("lumiku.asgi:application", host=host, port=port, lifespan="off",
                                log_level="info", ws="websockets-sansio")
        server = uvicorn.Server(config)
        mode = "embedded (SQLite/in-process broker)" if settings.EMBEDDED else "Redis"
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(f"Serving http://{host}:{port}  ({mode}, database: {engine})")
        if no_worker:
            server.run()
            return
        web = threading.Thread(target=server.run, name="uvicorn", daemon=True)
        web.start()
        from celery.beat import EmbeddedService

        from lumiku.celery import app

        beat = EmbeddedService(app, thread=True, schedule_filename=str(settings.VAR_DIR / "celerybeat-schedule"))
        beat.start()
        worker = app.Worker(
            hostname=f"embedded@{host}:{port}",
            queues=[q.value for q in Queue],
            pool="threads",
            concurrency=concurrency,
            loglevel="INFO",
            without_mingle=True,
            without_gossip=True,
        )
        try:
            worker.start()  # blocks; Ctrl-C stops the worker, then the server below
        finally:
            beat.stop()
            server.should_exit = True
            web.join(timeout=10)
