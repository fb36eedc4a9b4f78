"""A recording, scriptable HTTP server on 127.0.0.1 (a free port) for protocol tests.

Subclasses route requests in `handle()`. Tests read `requests` (what the client sent) and script
failures with `fail(path_prefix, ...)`: an HTTP status (with headers such as Retry-After), a stall
longer than the client's timeout, a malformed body, or a dropped connection.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None


@dataclass
class Failure:
    prefix: str
    method: str | None
    times: int
    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0
    malformed: bool = False
    drop: bool = False


def png(width: int, height: int, color: tuple[int, int, int] = (120, 140, 160)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "PNG")
    return buf.getvalue()


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    form, files = {}, {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if part.get_filename():
            files[name] = (part.get_filename(), data)
        else:
            form[name] = data.decode()
    return form, files


class FakeServer:
    """Start with `with FakeX() as fake:`; `fake.url` is its base URL."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.failures: list[Failure] = []
        self.lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None

    # --- lifecycle ---------------------------------------------------------------------------------
    def __enter__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                fake._dispatch(self, "GET")

            def do_POST(self):
                fake._dispatch(self, "POST")

            def do_PUT(self):
                fake._dispatch(self, "PUT")

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        host, port = self._httpd.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.port = port
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- scripting ---------------------------------------------------------------------------------
    def fail(self, prefix: str, *, method: str | None = None, times: int = 1, status: int | None = None,
             body: Any = None, headers: dict[str, str] | None = None, stall: float = 0.0, malformed: bool = False,
             drop: bool = False) -> None:
        with self.lock:
            self.failures.append(Failure(prefix, method, times, status, body, headers or {}, stall, malformed, drop))

    def calls(self, method: str | None = None, prefix: str = "") -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if (method is None or r.method == method) and r.path.startswith(prefix)]

    def all_header_values(self) -> list[str]:
        with self.lock:
            return [v for r in self.requests for v in r.headers.values()]

    # --- serving -----------------------------------------------------------------------------------
    def _record(self, handler: BaseHTTPRequestHandler, method: str) -> Recorded:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        rec = Recorded(method=method, path=parts.path, query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                       headers=headers, body=body)
        ctype = headers.get("content-type", "")
        if ctype.startswith("application/json") and body:
            try:
                rec.json = json.loads(body)
            except ValueError:
                rec.json = None
        elif ctype.startswith("multipart/form-data"):
            rec.form, rec.files = _multipart(ctype, body)
        with self.lock:
            self.requests.append(rec)
        return rec

    def _scripted(self, rec: Recorded) -> Failure | None:
        with self.lock:
            for failure in self.failures:
                if failure.times > 0 and rec.path.startswith(failure.prefix) and failure.method in (None, rec.method):
                    failure.times -= 1
                    return failure
        return None

    def _dispatch(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        rec = self._record(handler, method)
        failure = self._scripted(rec)
        if failure is not None:
            if failure.stall:
                time.sleep(failure.stall)
            if failure.drop:
                handler.close_connection = True
                with contextlib.suppress(OSError):
                    handler.connection.shutdown(socket.SHUT_RDWR)
                return
            if failure.malformed:
                return self._reply(handler, Reply(200, b'{"not": "json', content_type="application/json"))
            if failure.status is not None:
                return self._reply(handler, Reply(failure.status, failure.body or {"detail": "scripted failure"},
                                                 failure.headers))
        try:
            reply = self.handle(rec, handler)
        except Exception as exc:  # a bug in the fake must be visible, not a hang
            reply = Reply(599, {"fake_error": repr(exc)})
        if reply is not None:
            self._reply(handler, reply)

    @staticmethod
    def _reply(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        body, ctype = reply.body, reply.content_type
        if isinstance(body, (dict, list)):
            body, ctype = json.dumps(body).encode(), ctype or "application/json"
        elif isinstance(body, str):
            body, ctype = body.encode(), ctype or "text/plain"
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", ctype or "application/octet-stream")
            handler.send_header("Content-Length", str(len(body)))
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(body)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def handle(self, rec: Recorded, handler: BaseHTTPRequestHandler) -> Reply | None:  # pragma: no cover
        raise NotImplementedError
