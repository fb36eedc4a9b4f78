"""The `bfl` engine: Black Forest Labs' hosted FLUX API (https://docs.bfl.ai).

    POST {BFL_API_URL}/v1/{BFL_MODEL}   header x-key   -> {id, polling_url, cost?}
    GET  polling_url                    header x-key   -> {status: Ready | Pending | Request Moderated |
                                                           Content Moderated | Task not found | Error,
                                                           result: {sample: <signed URL, minutes>}}
    GET  result.sample                  no key          -> the image (downloaded at once: it expires)

Pose control is multi-reference editing (FLUX.2): the avatar is `input_image`, the pose reference (a
clothed mannequin, or the OpenPose skeleton: POSEGEN_POSE_REFERENCE) `input_image_2`, and the prompt the
shared edit instruction (references.edit_instruction). The polling and sample URLs come from the response,
so they are checked (`url_check`) before anything is fetched: https on BFL_ALLOWED_HOSTS, or the exact
origin of BFL_API_URL.

Field names as documented by BFL (checked 2026-12-06): the FLUX.2 request body at
https://docs.bfl.ai/api-reference/models/generate-or-edit-an-image-with-flux2-[klein]-4b (prompt,
input_image, input_image_2..4 (8 for [pro]/[max]/[flex]: https://docs.bfl.ai/guides/prompting_editing_overview),
seed, width, height (>= 64), safety_tolerance, output_format, webhook_url, webhook_secret) and its reply
(id, polling_url, cost, input_mp, output_mp); the FLUX.2 body has no prompt_upsampling, which is sent only to
the older FLUX.1 endpoints that document it (https://docs.bfl.ai/api-reference/models/generate-an-image-with-flux1-[dev]).
"""

from __future__ import annotations

import base64
import time

from django.conf import settings

from posegen.engines.base import (
    MODERATED_MESSAGE,
    EngineError,
    EngineRequest,
    EngineResult,
    ModerationRejected,
    TransientEngineError,
)
from posegen.engines.http import MISCONFIGURED, UNAVAILABLE, EngineHTTP, image_fit, json_of, size_round, url_check
from posegen.engines.licences import licence_log
from posegen.engines.references import (
    BACKGROUND_SUFFIX,
    edit_instruction,
    pose_reference_kind,
    pose_reference_png,
    sampling_seed,
)

EXPIRED_STATUSES = (403, 404, 410)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class BFLEngine:
    name = "bfl"

    def __init__(self) -> None:
        self.key = settings.BFL_API_KEY
        self.base = settings.BFL_API_URL.rstrip("/")
        self.model = settings.BFL_MODEL
        self.background_model = settings.BFL_BACKGROUND_MODEL
        self.allowed_hosts = settings.BFL_ALLOWED_HOSTS
        self.http = EngineHTTP.from_settings(name="bfl", secrets=[self.key])
        self.timeout = settings.ENGINE_GENERATION_TIMEOUT
        self.poll_interval = settings.ENGINE_POLL_INTERVAL_SECONDS
        self.reference_kind = pose_reference_kind()
        licence_log(engine=self.name, model_key="bfl-api")

    @property
    def _headers(self) -> dict[str, str]:
        if not self.key:
            raise EngineError("BFL_API_KEY is not set", user_message=MISCONFIGURED)
        return {"x-key": self.key, "accept": "application/json"}

    @staticmethod
    def _upsampling(model: str) -> dict:
        # FLUX.2 endpoints document no prompt_upsampling field; the FLUX.1 / Kontext ones do
        return {} if model.startswith("flux-2") else {"prompt_upsampling": False}

    def _size(self, model: str, width: int, height: int) -> dict:
        if model.startswith("flux-kontext"):  # Kontext takes an aspect ratio, not a size
            from math import gcd

            g = gcd(width, height)
            return {"aspect_ratio": f"{width // g}:{height // g}"}
        return {"width": size_round(width), "height": size_round(height)}

    # --- protocol ------------------------------------------------------------------------------------
    def _submit(self, model: str, payload: dict) -> tuple[str, str, float | None]:
        response = self.http.post(f"{self.base}/v1/{model}", headers=self._headers, json=payload)
        body = json_of(response, name="bfl")
        if not isinstance(body, dict) or not body.get("id"):
            raise TransientEngineError(f"bfl: submit answered {str(body)[:200]}", user_message=UNAVAILABLE)
        task_id = str(body["id"])
        polling_url = body.get("polling_url") or f"{self.base}/v1/get_result?id={task_id}"
        polling_url = url_check(polling_url, allowed_hosts=self.allowed_hosts, configured_base=self.base,
                                what="polling URL")
        cost = body.get("cost")
        return task_id, polling_url, float(cost) if isinstance(cost, int | float) else None

    def _poll(self, task_id: str, polling_url: str, *, deadline: float) -> tuple[dict, int]:
        polls = 0
        while True:
            polls += 1
            body = json_of(self.http.get(polling_url, headers=self._headers), name="bfl")
            status = body.get("status") if isinstance(body, dict) else None
            if status == "Ready":
                return body.get("result") or {}, polls
            if status in ("Request Moderated", "Content Moderated"):
                reasons = (body.get("details") or {}) if isinstance(body.get("details"), dict) else {}
                raise ModerationRejected(f"bfl: task {task_id}: {status} {reasons}", user_message=MODERATED_MESSAGE)
            if status == "Task not found":
                raise TransientEngineError(f"bfl: task {task_id} not found", user_message=UNAVAILABLE)
            if status == "Error":
                raise TransientEngineError(f"bfl: task {task_id} failed: {str(body)[:200]}", user_message=UNAVAILABLE)
            if status != "Pending":
                raise TransientEngineError(f"bfl: task {task_id}: unexpected reply {str(body)[:200]}",
                                           user_message=UNAVAILABLE)
            if time.monotonic() + self.poll_interval > deadline:
                raise TransientEngineError(f"bfl: task {task_id} still pending at the deadline",
                                           user_message=UNAVAILABLE)
            time.sleep(self.poll_interval)

    def _download(self, result: dict, *, task_id: str) -> bytes:
        sample = url_check(result.get("sample"), allowed_hosts=self.allowed_hosts, configured_base=self.base,
                           what="result URL")
        # a signed URL: no key goes with it; fetched at once, as it expires in minutes
        response = self.http.get(sample, ok=EXPIRED_STATUSES)
        if response.status_code in EXPIRED_STATUSES:
            raise TransientEngineError(f"bfl: task {task_id}: result URL answered {response.status_code} (expired?)",
                                       user_message=UNAVAILABLE)
        return response.content

    def _run(self, *, model: str, payload: dict, width: int, height: int, seed: int, kind: str,
             tolerance: float) -> EngineResult:
        started = time.perf_counter()
        deadline = time.monotonic() + self.timeout
        task_id, polling_url, cost = self._submit(model, payload)
        result, polls = self._poll(task_id, polling_url, deadline=deadline)
        data = self._download(result, task_id=task_id)
        image, out_w, out_h = image_fit(data, width=width, height=height, name="bfl", tolerance=tolerance)
        elapsed = time.perf_counter() - started
        cost_usd = round(cost / 100, 4) if cost is not None else settings.BFL_COST_PER_IMAGE_USD  # 1 credit = $0.01
        return EngineResult(image=image, width=out_w, height=out_h, seed=seed, elapsed=elapsed, metadata={
            "engine": self.name, "kind": kind, "model": model, "taskId": task_id, "polls": polls,
            "latencySeconds": round(elapsed, 3), "costUsd": cost_usd, "costCredits": cost,
        })

    # --- the engine interface ----------------------------------------------------------------------------
    def generate(self, request: EngineRequest) -> EngineResult:
        reference, used = pose_reference_png(request, kind=self.reference_kind)
        seed = sampling_seed(request)
        payload = {
            "prompt": edit_instruction(prompt=request.prompt, kind=used),
            "input_image": _b64(request.avatar_image),
            "input_image_2": _b64(reference),
            "seed": seed,
            **self._size(self.model, request.width, request.height),
            "output_format": "png",
            "safety_tolerance": settings.BFL_SAFETY_TOLERANCE,
            **self._upsampling(self.model),
        }
        result = self._run(model=self.model, payload=payload, width=request.width, height=request.height,
                           seed=seed, kind="pose", tolerance=0.03)
        result.metadata["poseReference"] = used
        return result

    def generate_background(self, *, prompt: str, width: int, height: int, seed: int) -> EngineResult:
        payload = {
            "prompt": f"{prompt}{BACKGROUND_SUFFIX}",
            "seed": int(seed), **self._size(self.background_model, width, height), "output_format": "png",
            "safety_tolerance": settings.BFL_SAFETY_TOLERANCE, **self._upsampling(self.background_model),
        }
        return self._run(model=self.background_model, payload=payload, width=width, height=height, seed=seed,
                         kind="background", tolerance=0.15)
