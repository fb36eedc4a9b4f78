"""A fake ComfyUI server: /upload/image, /prompt, /ws?clientId= (WebSocket on the same port, served with
the `websockets` library's server protocol), /history/{id}, /view, /queue.

It validates a prompt as ComfyUI's validate_prompt does (against the node definitions the engine ships,
posegen/engines/comfyui/node_definitions.json, taken from ComfyUI's source: an unknown class is 400
"invalid_prompt", a bad input 400 with node_errors), checks every LoadImage names an uploaded image,
"executes" it in a thread: emits the real event sequence over the client's WebSocket, writes the history
entry, and saves a PNG of the Empty*LatentImage size. `mode` scripts the next prompts: "node_errors" (HTTP 400),
"execution_error", "oom", "drop_ws" (the socket closes before the done event), "silent" (no events at
all: only /history tells), "history_late" (done event before the history entry exists),
"wrong_size", "no_output".
"""

from __future__ import annotations

import json
import logging
import queue
import select
import threading
import time
import uuid
from collections import deque

from websockets.frames import Opcode
from websockets.server import ServerProtocol

from posegen.engines.comfyui.nodes import graph_check, node_definitions
from tests.fakes.server import FakeServer, Recorded, Reply, png

_QUIET = logging.getLogger("tests.fakes.comfyui.websocket")
_QUIET.setLevel(logging.WARNING)  # the fake's own handshake log would print the client's headers


class _Socket:
    """One accepted WebSocket: the handler thread pumps `outbox` to the client until closed."""

    def __init__(self) -> None:
        self.outbox: queue.Queue = queue.Queue()


class FakeComfyUI(FakeServer):
    def __init__(self, *, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay
        self.uploads: dict[str, bytes] = {}
        self.prompts: dict[str, dict] = {}
        self.history: dict[str, dict] = {}
        self.files: dict[tuple[str, str], bytes] = {}
        self.sockets: dict[str, _Socket] = {}
        self.modes: deque[str] = deque()
        self.in_flight = 0
        self.max_in_flight = 0
        self.counter = 0
        self.ws_headers: list[dict[str, str]] = []
        self.definitions = node_definitions()

    # --- routing -------------------------------------------------------------------------------
    def handle(self, rec: Recorded, handler) -> Reply | None:
        if rec.method == "GET" and rec.path == "/ws":
            self._websocket(rec, handler)
            return None
        if rec.method == "POST" and rec.path == "/upload/image":
            filename, data = rec.files["image"]
            assert rec.form.get("type") == "input" and rec.form.get("overwrite") == "true", rec.form
            with self.lock:
                self.uploads[filename] = data
            return Reply(200, {"name": filename, "subfolder": "", "type": "input"})
        if rec.method == "POST" and rec.path == "/prompt":
            return self._prompt(rec)
        if rec.method == "GET" and rec.path.startswith("/history/"):
            prompt_id = rec.path.rsplit("/", 1)[1]
            with self.lock:
                entry = self.history.get(prompt_id)
            return Reply(200, {prompt_id: entry} if entry else {})
        if rec.method == "GET" and rec.path == "/view":
            key = (rec.query.get("subfolder", ""), rec.query.get("filename", ""))
            if rec.query.get("type") != "output" or key not in self.files:
                return Reply(404, "404: Not Found")
            return Reply(200, self.files[key], content_type="image/png")
        if rec.method == "POST" and rec.path == "/queue":
            return Reply(200, {})
        return Reply(404, "404: Not Found")

    # --- POST /prompt --------------------------------------------------------------------------------
    def _prompt(self, rec: Recorded) -> Reply:
        body = rec.json or {}
        graph, client_id = body.get("prompt"), body.get("client_id")
        mode = self.modes.popleft() if self.modes else ""
        unknown = [n for n in graph.values() if n.get("class_type") not in self.definitions]
        if unknown:
            cls = unknown[0].get("class_type")
            return Reply(400, {"error": {"type": "invalid_prompt", "message": f"Cannot execute because node {cls} "
                                         "does not exist.", "details": f"Node ID '#{cls}'", "extra_info": {}},
                               "node_errors": {}})
        node_errors = {}
        for problem in graph_check(graph, definitions=self.definitions):
            node_id = problem.split(" ", 2)[1]
            entry = node_errors.setdefault(node_id, {"errors": [], "dependent_outputs": [],
                                                     "class_type": graph[node_id]["class_type"]})
            entry["errors"].append({"type": "value_not_valid", "message": "Value not valid", "details": problem,
                                    "extra_info": {}})
        for node_id, node in graph.items():
            if node["class_type"] == "LoadImage" and node["inputs"]["image"] not in self.uploads:
                node_errors[node_id] = {"errors": [{"type": "custom_validation_failed",
                                                    "message": "Custom validation failed for node",
                                                    "details": f"image - Invalid image file: {node['inputs']['image']}",
                                                    "extra_info": {}}],
                                        "dependent_outputs": ["19"], "class_type": "LoadImage"}
        if mode == "node_errors":
            node_errors["13"] = {"errors": [{"type": "value_not_in_list", "message": "Value not in list",
                                             "details": "control_net_name: 'FLUX.1-dev-ControlNet-Union-Pro"
                                                        ".safetensors' not in []", "extra_info": {}}],
                                 "dependent_outputs": ["19"], "class_type": "ControlNetLoader"}
        if node_errors:
            return Reply(400, {"error": {"type": "prompt_outputs_failed_validation",
                                         "message": "Prompt outputs failed validation", "details": "",
                                         "extra_info": {}}, "node_errors": node_errors})
        prompt_id = str(uuid.uuid4())
        with self.lock:
            self.prompts[prompt_id] = graph
            self.counter += 1
            number = self.counter
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        threading.Thread(target=self._execute, args=(prompt_id, graph, client_id, mode), daemon=True).start()
        return Reply(200, {"prompt_id": prompt_id, "number": number, "node_errors": {}})

    def _send(self, client_id: str, kind: str, data: dict) -> None:
        sock = self.sockets.get(client_id)
        if sock is not None:
            sock.outbox.put(json.dumps({"type": kind, "data": data}))

    def _execute(self, prompt_id: str, graph: dict, client_id: str, mode: str) -> None:
        try:
            self._execute_inner(prompt_id, graph, client_id, mode)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _execute_inner(self, prompt_id: str, graph: dict, client_id: str, mode: str) -> None:
        silent = mode == "silent"
        send = (lambda *a: None) if silent else (lambda kind, data: self._send(client_id, kind, data))
        ts = int(time.time() * 1000)
        send("status", {"status": {"exec_info": {"queue_remaining": 1}}, "sid": client_id})
        send("execution_start", {"prompt_id": prompt_id, "timestamp": ts})
        send("execution_cached", {"nodes": [], "prompt_id": prompt_id, "timestamp": ts})
        if self.delay:
            time.sleep(self.delay)
        sampler = next(n for n, v in graph.items() if v["class_type"] == "KSampler")
        send("executing", {"node": sampler, "display_node": sampler, "prompt_id": prompt_id})
        if mode in ("execution_error", "oom"):
            error = {"prompt_id": prompt_id, "node_id": sampler, "node_type": "KSampler", "executed": [],
                     "exception_message": "CUDA out of memory. Tried to allocate 2.00 GiB" if mode == "oom"
                     else "mat1 and mat2 shapes cannot be multiplied (1x768 and 4096x3072)",
                     "exception_type": "torch.OutOfMemoryError" if mode == "oom" else "RuntimeError",
                     "traceback": ["..."], "current_inputs": {}, "current_outputs": {}, "timestamp": ts}
            with self.lock:
                self.history[prompt_id] = {"prompt": [1, prompt_id, graph, {}, []], "outputs": {},
                                           "status": {"status_str": "error", "completed": False,
                                                      "messages": [["execution_start", {"prompt_id": prompt_id}],
                                                                   ["execution_error", error]]},
                                           "meta": {}}
            send("execution_error", error)
            return
        steps = graph[sampler]["inputs"].get("steps", 3)
        for step in range(1, 4):
            send("progress", {"value": step, "max": 3, "prompt_id": prompt_id, "node": sampler, "steps": steps})
        latent = next(v for v in graph.values()
                      if v["class_type"] in ("EmptySD3LatentImage", "EmptyFlux2LatentImage"))["inputs"]
        width, height = int(latent["width"]), int(latent["height"])
        if mode == "wrong_size":
            width, height = width * 2, height
        save_id, save = next((n, v) for n, v in graph.items() if v["class_type"] == "SaveImage")
        subfolder, _, prefix = save["inputs"]["filename_prefix"].rpartition("/")
        with self.lock:
            filename = f"{prefix}_{self.counter:05d}_.png"
        seed = int(graph[sampler]["inputs"]["seed"])
        self.files[(subfolder, filename)] = png(width, height, (seed % 256, 90, 200))
        images = [{"filename": filename, "subfolder": subfolder, "type": "output"}]
        outputs = {} if mode == "no_output" else {save_id: {"images": images}}
        entry = {"prompt": [1, prompt_id, graph, {"client_id": client_id}, [save_id]], "outputs": outputs,
                 "status": {"status_str": "success", "completed": True,
                            "messages": [["execution_start", {"prompt_id": prompt_id}],
                                         ["execution_success", {"prompt_id": prompt_id}]]}, "meta": {}}
        send("executed", {"node": save_id, "display_node": save_id, "output": {"images": images},
                          "prompt_id": prompt_id})
        if mode == "drop_ws":
            sock = self.sockets.get(client_id)
            if sock:
                sock.outbox.put(None)  # close now, before the done event
            time.sleep(0.1)
            with self.lock:
                self.history[prompt_id] = entry
            return
        if mode != "history_late":
            with self.lock:
                self.history[prompt_id] = entry
        send("execution_success", {"prompt_id": prompt_id, "timestamp": ts})
        send("executing", {"node": None, "prompt_id": prompt_id})
        if mode == "history_late":
            time.sleep(0.3)
            with self.lock:
                self.history[prompt_id] = entry
        if silent:
            with self.lock:
                self.history[prompt_id] = entry

    # --- GET /ws?clientId= ----------------------------------------------------------------------
    def _websocket(self, rec: Recorded, handler) -> None:
        protocol = ServerProtocol(logger=_QUIET)
        # http.server has read the request head already: replay it into the protocol's parser
        head = handler.requestline + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in handler.headers.items()) + "\r\n"
        protocol.receive_data(head.encode("latin-1"))
        [request] = protocol.events_received()
        response = protocol.accept(request)
        protocol.send_response(response)
        conn = handler.connection
        handler.close_connection = True
        client_id = rec.query.get("clientId", "")
        sock = _Socket()
        if response.status_code == 101:
            with self.lock:  # registered before the client can see the handshake and submit
                self.sockets[client_id] = sock
                self.ws_headers.append(rec.headers)
        conn.sendall(b"".join(protocol.data_to_send()))
        if response.status_code != 101:
            return
        # the greeting ComfyUI sends on connect
        protocol.send_text(json.dumps({"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}},
                                                                    "sid": client_id}}).encode())
        try:
            while True:
                conn.sendall(b"".join(protocol.data_to_send()))
                readable, _, _ = select.select([conn], [], [], 0.02)
                if readable:
                    data = conn.recv(65536)
                    if not data:
                        break
                    protocol.receive_data(data)
                    if any(frame.opcode == Opcode.CLOSE for frame in protocol.events_received()):
                        conn.sendall(b"".join(protocol.data_to_send()))  # the close reply
                        break
                try:
                    message = sock.outbox.get_nowait()
                except queue.Empty:
                    continue
                if message is None:
                    protocol.send_close(1001, "going away")
                    conn.sendall(b"".join(protocol.data_to_send()))
                    break
                protocol.send_text(message.encode())
        except OSError:
            pass
        finally:
            with self.lock:
                self.sockets.pop(client_id, None)
