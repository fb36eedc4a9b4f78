"""The `fal` engine: fal.ai's queue API (https://docs.fal.ai).

    POST {FAL_QUEUE_URL}/{FAL_MODEL}     Authorization: Key <FAL_KEY>  -> {request_id, status_url, response_url}
    GET  status_url                                                  -> {status: IN_QUEUE | IN_PROGRESS | COMPLETED}
    GET  response_url                                                -> {images: [{url, width, height}], seed,
                                                                         has_nsfw_concepts}

Default: `fal-ai/flux-2/klein/4b/edit` (FLUX.2 [klein] 4B, a multi-reference edit): `image_urls` = [the
avatar, the pose reference (a clothed mannequin, or the skeleton: POSEGEN_POSE_REFERENCE)] and the shared
edit instruction as `prompt`; backgrounds with `fal-ai/flux-2/klein/4b` (text-to-image). Input fields as
documented (checked 2026-12-06): https://fal.ai/models/fal-ai/flux-2/klein/4b/edit/llms.txt (prompt, seed,
num_inference_steps 4-8, image_size {width, height}, num_images 1-4) with image_urls from its API page
(https://fal.ai/models/fal-ai/flux-2/klein/4b/edit/api), and https://fal.ai/models/fal-ai/flux-2/klein/4b/llms.txt
for text-to-image. A FAL_MODEL of `fal-ai/flux-general` keeps the older pose control (`controlnet_unions`,
the union ControlNet with `control_mode: "pose"`, plus an IP-adapter on the avatar; FLUX.1-dev weights).
Images go up as data URIs; the status, response and image URLs from the replies are checked (`url_check`:
https on FAL_ALLOWED_HOSTS, or the exact origin of FAL_QUEUE_URL) before they are fetched.
"""

from __future__ import annotations

import base64
import time

from django.conf import settings

from posegen.engines.base import (
    MODERATED_MESSAGE,
    BadEngineInput,
    EngineError,
    EngineRequest,
    EngineResult,
    ModerationRejected,
    TransientEngineError,
)
from posegen.engines.http import (
    MISCONFIGURED,
    UNAVAILABLE,
    EngineHTTP,
    data_uri,
    image_fit,
    json_of,
    size_round,
    url_check,
)
from posegen.engines.licences import licence_log
from posegen.engines.references import (
    BACKGROUND_SUFFIX,
    edit_instruction,
    pose_reference_kind,
    pose_reference_png,
    sampling_seed,
)


class FalEngine:
    name = "fal"

    def __init__(self) -> None:
        self.key = settings.FAL_KEY
        self.base = settings.FAL_QUEUE_URL.rstrip("/")
        self.model = settings.FAL_MODEL.strip("/")
        self.background_model = settings.FAL_BACKGROUND_MODEL.strip("/")
        self.allowed_hosts = settings.FAL_ALLOWED_HOSTS
        self.http = EngineHTTP.from_settings(name="fal", secrets=[self.key])
        self.timeout = settings.ENGINE_GENERATION_TIMEOUT
        self.poll_interval = settings.ENGINE_POLL_INTERVAL_SECONDS
        self.reference_kind = pose_reference_kind()
        licence_log(engine=self.name, model_key="fal-api" if self._is_flux2(self.model) else "flux1-dev")

    @staticmethod
    def _is_flux2(model: str) -> bool:
        return "flux-2" in model

    @property
    def _headers(self) -> dict[str, str]:
        if not self.key:
            raise EngineError("FAL_KEY is not set", user_message=MISCONFIGURED)
        return {"Authorization": f"Key {self.key}", "Accept": "application/json"}

    def _check(self, url: str | None, what: str) -> str:
        return url_check(url, allowed_hosts=self.allowed_hosts, configured_base=self.base, what=what)

    # --- protocol ------------------------------------------------------------------------------------
    def _submit(self, model: str, arguments: dict) -> tuple[str, str, str]:
        body = json_of(self.http.post(f"{self.base}/{model}", headers=self._headers, json=arguments), name="fal")
        if not isinstance(body, dict) or not body.get("request_id"):
            raise TransientEngineError(f"fal: submit answered {str(body)[:200]}", user_message=UNAVAILABLE)
        request_id = str(body["request_id"])
        status_url = self._check(body.get("status_url") or f"{self.base}/{model}/requests/{request_id}/status",
                                 "status URL")
        response_url = self._check(body.get("response_url") or f"{self.base}/{model}/requests/{request_id}",
                                   "response URL")
        return request_id, status_url, response_url

    def _wait(self, request_id: str, status_url: str, *, deadline: float) -> tuple[int, float | None]:
        polls = 0
        while True:
            polls += 1
            body = json_of(self.http.get(status_url, headers=self._headers, ok=(202,)), name="fal")
            status = body.get("status") if isinstance(body, dict) else None
            if status == "COMPLETED":
                metrics = body.get("metrics") or {}
                return polls, metrics.get("inference_time") if isinstance(metrics, dict) else None
            if status not in ("IN_QUEUE", "IN_PROGRESS"):
                raise TransientEngineError(f"fal: request {request_id}: unexpected status {str(body)[:200]}",
                                           user_message=UNAVAILABLE)
            if time.monotonic() + self.poll_interval > deadline:
                raise TransientEngineError(f"fal: request {request_id} not done at the deadline",
                                           user_message=UNAVAILABLE)
            time.sleep(self.poll_interval)

    def _result(self, request_id: str, response_url: str) -> dict:
        response = self.http.get(response_url, headers=self._headers, ok=(400, 422))
        body = json_of(response, name="fal")
        if response.status_code in (400, 422):
            text = str(body)
            if "content_policy" in text or "nsfw" in text.lower():
                raise ModerationRejected(f"fal: request {request_id}: {text[:300]}", user_message=MODERATED_MESSAGE)
            raise BadEngineInput(f"fal: request {request_id} rejected: {text[:300]}",
                                 user_message="The image service rejected this request.")
        if not isinstance(body, dict):
            raise TransientEngineError(f"fal: result was {str(body)[:200]}", user_message=UNAVAILABLE)
        if any(body.get("has_nsfw_concepts") or []):
            raise ModerationRejected(f"fal: request {request_id}: flagged by the safety checker",
                                     user_message=MODERATED_MESSAGE)
        return body

    def _download(self, image: dict) -> bytes:
        url = image.get("url") if isinstance(image, dict) else None
        if isinstance(url, str) and url.startswith("data:"):
            try:
                return base64.b64decode(url.split(",", 1)[1])
            except (IndexError, ValueError) as exc:
                raise TransientEngineError(f"fal: bad data URI: {exc}", user_message=UNAVAILABLE) from None
        url = self._check(url, "image URL")
        response = self.http.get(url, ok=(403, 404, 410))  # a CDN URL: no key goes with it
        if response.status_code != 200:
            raise TransientEngineError(f"fal: image URL answered {response.status_code}", user_message=UNAVAILABLE)
        return response.content

    def _run(self, *, model: str, arguments: dict, width: int, height: int, seed: int, kind: str,
             tolerance: float) -> EngineResult:
        started = time.perf_counter()
        deadline = time.monotonic() + self.timeout
        request_id, status_url, response_url = self._submit(model, arguments)
        polls, inference = self._wait(request_id, status_url, deadline=deadline)
        body = self._result(request_id, response_url)
        images = body.get("images") or []
        if not images:
            raise EngineError(f"fal: request {request_id} returned no image", user_message="No image was returned.")
        image, out_w, out_h = image_fit(self._download(images[0]), width=width, height=height, name="fal",
                                        tolerance=tolerance)
        elapsed = time.perf_counter() - started
        megapixels = arguments["image_size"]["width"] * arguments["image_size"]["height"] / 1_000_000
        return EngineResult(image=image, width=out_w, height=out_h, seed=int(body.get("seed", seed)), elapsed=elapsed,
                            metadata={
                                "engine": self.name, "kind": kind, "model": model, "requestId": request_id,
                                "polls": polls, "latencySeconds": round(elapsed, 3),
                                "inferenceSeconds": inference,
                                "costUsd": round(max(1.0, megapixels) * settings.FAL_COST_PER_MEGAPIXEL_USD, 4),
                            })

    # --- the engine interface ----------------------------------------------------------------------------
    def generate(self, request: EngineRequest) -> EngineResult:
        if "flux-general" in self.model:
            return self._generate_flux_general(request)
        reference, used = pose_reference_png(request, kind=self.reference_kind)
        seed = sampling_seed(request)
        arguments = {
            "prompt": edit_instruction(prompt=request.prompt, kind=used),
            "image_urls": [data_uri(request.avatar_image), data_uri(reference)],
            "image_size": {"width": size_round(request.width), "height": size_round(request.height)},
            "seed": seed,
            "num_inference_steps": 4,  # klein is step-distilled (4-8 accepted)
            "num_images": 1,
        }
        result = self._run(model=self.model, arguments=arguments, width=request.width, height=request.height,
                           seed=seed, kind="pose", tolerance=0.03)
        result.metadata["poseReference"] = used
        return result

    def _generate_flux_general(self, request: EngineRequest) -> EngineResult:
        arguments = {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt,
            "image_size": {"width": size_round(request.width), "height": size_round(request.height)},
            "num_inference_steps": 28,
            "guidance_scale": 3.5,
            "seed": sampling_seed(request),
            "num_images": 1,
            "enable_safety_checker": True,
            "output_format": "png",
            "controlnet_unions": [{
                "path": settings.FAL_CONTROLNET_UNION_PATH,
                "controls": [{"control_image_url": data_uri(request.controlnet_map), "control_mode": "pose",
                              "conditioning_scale": float(request.controlnet_weight)}],
            }],
            "ip_adapters": [{
                "path": settings.FAL_IP_ADAPTER_PATH, "image_encoder_path": "openai/clip-vit-large-patch14",
                "image_url": data_uri(request.avatar_image), "scale": settings.FAL_IP_ADAPTER_SCALE,
            }],
        }
        return self._run(model=self.model, arguments=arguments, width=request.width, height=request.height,
                         seed=arguments["seed"], kind="pose", tolerance=0.03)

    def generate_background(self, *, prompt: str, width: int, height: int, seed: int) -> EngineResult:
        arguments = {"prompt": f"{prompt}{BACKGROUND_SUFFIX}",
                     "image_size": {"width": size_round(width), "height": size_round(height)}, "seed": int(seed),
                     "num_images": 1}
        if self._is_flux2(self.background_model):
            arguments["num_inference_steps"] = 4
        else:  # fal-ai/flux/dev and the like
            arguments.update(num_inference_steps=28, guidance_scale=3.5, enable_safety_checker=True,
                             output_format="png")
        return self._run(model=self.background_model, arguments=arguments, width=width, height=height, seed=seed,
                         kind="background", tolerance=0.15)
