"""What the edit-style studio models are given: the avatar, a pose reference and one instruction.

FLUX.2 [klein] and Qwen-Image-Edit transfer a pose by editing: image 1 is the model photo, image 2 shows
the target pose, the prompt says to put the person of image 1 into the pose of image 2. A clothed
mannequin in the avatar's colours (posekit's studio render) reads as a body to these models; a bare
OpenPose skeleton is kept as the other choice (POSEGEN_POSE_REFERENCE) so both can be compared on a GPU.

Same person across a shoot: every pose of one generation is built from the same avatar bytes (the
project's photo), the same instruction text around the user's prompt, the same kind of pose reference,
and one seed (POSEGEN_SEED_POLICY=shoot, the default: `sampling_seed` gives every pose of a generation the
generation's seed, plus the variation index so a batch's variations still differ). per_image keeps one seed
per image (generation seed + image sequence), as before.
"""

from __future__ import annotations

import io
import logging

from django.conf import settings
from PIL import Image

from posegen.engines.base import BadEngineInput, EngineRequest

logger = logging.getLogger(__name__)

POSE_REFERENCES = ("mannequin", "skeleton")
SEED_POLICIES = ("shoot", "per_image")
REFERENCE_MAX_SIDE = 1024  # the edit models resize references to about 1 MP anyway

EDIT_INSTRUCTION = (
    "Image 1 is a photo of a person. Image 2 shows the target body pose as {what}. "
    "Re-pose the person of image 1 into exactly the pose of image 2: limbs, head tilt and hands. "
    "Keep the face, hair, skin tone, body shape, clothing and accessories of image 1 unchanged. "
    "Photorealistic full-body studio photo; image 2 itself must not appear. {prompt}"
)
_WHAT = {"mannequin": "a plain studio mannequin", "skeleton": "an OpenPose skeleton (coloured limbs on black)"}
BACKGROUND_SUFFIX = ". Empty scene, no people, photographic backdrop."


def pose_reference_kind() -> str:
    kind = settings.POSEGEN_POSE_REFERENCE
    if kind not in POSE_REFERENCES:
        raise ValueError(f"POSEGEN_POSE_REFERENCE must be one of {', '.join(POSE_REFERENCES)}, not {kind!r}")
    return kind


def sampling_seed(request: EngineRequest) -> int:
    """The seed a studio engine samples with (and reports, so the stored seed reproduces the image)."""
    policy = settings.POSEGEN_SEED_POLICY
    if policy not in SEED_POLICIES:
        raise ValueError(f"POSEGEN_SEED_POLICY must be one of {', '.join(SEED_POLICIES)}, not {policy!r}")
    if policy == "shoot" and request.shoot_seed is not None:
        return int(request.shoot_seed)
    return int(request.seed)


def edit_instruction(*, prompt: str, kind: str) -> str:
    return EDIT_INSTRUCTION.format(what=_WHAT[kind], prompt=prompt).strip()


def _fit(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, REFERENCE_MAX_SIDE / max(width, height))
    return max(64, round(width * scale)), max(64, round(height * scale))


def pose_reference_png(request: EngineRequest, *, kind: str) -> tuple[bytes, str]:
    """(PNG, the kind actually used). The mannequin needs the pose's 3D structure; a pose known only by
    its keypoints falls back to the skeleton (said in the returned kind)."""
    if kind == "mannequin" and request.pose_structure is not None:
        from posegen.engines.mannequin import _avatar_palette
        from posegen.posekit.render_mannequin import MannequinStyle, render_mannequin
        from posegen.posekit.skeleton import pose_from_dict

        body, joints = _avatar_palette(request.avatar_image)  # "dressed" in the avatar's colours
        width, height = _fit(request.width, request.height)
        image = render_mannequin(pose=pose_from_dict(data=request.pose_structure), width=width, height=height,
                                 style=MannequinStyle(body_color=body, joint_color=joints))
        out = io.BytesIO()
        Image.fromarray(image).save(out, "PNG", compress_level=3)
        return out.getvalue(), "mannequin"
    return request.controlnet_map, "skeleton"


def rgb_image(data: bytes, *, what: str) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.convert("RGB")
    except Exception as exc:
        message = "The avatar photo could not be read." if what == "avatar" else "This pose cannot be rendered."
        raise BadEngineInput(f"{what} unreadable: {exc}", user_message=message) from exc
