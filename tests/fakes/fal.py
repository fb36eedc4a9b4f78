"""A fake fal.ai queue: POST /<model> (Authorization: Key ...) -> {request_id, status_url, response_url};
GET .../requests/<id>/status -> IN_QUEUE (202), IN_PROGRESS (202), COMPLETED (200);
GET .../requests/<id> -> the result, whose image URL is served under /files/.

Inputs are checked against what fal documents per model (checked 2026-12-06), and a field outside it, or
a value out of range, is answered as fal answers invalid input (422 with pydantic-style `detail`):
fal-ai/flux-2/klein/4b/edit (https://fal.ai/models/fal-ai/flux-2/klein/4b/edit/llms.txt and its API page:
prompt required, image_urls required, seed, num_inference_steps 4-8, image_size {width, height},
num_images 1-4, sync_mode) and fal-ai/flux-2/klein/4b (the same without image_urls). Other models are not
checked.

`outcomes` scripts the next requests: "ok" (default), "nsfw" (has_nsfw_concepts), "policy" (422
content_policy_violation), "validation" (422), "foreign_image", "data_uri", "expired_image".
"""

from __future__ import annotations

import base64
import uuid
from collections import deque

from tests.fakes.server import FakeServer, Recorded, Reply, png

KLEIN_FIELDS = {"prompt", "seed", "num_inference_steps", "image_size", "num_images", "sync_mode"}
SCHEMAS = {"fal-ai/flux-2/klein/4b/edit": KLEIN_FIELDS | {"image_urls"}, "fal-ai/flux-2/klein/4b": KLEIN_FIELDS}


def _input_errors(model: str, body: dict) -> list[dict]:
    allowed = SCHEMAS.get(model)
    if allowed is None:
        return []
    errors = [{"loc": ["body", key], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}
              for key in body if key not in allowed]
    required = ["prompt"] + (["image_urls"] if "image_urls" in allowed else [])
    errors += [{"loc": ["body", key], "msg": "Field required", "type": "missing"}
               for key in required if key not in body]
    if not 4 <= body.get("num_inference_steps", 4) <= 8:
        errors.append({"loc": ["body", "num_inference_steps"], "msg": "Input should be between 4 and 8",
                       "type": "range"})
    if not 1 <= body.get("num_images", 1) <= 4:
        errors.append({"loc": ["body", "num_images"], "msg": "Input should be between 1 and 4", "type": "range"})
    size = body.get("image_size", {"width": 1024, "height": 768})
    if not (isinstance(size, dict) and set(size) == {"width", "height"}):
        errors.append({"loc": ["body", "image_size"], "msg": "Input should be an ImageSize", "type": "model_type"})
    urls = body.get("image_urls", [])
    if not (isinstance(urls, list) and all(isinstance(u, str) and u.startswith(("data:", "https://")) for u in urls)):
        errors.append({"loc": ["body", "image_urls"], "msg": "Input should be a list of URLs", "type": "list_type"})
    return errors


class FakeFal(FakeServer):
    def __init__(self, *, key: str, queued_polls: int = 1, running_polls: int = 1,
                 foreign_url: str = "https://evil.example") -> None:
        super().__init__()
        self.key = key
        self.queued_polls, self.running_polls = queued_polls, running_polls
        self.foreign_url = foreign_url
        self.outcomes: deque[str] = deque()
        self.jobs: dict[str, dict] = {}

    def handle(self, rec: Recorded, handler) -> Reply:
        if rec.path.startswith("/files/"):
            job = self.jobs.get(rec.path.split("/")[2])
            if job is None or job["outcome"] == "expired_image":
                return Reply(404, "Not Found")
            return Reply(200, self._png(job), content_type="image/png")
        if rec.headers.get("authorization") != f"Key {self.key}":
            return Reply(401, {"detail": "Invalid authentication"})
        parts = rec.path.strip("/").split("/")
        if rec.method == "POST":
            model = "/".join(parts)
            request_id = str(uuid.uuid4())
            self.jobs[request_id] = {"model": model, "input": rec.json or {}, "polls": 0,
                                     "outcome": self.outcomes.popleft() if self.outcomes else "ok"}
            base = f"{self.url}/{model}/requests/{request_id}"
            return Reply(200, {"request_id": request_id, "status_url": f"{base}/status", "response_url": base,
                               "cancel_url": f"{base}/cancel", "queue_position": 0})
        if "requests" in parts:
            i = parts.index("requests")
            job = self.jobs.get(parts[i + 1])
            if job is None:
                return Reply(404, {"detail": "Request not found"})
            if parts[-1] == "status":
                job["polls"] += 1
                if job["polls"] <= self.queued_polls:
                    return Reply(202, {"status": "IN_QUEUE", "queue_position": 1, "response_url": ""})
                if job["polls"] <= self.queued_polls + self.running_polls:
                    return Reply(202, {"status": "IN_PROGRESS", "logs": None})
                return Reply(200, {"status": "COMPLETED", "logs": None, "metrics": {"inference_time": 0.42}})
            return self._response(parts[i + 1], job)
        return Reply(404, {"detail": "Not Found"})

    @staticmethod
    def _png(job) -> bytes:
        size = job["input"].get("image_size") or {"width": 1024, "height": 768}
        return png(size["width"], size["height"], (job["input"].get("seed", 0) % 256, 200, 10))

    def _response(self, request_id: str, job: dict) -> Reply:
        outcome = job["outcome"]
        errors = _input_errors(job["model"], job["input"])
        if errors:
            return Reply(422, {"detail": errors})
        if outcome == "policy":
            return Reply(422, {"detail": [{"loc": ["body", "prompt"], "msg": "The content could not be processed "
                                           "because it was flagged by a content checker.",
                                           "type": "content_policy_violation"}]})
        if outcome == "validation":
            return Reply(422, {"detail": [{"loc": ["body", "image_size"], "msg": "invalid size",
                                           "type": "value_error"}]})
        size = job["input"].get("image_size") or {"width": 1024, "height": 768}
        host = self.foreign_url if outcome == "foreign_image" else self.url
        url = f"{host}/files/{request_id}/out.png"
        if outcome == "data_uri":
            url = "data:image/png;base64," + base64.b64encode(self._png(job)).decode()
        return Reply(200, {"images": [{"url": url, "width": size["width"], "height": size["height"],
                                       "content_type": "image/png"}],
                           "seed": job["input"].get("seed", 0), "has_nsfw_concepts": [outcome == "nsfw"],
                           "timings": {"inference": 0.42}, "prompt": job["input"].get("prompt", "")})
