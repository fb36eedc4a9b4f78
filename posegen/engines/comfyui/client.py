"""ComfyUI's HTTP + WebSocket protocol, one server at a time, and the process-wide server pool.

    POST /upload/image   multipart: image (file), type=input, overwrite=true  -> {name, subfolder, type}
    POST /prompt         {prompt, client_id} -> {prompt_id, number, node_errors}; 400 {error, node_errors}
    GET  /ws?clientId=   events: status, execution_start, execution_cached, executing ({node: null} = done),
                         progress, executed, execution_success, execution_error, execution_interrupted
    GET  /history/{id}   {id: {prompt, outputs: {node: {images: [{filename, subfolder, type}]}}, status}}
                         - the source of truth once the WebSocket says done (or when it was lost)
    GET  /view?filename=&subfolder=&type=output   the image bytes
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import connect as ws_connect

from posegen.engines.base import EngineError, TransientEngineError
from posegen.engines.http import MISCONFIGURED, UNAVAILABLE, EngineHTTP, json_of, redact, redacting_logger

logger = logging.getLogger(__name__)


# --- pool: round-robin over servers, at most `limit` prompts per server from this process --------
_COND = threading.Condition()
_IN_USE: Counter = Counter()
_NEXT = Counter()


@contextmanager
def server_acquire(urls: list[str], *, limit: int, timeout: float, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    """Hold a slot on one server: the next in round-robin order with a free slot, waiting up to
    `timeout` seconds when every server is at `limit`. The slots are shared by every engine instance
    and thread of this process (each Celery worker process counts its own)."""
    candidates = [u for u in urls if u not in skip] or list(urls)
    deadline = time.monotonic() + timeout
    with _COND:
        start = _NEXT[tuple(urls)]
        _NEXT[tuple(urls)] += 1
        order = [candidates[(start + i) % len(candidates)] for i in range(len(candidates))]
        while True:
            chosen = next((u for u in order if _IN_USE[u] < limit), None)
            if chosen is not None:
                _IN_USE[chosen] += 1
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TransientEngineError(f"comfyui: every server busy for {timeout:.0f}s", user_message=UNAVAILABLE)
            _COND.wait(remaining)
    try:
        yield chosen
    finally:
        with _COND:
            _IN_USE[chosen] -= 1
            _COND.notify_all()


def servers_in_use() -> dict[str, int]:
    with _COND:
        return {u: n for u, n in _IN_USE.items() if n}


# --- one server ------------------------------------------------------------------------------------
class ServerUnreachable(TransientEngineError):
    """Nothing was submitted: another server may be tried at once."""


@dataclass
class RunResult:
    prompt_id: str
    images: list[dict[str, str]]
    progress_events: int = 0
    queue_seconds: float = 0.0
    run_seconds: float = 0.0
    via: str = "websocket"
    extra: dict[str, Any] = field(default_factory=dict)


def _execution_error(data: dict) -> EngineError:
    kind = str(data.get("exception_type", ""))
    message = (f"comfyui: node {data.get('node_id')} ({data.get('node_type')}) failed: "
               f"{kind}: {str(data.get('exception_message', ''))[:300]}")
    if "OutOfMemory" in kind or "out of memory" in str(data.get("exception_message", "")).lower():
        return TransientEngineError(message, user_message=UNAVAILABLE)
    return EngineError(message, user_message="The image server could not generate this image.")


def _node_errors_text(node_errors: dict) -> str:
    parts = []
    for node_id, info in (node_errors or {}).items():
        for err in (info or {}).get("errors", []):
            parts.append(f"{node_id} ({info.get('class_type')}): {err.get('message')} {err.get('details', '')}".strip())
    return "; ".join(parts)[:600]


class ComfyUIServer:
    def __init__(self, url: str, *, http: EngineHTTP, api_key: str = "", open_timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.http = http
        self.api_key = api_key
        self.open_timeout = open_timeout
        # websockets logs handshake headers at DEBUG: its logger scrubs the key
        self.ws_logger = redacting_logger("posegen.engines.comfyui.websocket", [api_key])

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def _ws_url(self, client_id: str) -> str:
        parts = urlsplit(self.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + "/ws", f"clientId={client_id}", ""))

    def upload(self, data: bytes, *, name: str) -> str:
        """Upload an input image; returns the value a LoadImage node takes ("subfolder/name" or "name")."""
        try:
            response = self.http.post(f"{self.url}/upload/image", headers=self._auth,
                                      files={"image": (name, data, "image/png")},
                                      data={"type": "input", "overwrite": "true"})
        except TransientEngineError as exc:
            raise ServerUnreachable(str(exc), user_message=exc.user_message) from None
        body = json_of(response, name="comfyui")
        if not isinstance(body, dict) or not body.get("name"):
            raise TransientEngineError(f"comfyui: upload answered {str(body)[:200]}", user_message=UNAVAILABLE)
        return f"{body['subfolder']}/{body['name']}" if body.get("subfolder") else body["name"]

    def _open_ws(self, client_id: str):
        try:
            return ws_connect(self._ws_url(client_id), open_timeout=self.open_timeout,
                              additional_headers=self._auth, max_size=2**24, close_timeout=2,
                              logger=self.ws_logger, legacy=True)
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
            logger.warning("comfyui %s: websocket unavailable (%s); polling /history instead", self.url,
                           redact(str(exc), [self.api_key]))
            return None

    def submit(self, graph: dict, *, client_id: str) -> str:
        response = self.http.post(f"{self.url}/prompt", headers=self._auth,
                                  json={"prompt": graph, "client_id": client_id}, ok=(400,))
        body = json_of(response, name="comfyui")
        if not isinstance(body, dict):
            raise TransientEngineError(f"comfyui: /prompt answered {str(body)[:200]}", user_message=UNAVAILABLE)
        if response.status_code == 400:
            error = body.get("error") or {}
            detail = error.get("message") if isinstance(error, dict) else str(error)
            raise EngineError(f"comfyui: workflow rejected: {detail}; {_node_errors_text(body.get('node_errors'))}",
                              user_message=MISCONFIGURED)
        if body.get("node_errors"):
            logger.warning("comfyui %s: node errors on submit: %s", self.url, _node_errors_text(body["node_errors"]))
        prompt_id = body.get("prompt_id")
        if not prompt_id:
            raise TransientEngineError(f"comfyui: /prompt answered no prompt_id: {str(body)[:200]}",
                                       user_message=UNAVAILABLE)
        return str(prompt_id)

    def history(self, prompt_id: str) -> dict | None:
        response = self.http.get(f"{self.url}/history/{quote(prompt_id)}", headers=self._auth)
        body = json_of(response, name="comfyui")
        if not isinstance(body, dict):
            raise TransientEngineError(f"comfyui: /history answered {str(body)[:200]}", user_message=UNAVAILABLE)
        return body.get(prompt_id)

    def view(self, image: dict[str, str]) -> bytes:
        params = {"filename": image["filename"], "subfolder": image.get("subfolder", ""),
                  "type": image.get("type", "output")}
        return self.http.get(f"{self.url}/view", headers=self._auth, params=params).content

    def cancel(self, prompt_id: str) -> None:
        with suppress(EngineError):
            self.http.post(f"{self.url}/queue", headers=self._auth, json={"delete": [prompt_id]})

    # --- one prompt, start to finish ------------------------------------------------------------
    def run(self, graph: dict, *, output_nodes: list[str], timeout: float, poll_interval: float) -> RunResult:
        client_id = uuid.uuid4().hex
        started = time.monotonic()
        deadline = started + timeout
        ws = self._open_ws(client_id)  # before submitting, so no event is missed
        result = RunResult(prompt_id="", images=[])
        try:
            prompt_id = self.submit(graph, client_id=client_id)
            result.prompt_id = prompt_id
            if ws is not None:
                ws = self._follow(ws, prompt_id, deadline=deadline, result=result, poll_interval=poll_interval)
            entry = self._settled_history(prompt_id, deadline=deadline, poll_interval=poll_interval,
                                          result=result, polled=ws is None)
        except TransientEngineError:
            if result.prompt_id and time.monotonic() >= deadline:
                self.cancel(result.prompt_id)
            raise
        finally:
            if ws is not None:
                ws.close()
        result.run_seconds = time.monotonic() - started
        result.images = self._images(entry, output_nodes=output_nodes, prompt_id=result.prompt_id)
        return result

    def _follow(self, ws, prompt_id: str, *, deadline: float, result: RunResult, poll_interval: float):
        """Read events until ours is done; returns the socket, or None if it was lost (then poll)."""
        submitted = time.monotonic()
        check_every = max(poll_interval * 5, 0.25)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TransientEngineError(f"comfyui: prompt {prompt_id} not done in time", user_message=UNAVAILABLE)
            try:
                message = ws.recv(timeout=min(remaining, check_every))
            except TimeoutError:
                entry = self.history(prompt_id)  # an event may have been missed: ask the source of truth
                if (entry and (entry.get("status") or {}).get("completed")) or _is_error(entry):
                    return ws
                continue
            except ConnectionClosed:
                logger.warning("comfyui %s: websocket closed before prompt %s finished; polling", self.url, prompt_id)
                return None
            if isinstance(message, bytes):  # binary preview frames
                continue
            try:
                event = json.loads(message)
            except ValueError:
                continue
            kind, data = event.get("type"), event.get("data") or {}
            if data.get("prompt_id") not in (None, prompt_id):
                continue
            if kind == "execution_start" and not result.queue_seconds:
                result.queue_seconds = time.monotonic() - submitted
            elif kind == "progress":
                result.progress_events += 1
            elif kind == "execution_error":
                raise _execution_error(data)
            elif kind == "execution_interrupted":
                raise TransientEngineError(f"comfyui: prompt {prompt_id} interrupted", user_message=UNAVAILABLE)
            elif kind == "execution_success" or (kind == "executing" and data.get("node") is None
                                                 and data.get("prompt_id") == prompt_id):
                return ws

    def _settled_history(self, prompt_id: str, *, deadline: float, poll_interval: float, result: RunResult,
                         polled: bool) -> dict:
        if polled:
            result.via = "history"
        while True:
            entry = self.history(prompt_id)
            if _is_error(entry):
                messages = (entry.get("status") or {}).get("messages") or []
                data = next((m[1] for m in messages if isinstance(m, list) and len(m) == 2
                             and m[0] == "execution_error"), {})
                raise _execution_error(data or {"exception_message": "execution failed"})
            if entry and ((entry.get("status") or {}).get("completed") or entry.get("outputs")):
                return entry
            if time.monotonic() >= deadline:
                self.cancel(prompt_id)
                raise TransientEngineError(f"comfyui: prompt {prompt_id} not done in time", user_message=UNAVAILABLE)
            time.sleep(poll_interval)

    @staticmethod
    def _images(entry: dict, *, output_nodes: list[str], prompt_id: str) -> list[dict[str, str]]:
        outputs = entry.get("outputs") or {}
        for node_id in output_nodes + [n for n in outputs if n not in output_nodes]:
            images = [i for i in (outputs.get(node_id) or {}).get("images", [])
                      if isinstance(i, dict) and i.get("filename") and i.get("type", "output") == "output"]
            if images:
                return images
        raise EngineError(f"comfyui: prompt {prompt_id} finished without an output image",
                          user_message="The image server returned no image.")


def _is_error(entry: dict | None) -> bool:
    return bool(entry) and (entry.get("status") or {}).get("status_str") == "error"
