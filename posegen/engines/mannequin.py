"""The plain default engine: the target pose as a studio mannequin dressed in the avatar's colours.

It runs anywhere (no GPU, no key) so the whole pipeline works end to end; the offline re-posing
engine replaces it as the default once it lands.
"""

from __future__ import annotations

import io
import time

import numpy as np
from PIL import Image

from posegen.engines.base import BadEngineInput, EngineRequest, EngineResult
from posegen.posekit.render_mannequin import MannequinStyle, render_mannequin
from posegen.posekit.skeleton import Pose, pose_from_dict


def _avatar_palette(data: bytes) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    try:
        with Image.open(io.BytesIO(data)) as img:
            small = np.asarray(img.convert("RGB").resize((48, 64)), dtype=np.float32)
    except Exception as exc:
        raise BadEngineInput(
            f"avatar image unreadable: {exc}", user_message="The avatar photo could not be read."
        ) from exc
    centre = small[16:56, 12:36].reshape(-1, 3)  # the middle of the frame, where the person usually stands
    body = tuple(int(v) for v in np.median(centre, axis=0))
    joints = tuple(int(v * 0.82) for v in body)
    return body, joints


class MannequinEngine:
    name = "mannequin"

    def generate(self, request: EngineRequest) -> EngineResult:
        started = time.perf_counter()
        if request.pose_structure is None:
            raise BadEngineInput("the mannequin engine needs a pose structure",
                                 user_message="This pose cannot be rendered.")
        pose: Pose = pose_from_dict(data=request.pose_structure)
        body, joints = _avatar_palette(request.avatar_image)
        rng = np.random.default_rng(request.seed)
        tone = int(rng.integers(-12, 12))
        style = MannequinStyle(
            body_color=body,
            joint_color=joints,
            backdrop_top=(236 + tone // 2, 234 + tone // 2, 230),
            backdrop_bottom=(196 + tone, 192 + tone, 186 + tone),
        )
        image = render_mannequin(pose=pose, width=request.width, height=request.height, style=style)
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, "PNG", compress_level=3)
        return EngineResult(image=buffer.getvalue(), width=request.width, height=request.height, seed=request.seed,
                            elapsed=time.perf_counter() - started, confidence=None,
                            metadata={"engine": self.name})
