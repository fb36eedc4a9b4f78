"""The `comfyui` engine: a self-hosted ComfyUI (one or several servers) runs a studio model.

COMFYUI_MODEL picks the bundled workflows: flux2-klein (default; FLUX.2 [klein] 4B, Apache-2.0) and
qwen-image-edit (Qwen-Image-Edit-2509, Apache-2.0) transfer the pose by editing: the avatar is image 1, the
pose reference (a clothed mannequin, or the skeleton: POSEGEN_POSE_REFERENCE) image 2, and the prompt the
edit instruction. flux1-dev keeps FLUX.1-dev + the union ControlNet on the pose map with the avatar as a
Redux reference (FLUX.1 [dev] Non-Commercial License: only with a licence from Black Forest Labs). The
model's licence is logged once when the engine starts.

Settings: COMFYUI_URLS (round-robin), COMFYUI_MAX_CONCURRENCY (prompts per server from each worker
process), COMFYUI_WORKFLOW_PATH / COMFYUI_BACKGROUND_WORKFLOW_PATH (an operator's own API-format
workflows; see `workflow.py` for the placeholders), COMFYUI_NODE_DEFINITIONS_PATH (their server's
/object_info, when those use custom nodes), COMFYUI_UNION_TYPE, COMFYUI_API_KEY (sent as a Bearer token,
for servers behind an authenticating proxy), COMFYUI_COST_PER_IMAGE_USD.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings

from posegen.engines.base import EngineRequest, EngineResult, TransientEngineError
from posegen.engines.comfyui.client import ComfyUIServer, ServerUnreachable, server_acquire
from posegen.engines.comfyui.workflow import (
    REQUIRED_BACKGROUND,
    REQUIRED_POSE,
    save_nodes,
    studio_model,
    workflow_load,
    workflow_render,
)
from posegen.engines.http import EngineHTTP, image_fit, size_round
from posegen.engines.licences import workflow_licences_log
from posegen.engines.references import (
    BACKGROUND_SUFFIX,
    edit_instruction,
    pose_reference_kind,
    pose_reference_png,
    sampling_seed,
)

AVATAR_STRENGTH = 0.6  # flux1-dev's Redux strength


def _upload_name(kind: str, data: bytes) -> str:
    # Named by content: a batch re-uploads the same avatar under the same name (overwrite=true), so the
    # server's input folder grows by one file per distinct image, not per request.
    return f"lumiku_{kind}_{hashlib.sha256(data).hexdigest()[:24]}.png"


class ComfyUIEngine:
    name = "comfyui"

    def __init__(self) -> None:
        self.urls = [u.rstrip("/") for u in settings.COMFYUI_URLS if u.strip()]
        if not self.urls:
            raise ValueError("COMFYUI_URLS is empty")
        self.limit = max(1, settings.COMFYUI_MAX_CONCURRENCY)
        self.model = studio_model(settings.COMFYUI_MODEL)
        self.reference_kind = pose_reference_kind() if self.model.edit else "skeleton"
        definitions = settings.COMFYUI_NODE_DEFINITIONS_PATH
        self.pose_graph = workflow_load(settings.COMFYUI_WORKFLOW_PATH or self.model.pose_workflow,
                                        required=REQUIRED_POSE, definitions_path=definitions)
        self.background_graph = workflow_load(
            settings.COMFYUI_BACKGROUND_WORKFLOW_PATH or self.model.background_workflow, required=REQUIRED_BACKGROUND,
            definitions_path=definitions)
        # the models the workflows actually load (an operator's own may differ from COMFYUI_MODEL's)
        workflow_licences_log(engine=self.name, graph={**self.pose_graph, **{
            f"background-{k}": v for k, v in self.background_graph.items()}})
        self.api_key = settings.COMFYUI_API_KEY
        self.http = EngineHTTP.from_settings(name="comfyui", secrets=[self.api_key])
        self.timeout = settings.ENGINE_GENERATION_TIMEOUT
        self.poll_interval = settings.ENGINE_POLL_INTERVAL_SECONDS
        self.cost = settings.COMFYUI_COST_PER_IMAGE_USD

    def _server(self, url: str) -> ComfyUIServer:
        return ComfyUIServer(url, http=self.http, api_key=self.api_key,
                             open_timeout=settings.ENGINE_HTTP_CONNECT_TIMEOUT)

    def _run(self, *, graph_template: dict, values: dict, uploads: dict[str, tuple[str, bytes]],
             width: int, height: int, seed: int, kind: str, tolerance: float = 0.03) -> EngineResult:
        started = time.perf_counter()
        down: set[str] = set()
        while True:
            waited = time.perf_counter()
            with server_acquire(self.urls, limit=self.limit, timeout=self.timeout,
                                skip=frozenset(down)) as url:
                waited = time.perf_counter() - waited
                server = self._server(url)
                try:
                    names = {key: server.upload(data, name=_upload_name(tag, data))
                             for key, (tag, data) in uploads.items()}
                except ServerUnreachable:
                    down.add(url)
                    if len(down) >= len(self.urls):
                        raise
                    continue  # nothing submitted yet: try the next server
                graph = workflow_render(graph_template, values={**values, **names},
                                        union_type=settings.COMFYUI_UNION_TYPE)
                run = server.run(graph, output_nodes=save_nodes(graph), timeout=self.timeout,
                                 poll_interval=self.poll_interval)
                data = server.view(run.images[0])
                break
        image, out_w, out_h = image_fit(data, width=width, height=height, name="comfyui", tolerance=tolerance)
        elapsed = time.perf_counter() - started
        return EngineResult(image=image, width=out_w, height=out_h, seed=seed, elapsed=elapsed, metadata={
            "engine": self.name, "kind": kind, "server": url, "promptId": run.prompt_id, "via": run.via,
            "latencySeconds": round(elapsed, 3), "slotWaitSeconds": round(waited, 3),
            "queueSeconds": round(run.queue_seconds, 3), "progressEvents": run.progress_events,
            "costUsd": self.cost, "model": settings.COMFYUI_MODEL,
        })

    def generate(self, request: EngineRequest) -> EngineResult:
        if self.model.edit:
            reference, used = pose_reference_png(request, kind=self.reference_kind)
            prompt = edit_instruction(prompt=request.prompt, kind=used)
        else:
            reference, used, prompt = request.controlnet_map, "skeleton", request.prompt
        seed = sampling_seed(request)
        values = {
            "prompt": prompt, "negative_prompt": request.negative_prompt, "seed": seed,
            "width": size_round(request.width), "height": size_round(request.height),
            "controlnet_weight": float(request.controlnet_weight), "union_type": settings.COMFYUI_UNION_TYPE,
            "steps": self.model.steps, "guidance": self.model.guidance, "avatar_strength": AVATAR_STRENGTH,
        }
        uploads = {"avatar_image": ("avatar", request.avatar_image), "pose_image": (used, reference)}
        result = self._run(graph_template=self.pose_graph, values=values, uploads=uploads, width=request.width,
                           height=request.height, seed=seed, kind="pose")
        result.metadata["poseReference"] = used
        return result

    def generate_background(self, *, prompt: str, width: int, height: int, seed: int) -> EngineResult:
        # FLUX works in multiples of 16: ask for the nearest such size, scale the result to the exact one
        values = {"prompt": f"{prompt}{BACKGROUND_SUFFIX}" if self.model.edit else prompt,
                  "negative_prompt": "people, person, text, watermark", "seed": int(seed),
                  "width": size_round(width), "height": size_round(height), "steps": self.model.steps,
                  "guidance": self.model.guidance}
        return self._run(graph_template=self.background_graph, values=values, uploads={}, width=width,
                         height=height, seed=seed, kind="background", tolerance=0.15)


__all__ = ["ComfyUIEngine", "TransientEngineError"]
