"""MediaPipe's general selfie segmentation model on LiteRT (imaging.segmentation's selfie model).

What the ``mp.solutions.selfie_segmentation`` graph did, step for step: the photo stretched to
256x256 in 0..1 (ImageToTensor without keeping the aspect ratio), the model (its output is already
a probability), the 256x256 map resized back to the photo bilinearly (TensorsToSegmentation). The
model file comes from posekit.model_files and is checksummed before it is loaded.

Never imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posegen.posekit.landmarker_litert import load_interpreter

__all__ = ["LiteRTSelfieSegmenter"]

_SIDE = 256


@dataclass(frozen=True)
class SelfieResult:
    segmentation_mask: np.ndarray


class LiteRTSelfieSegmenter:
    """``process(rgb)`` like ``SelfieSegmentation.process``: a mask at the photo's size."""

    def __init__(self) -> None:
        self._model = load_interpreter("selfie_segmentation.tflite")
        self._input = self._model.get_input_details()[0]["index"]
        self._output = self._model.get_output_details()[0]["index"]

    def process(self, rgb: np.ndarray) -> SelfieResult:
        height, width = rgb.shape[:2]
        # The perspective transform from float32 box corners, exactly as ImageToTensor builds it:
        # a plain scale matrix samples a hair apart and moves the mask by up to 0.15 at edges.
        corners = cv2.boxPoints(((width / 2.0, height / 2.0), (float(width), float(height)), 0.0))
        target = np.array([[0, _SIDE], [0, 0], [_SIDE, 0], [_SIDE, _SIDE]], dtype=np.float32)
        matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
        square = cv2.warpPerspective(
            rgb, matrix, (_SIDE, _SIDE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
        )
        self._model.set_tensor(self._input, (square.astype(np.float32) / 255.0)[None])
        self._model.invoke()
        mask = self._model.get_tensor(self._output)[0, :, :, 0].astype(np.float32)
        return SelfieResult(segmentation_mask=cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR))
