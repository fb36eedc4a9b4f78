"""A fake Black Forest Labs API: POST /v1/<model> (x-key) -> {id, polling_url, cost}; GET /v1/get_result
(x-key) -> Pending... then the scripted outcome; GET /delivery/<id>.png - the signed, expiring sample.

The FLUX.2 endpoints take the body documented at https://docs.bfl.ai/api-reference/models/
generate-or-edit-an-image-with-flux2-[klein]-4b (prompt required; input_image, input_image_2.. up to 4 for
[klein], 8 for the others; seed; width/height >= 64; safety_tolerance 0-5; output_format jpeg|png; webhook_url,
webhook_secret). This fake answers 422 (the API's FastAPI validation shape) for a field outside that list or
a value outside its range, so the engine's payload stays pinned to the documented schema.

`outcomes` scripts the next tasks: "ready" (default), "request_moderated", "content_moderated",
"task_not_found", "error", "foreign_polling_url", "foreign_sample", "expired_sample".
"""

from __future__ import annotations

import base64
import io
import time
import uuid
from collections import deque

from PIL import Image

from tests.fakes.server import FakeServer, Recorded, Reply, png


def decode_b64_image(value: str) -> tuple[int, int]:
    with Image.open(io.BytesIO(base64.b64decode(value))) as img:
        return img.size


FLUX2_FIELDS = {"prompt", "input_image", *(f"input_image_{i}" for i in range(2, 9)), "seed", "width", "height",
                "safety_tolerance", "output_format", "webhook_url", "webhook_secret"}


def _flux2_errors(model: str, body: dict) -> list[dict]:
    most = 4 if model.startswith("flux-2-klein") else 8
    allowed = FLUX2_FIELDS - {f"input_image_{i}" for i in range(most + 1, 9)}
    errors = [{"loc": ["body", key], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}
              for key in body if key not in allowed]
    for key in ("width", "height"):
        if body.get(key) is not None and (not isinstance(body[key], int) or body[key] < 64):
            errors.append({"loc": ["body", key], "msg": "Input should be greater than or equal to 64",
                           "type": "greater_than_equal"})
    if body.get("output_format", "jpeg") not in ("jpeg", "png"):
        errors.append({"loc": ["body", "output_format"], "msg": "Input should be 'jpeg' or 'png'", "type": "enum"})
    if not 0 <= body.get("safety_tolerance", 2) <= 5:
        errors.append({"loc": ["body", "safety_tolerance"], "msg": "Input should be between 0 and 5", "type": "range"})
    return errors


class FakeBFL(FakeServer):
    def __init__(self, *, key: str, pending_polls: int = 2, foreign_url: str = "https://evil.example") -> None:
        super().__init__()
        self.key = key
        self.pending_polls = pending_polls
        self.foreign_url = foreign_url
        self.outcomes: deque[str] = deque()
        self.tasks: dict[str, dict] = {}
        self.sample_ttl = 60.0

    def _authorised(self, rec: Recorded) -> bool:
        return rec.headers.get("x-key") == self.key

    def handle(self, rec: Recorded, handler) -> Reply:
        if rec.path.startswith("/delivery/"):
            task = self.tasks.get(rec.path.rsplit("/", 1)[1].removesuffix(".png"))
            if task is None or rec.query.get("sig") != task["sig"] or time.monotonic() > task["expires"]:
                return Reply(403, "<Error><Code>AuthenticationFailed</Code></Error>", content_type="application/xml")
            return Reply(200, png(task["width"], task["height"], (task["seed"] % 256, 30, 30)),
                         content_type="image/png")
        if not self._authorised(rec):
            return Reply(403, {"detail": "Not authenticated - Invalid API key"})
        if rec.method == "POST" and rec.path.startswith("/v1/"):
            body = rec.json or {}
            if not body.get("prompt"):
                return Reply(422, {"detail": [{"loc": ["body", "prompt"], "msg": "field required"}]})
            model = rec.path[len("/v1/"):]
            if model.startswith("flux-2") and (errors := _flux2_errors(model, body)):
                return Reply(422, {"detail": errors})
            task_id = str(uuid.uuid4())
            outcome = self.outcomes.popleft() if self.outcomes else "ready"
            self.tasks[task_id] = {"outcome": outcome, "polls": 0, "seed": body.get("seed", 0),
                                   "width": body.get("width", 1024), "height": body.get("height", 1024),
                                   "model": rec.path[len("/v1/"):], "sig": uuid.uuid4().hex, "expires": 0.0}
            base = self.foreign_url if outcome == "foreign_polling_url" else self.url
            return Reply(200, {"id": task_id, "polling_url": f"{base}/v1/get_result?id={task_id}", "cost": 4.0,
                               "input_mp": 0.1, "output_mp": 0.01})
        if rec.method == "GET" and rec.path == "/v1/get_result":
            task_id = rec.query.get("id", "")
            task = self.tasks.get(task_id)
            if task is None or task["outcome"] == "task_not_found":
                return Reply(200, {"id": task_id, "status": "Task not found"})
            task["polls"] += 1
            if task["polls"] <= self.pending_polls:
                return Reply(200, {"id": task_id, "status": "Pending", "result": None,
                                   "progress": task["polls"] / (self.pending_polls + 1)})
            outcome = task["outcome"]
            if outcome == "request_moderated":
                return Reply(200, {"id": task_id, "status": "Request Moderated", "result": None, "progress": None,
                                   "details": {"Moderation Reasons": ["Derivative Works Filter"]}})
            if outcome == "content_moderated":
                return Reply(200, {"id": task_id, "status": "Content Moderated", "result": None, "progress": None,
                                   "details": {"Moderation Reasons": ["NSFW"]}})
            if outcome == "error":
                return Reply(200, {"id": task_id, "status": "Error", "result": None})
            task["expires"] = time.monotonic() + (0 if outcome == "expired_sample" else self.sample_ttl)
            host = self.foreign_url if outcome == "foreign_sample" else self.url
            return Reply(200, {"id": task_id, "status": "Ready", "progress": None, "result": {
                "sample": f"{host}/delivery/{task_id}.png?se=2026-11-21T10%3A10%3A00Z&sig={task['sig']}",
                "seed": task["seed"], "start_time": 1.0, "end_time": 2.0, "duration": 1.0}})
        return Reply(404, {"detail": "Not Found"})
