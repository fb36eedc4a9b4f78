"""A real webhook receiver on loopback: records every request (headers, exact body) and answers with the
status codes a test scripts (then 200), optionally slowly or with a redirect."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    script: list[int] = field(default_factory=list)  # status codes for the next requests, then 200
    delay: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/lumiku?src=test"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.requests)


def receiver_start() -> Receiver:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            receiver = holder["r"]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.requests.append(Received(path=self.path, headers=dict(self.headers.items()), body=body))
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.script.pop(0) if receiver.script else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["r"] = Receiver(server=server)
    threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True).start()
    return holder["r"]
