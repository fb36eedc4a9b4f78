"""The image engines (POSEGEN_ENGINE = offline | mannequin | comfyui | diffusers | bfl | fal; see README):
which one runs, what it is shown, and each remote or local engine's own settings, all here."""

from __future__ import annotations

from .environment import env

# offline: the avatar photo itself re-posed on a CPU (no GPU, no key); mannequin stays selectable.
POSEGEN_ENGINE = env.str("POSEGEN_ENGINE", default="offline")
# What the edit models see as the target pose: "mannequin" (a clothed studio mannequin in the avatar's colours,
# the clearer reference) or "skeleton" (the OpenPose map).
POSEGEN_POSE_REFERENCE = env.str("POSEGEN_POSE_REFERENCE", default="mannequin")
# shoot: every pose of a generation is sampled with the generation's seed (+ the variation index), so the
# studio models keep the same person and garment across the shoot; per_image: one seed per image.
POSEGEN_SEED_POLICY = env.str("POSEGEN_SEED_POLICY", default="shoot")

# Shared HTTP behaviour of the remote engines: timeouts (seconds) and in-call retries with backoff.
ENGINE_HTTP_TIMEOUT = env.float("ENGINE_HTTP_TIMEOUT", default=60.0)
ENGINE_HTTP_CONNECT_TIMEOUT = env.float("ENGINE_HTTP_CONNECT_TIMEOUT", default=10.0)
ENGINE_HTTP_RETRIES = env.int("ENGINE_HTTP_RETRIES", default=3)
ENGINE_HTTP_BACKOFF_SECONDS = env.float("ENGINE_HTTP_BACKOFF_SECONDS", default=1.0)
ENGINE_HTTP_BACKOFF_CAP_SECONDS = env.float("ENGINE_HTTP_BACKOFF_CAP_SECONDS", default=30.0)
# Whole-image deadline for polling engines; below CELERY_TASK_SOFT_TIME_LIMIT.
ENGINE_GENERATION_TIMEOUT = env.float("ENGINE_GENERATION_TIMEOUT", default=300.0)
ENGINE_POLL_INTERVAL_SECONDS = env.float("ENGINE_POLL_INTERVAL_SECONDS", default=1.0)

# ComfyUI: one or several servers (round-robin), at most COMFYUI_MAX_CONCURRENCY prompts per server
# from each worker process; an operator's own API-format workflow may replace the default one.
COMFYUI_URLS = env.list("COMFYUI_URLS", default=["http://127.0.0.1:8188"])
COMFYUI_MAX_CONCURRENCY = env.int("COMFYUI_MAX_CONCURRENCY", default=1)
COMFYUI_WORKFLOW_PATH = env.str("COMFYUI_WORKFLOW_PATH", default="")  # empty: COMFYUI_MODEL's bundled one
COMFYUI_BACKGROUND_WORKFLOW_PATH = env.str("COMFYUI_BACKGROUND_WORKFLOW_PATH", default="")
COMFYUI_UNION_TYPE = env.str("COMFYUI_UNION_TYPE", default="auto")  # not "openpose": ComfyUI issue #4823
COMFYUI_API_KEY = env.str("COMFYUI_API_KEY", default="")  # sent as Authorization: Bearer, behind a proxy
COMFYUI_COST_PER_IMAGE_USD = env.float("COMFYUI_COST_PER_IMAGE_USD", default=0.0)
# The bundled workflows: flux2-klein (FLUX.2 [klein] 4B, Apache-2.0), qwen-image-edit (Apache-2.0) or flux1-dev
# (FLUX.1 [dev] Non-Commercial License). Workflows with custom nodes: the server's /object_info JSON here.
COMFYUI_MODEL = env.str("COMFYUI_MODEL", default="flux2-klein")
COMFYUI_NODE_DEFINITIONS_PATH = env.str("COMFYUI_NODE_DEFINITIONS_PATH", default="")

# Black Forest Labs API (x-key). Pose control by multi-reference editing (avatar + pose map).
BFL_API_KEY = env.str("BFL_API_KEY", default="")
BFL_API_URL = env.str("BFL_API_URL", default="https://api.bfl.ai")
BFL_MODEL = env.str("BFL_MODEL", default="flux-2-pro")
BFL_BACKGROUND_MODEL = env.str("BFL_BACKGROUND_MODEL", default="flux-2-pro")
BFL_ALLOWED_HOSTS = env.list("BFL_ALLOWED_HOSTS", default=[".bfl.ai", ".bfl.ml"])  # polling + result hosts
BFL_SAFETY_TOLERANCE = env.int("BFL_SAFETY_TOLERANCE", default=2)
BFL_COST_PER_IMAGE_USD = env.float("BFL_COST_PER_IMAGE_USD", default=0.05)  # when the reply states none

# fal.ai queue API (Authorization: Key ...): flux-general with a union ControlNet (pose) + IP-adapter.
FAL_KEY = env.str("FAL_KEY", default="")
FAL_QUEUE_URL = env.str("FAL_QUEUE_URL", default="https://queue.fal.run")
FAL_MODEL = env.str("FAL_MODEL", default="fal-ai/flux-2/klein/4b/edit")  # fal-ai/flux-general: FLUX.1-dev
FAL_BACKGROUND_MODEL = env.str("FAL_BACKGROUND_MODEL", default="fal-ai/flux-2/klein/4b")
FAL_ALLOWED_HOSTS = env.list("FAL_ALLOWED_HOSTS", default=["queue.fal.run", ".fal.media", ".fal.run"])
FAL_COST_PER_MEGAPIXEL_USD = env.float("FAL_COST_PER_MEGAPIXEL_USD", default=0.01)  # klein 4B edit, fal pricing
FAL_CONTROLNET_UNION_PATH = env.str("FAL_CONTROLNET_UNION_PATH",
                                    default="Shakker-Labs/FLUX.1-dev-ControlNet-Union-Pro")
FAL_IP_ADAPTER_PATH = env.str("FAL_IP_ADAPTER_PATH", default="XLabs-AI/flux-ip-adapter")
FAL_IP_ADAPTER_SCALE = env.float("FAL_IP_ADAPTER_SCALE", default=0.7)

# diffusers in the engine worker (GPU): local model folders only, loaded once per worker process.
# Issue 21: the default studio model is one a business may use (Apache-2.0): FLUX.2 [klein] 4B as a
# multi-reference edit (avatar + pose reference + prompt); qwen-image-edit (Qwen-Image-Edit-2509, Apache-2.0)
# likewise; flux1-controlnet is the FLUX.1-dev + union ControlNet pipeline (FLUX.1 [dev] Non-Commercial License).
DIFFUSERS_PIPELINE = env.str("DIFFUSERS_PIPELINE", default="flux2-klein")  # or qwen-image-edit, flux1-controlnet
DIFFUSERS_MODEL_PATH = env.str("DIFFUSERS_MODEL_PATH", default="")  # the edit model's folder (diffusers layout)
DIFFUSERS_FLUX_PATH = env.str("DIFFUSERS_FLUX_PATH", default="")  # FLUX.1-dev in diffusers layout
DIFFUSERS_CONTROLNET_PATH = env.str("DIFFUSERS_CONTROLNET_PATH", default="")  # FLUX.1-dev-ControlNet-Union-Pro
DIFFUSERS_DEVICE = env.str("DIFFUSERS_DEVICE", default="")  # empty: cuda when available, else cpu
DIFFUSERS_DTYPE = env.str("DIFFUSERS_DTYPE", default="bfloat16")
DIFFUSERS_STEPS = env.int("DIFFUSERS_STEPS", default=0)  # 0: the pipeline's own (klein 4, qwen 40, flux1 28)
DIFFUSERS_GUIDANCE = env.float("DIFFUSERS_GUIDANCE", default=0.0)  # 0: the pipeline's own (1.0, 4.0, 3.5)
DIFFUSERS_CPU_OFFLOAD = env.bool("DIFFUSERS_CPU_OFFLOAD", default=False)
DIFFUSERS_COST_PER_IMAGE_USD = env.float("DIFFUSERS_COST_PER_IMAGE_USD", default=0.0)
# Optional avatar identity for the diffusers engine: XLabs flux-ip-adapter + a CLIP ViT-L/14 folder.
DIFFUSERS_IP_ADAPTER_PATH = env.str("DIFFUSERS_IP_ADAPTER_PATH", default="")
DIFFUSERS_IMAGE_ENCODER_PATH = env.str("DIFFUSERS_IMAGE_ENCODER_PATH", default="")
DIFFUSERS_IP_ADAPTER_SCALE = env.float("DIFFUSERS_IP_ADAPTER_SCALE", default=0.7)
