"""An engine for the quality-gate pipeline tests: the licensed skier photo with its face erased (the
"white blob" of issue 14), judged by the real gate (posegen.engines.offline.gate) against the skier's own
detected pose, as the offline engine does before it returns an image."""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image

from posegen.engines.offline.gate import quality_gate
from posegen.posekit.extract import extract_pose
from tests.paths import FIXTURE_IMAGES


@cache
def _skier() -> tuple[np.ndarray, np.ndarray]:
    rgb = np.asarray(Image.open(FIXTURE_IMAGES / "fullbody_skier_snow_coco785.jpg").convert("RGB")).copy()
    return rgb, extract_pose(image=rgb).keypoints_px()


class FaceErasedEngine:
    name = "face-erased"

    def generate(self, request):
        rgb, reference = _skier()
        out = rgb.copy()
        x, y = reference[0, :2].round().astype(int)
        out[y - 22:y + 22, x - 18:x + 18] = 255
        quality_gate(rgb=out, alpha=np.full(out.shape[:2], 255, np.uint8), reference=reference)
        raise AssertionError("the gate passed an image without a face")


QUALITY_ENGINES = {"face-erased": "tests.posegen.quality_engines.FaceErasedEngine"}
