"""BlazePose on LiteRT: the MediaPipe pose graph's steps, on the very same model files.

posekit.extract's pose engine. The models are the ones the mediapipe 0.10.21 wheel carries
(posekit.model_files); what MediaPipe's ``mp.solutions`` graph did around them is written out here,
each step after the calculator it replaces, so the person pick, the landmark region and the
landmarks stay what they were on that graph (bench/RESULTS.md, "Pose runtime"):

1. detector: the photo letterboxed to 224x224 in -1..1 (ImageToTensor, zero border), SSD anchors
   (SsdAnchorsCalculator, 2254 fixed-size anchors), box and 4 keypoints decoded and scored
   (TensorsToDetections, sigmoid, threshold 0.5), weighted non-maximum suppression at IoU 0.3,
   projected back out of the letterbox;
2. region: centred on keypoint 0 (hip centre), twice its distance to keypoint 1 wide, turned so
   that vector points up, then 1.25x (AlignmentPointsRects + RectTransformation);
3. landmarks: the region warped to 256x256 in 0..1 (replicated border), the model's 39 landmarks
   (sigmoid visibility), x/y refined on the 64x64 heatmaps with a 9x9 kernel where the heatmap
   is sure (RefineLandmarksFromHeatmap), projected back (LandmarkProjection); the pose flag
   below 0.5 means no person; the 256x256 segmentation logits (sigmoid) are warped back to the
   photo with zeros outside the region.

Never imports Django.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from posegen.posekit.extract import ModelUnavailable, _Detection
from posegen.posekit.model_files import ModelFileError, model_path

__all__ = ["LiteRTPoseEngine", "load_interpreter"]

_DETECTOR_SIDE = 224
_LANDMARK_SIDE = 256
_MIN_DETECTION_SCORE = 0.5
_NMS_IOU = 0.3
_SCORE_CLIP = 100.0
_ROI_SCALE = 1.25
_POSE_FLAG_THRESHOLD = 0.5
# 9, not the 7 that tensors_to_pose_landmarks_and_segmentation.pbtxt asks for: mp.solutions.pose never
# imported that option's proto, so the legacy Python graph ran RefineLandmarksFromHeatmap with the
# options' default of 9 (google-ai-edge/mediapipe pull request 5865). Measured on the 17 annotated photos:
# 9 gives the legacy landmarks to within 0.14 px (median <= 0.03 px); 7 put the airport photo's 2.6 px
# (median) and the office photo's 16 px (worst landmark) apart from them.
_HEATMAP_KERNEL = 9
_HEATMAP_MIN_CONFIDENCE = 0.5
_NUM_LANDMARKS = 39


def load_interpreter(name: str) -> Any:
    """A LiteRT interpreter for one verified model file, tensors allocated."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:
        raise ModelUnavailable("LiteRT is not installed (pip install ai-edge-litert).") from exc
    try:
        path = model_path(name)
    except ModelFileError as exc:
        raise ModelUnavailable(str(exc)) from exc
    # One thread: the web and worker processes run several requests side by side already.
    interpreter = Interpreter(model_path=str(path), num_threads=1)
    interpreter.allocate_tensors()
    return interpreter


def _run(interpreter: Any, tensor: np.ndarray) -> list[np.ndarray]:
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], tensor[None].astype(np.float32))
    interpreter.invoke()
    # Outputs in the model's own order (Identity, Identity_1, ...), as MediaPipe's graph read them.
    # (The tensor indices are not in that order; the names are, and there are fewer than ten.)
    details = sorted(interpreter.get_output_details(), key=lambda d: d["name"])
    return [interpreter.get_tensor(d["index"])[0] for d in details]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # The tanh form never overflows on the segmentation logits' large negatives.
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _ssd_anchor_centres() -> np.ndarray:
    """(2254, 2) anchor centres: strides 8, 16, 32, 32, 32, two anchors per cell, fixed size 1."""
    centres = []
    strides = (8, 16, 32, 32, 32)
    layer = 0
    while layer < len(strides):
        # Consecutive layers with the same stride share one grid (as SsdAnchorsCalculator does).
        last = layer
        while last < len(strides) and strides[last] == strides[layer]:
            last += 1
        per_cell = 2 * (last - layer)
        side = math.ceil(_DETECTOR_SIDE / strides[layer])
        for y in range(side):
            for x in range(side):
                centres.extend([((x + 0.5) / side, (y + 0.5) / side)] * per_cell)
        layer = last
    return np.asarray(centres, dtype=np.float64)


_ANCHORS = _ssd_anchor_centres()


@dataclass(frozen=True)
class LiteRTDetection:
    """One detection in normalised photo coordinates: box (xmin, ymin, xmax, ymax), 4 keypoints."""

    box: tuple[float, float, float, float]
    keypoints: np.ndarray  # (4, 2)
    score: float


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    x0 = np.maximum(a[0], b[:, 0])
    y0 = np.maximum(a[1], b[:, 1])
    x1 = np.minimum(a[2], b[:, 2])
    y1 = np.minimum(a[3], b[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a + area_b - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def _weighted_nms(boxes: np.ndarray, keypoints: np.ndarray, scores: np.ndarray) -> list[tuple]:
    """MediaPipe's WEIGHTED suppression: each cluster's box and keypoints, averaged by score."""
    order = np.argsort(-scores, kind="stable")
    out = []
    while order.size:
        first = order[0]
        overlap = _iou(boxes[first], boxes[order])
        cluster = order[overlap > _NMS_IOU]
        weights = scores[cluster][:, None]
        box = (boxes[cluster] * weights).sum(axis=0) / weights.sum()
        kps = (keypoints[cluster].reshape(len(cluster), -1) * weights).sum(axis=0) / weights.sum()
        out.append((box, kps.reshape(-1, 2), float(scores[first])))
        order = order[overlap <= _NMS_IOU]
    return out


def _square_transform(rect: tuple, side: int) -> np.ndarray:
    """ImageToTensor's warp: the rotated rect's float32 corners (cv2.boxPoints order) -> a square."""
    src = cv2.boxPoints(rect).astype(np.float32)
    dst = np.array([[0, side], [0, 0], [side, 0], [side, side]], dtype=np.float32)
    return cv2.getPerspectiveTransform(src, dst)


def _region_transform(region: tuple[float, float, float, float, float], width: int, height: int) -> np.ndarray:
    xc, yc, w, h, rotation = region
    rect = ((xc * width, yc * height), (w * width, h * height), math.degrees(rotation))
    return _square_transform(rect, _LANDMARK_SIDE)


class LiteRTPoseEngine:
    """What posekit.extract uses: ``detect``, ``landmarks`` and the ``lock`` held around them."""

    def __init__(self) -> None:
        self._detector = load_interpreter("pose_detection.tflite")
        self._landmark_model = load_interpreter("pose_landmark_full.tflite")
        self.lock = threading.Lock()

    def detect(self, rgb: np.ndarray) -> list[_Detection]:
        height, width = rgb.shape[:2]
        side = max(width, height)
        # Letterbox: the photo centred in a square of its long side, scaled to 224, zeros around.
        scale = _DETECTOR_SIDE / side
        offset_x = (_DETECTOR_SIDE - width * scale) / 2.0
        offset_y = (_DETECTOR_SIDE - height * scale) / 2.0
        # Built from float32 box corners as ImageToTensor does; a plain scale matrix samples a hair
        # apart (measured on the selfie model: up to 0.15 on the mask).
        padded = ((width / 2.0, height / 2.0), (float(side), float(side)), 0.0)
        square = cv2.warpPerspective(
            rgb, _square_transform(padded, _DETECTOR_SIDE), (_DETECTOR_SIDE, _DETECTOR_SIDE),
            flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0,
        )  # fmt: skip
        tensor = square.astype(np.float32) / 127.5 - 1.0
        raw_boxes, raw_scores = _run(self._detector, tensor)
        scores = _sigmoid(np.clip(raw_scores[:, 0].astype(np.float64), -_SCORE_CLIP, _SCORE_CLIP))
        keep = scores >= _MIN_DETECTION_SCORE
        if not keep.any():
            return []
        raw = raw_boxes[keep].astype(np.float64) / _DETECTOR_SIDE
        anchors = _ANCHORS[keep]
        centre = raw[:, 0:2] + anchors
        half = raw[:, 2:4] / 2.0
        boxes = np.concatenate([centre - half, centre + half], axis=1)
        keypoints = raw[:, 4:12].reshape(-1, 4, 2) + anchors[:, None, :]
        found = []
        for box, kps, score in _weighted_nms(boxes, keypoints, scores[keep]):
            # Out of the letterbox into normalised photo coordinates.
            px = (kps * _DETECTOR_SIDE - (offset_x, offset_y)) / scale
            norm_kps = px / (width, height)
            corners = (box.reshape(2, 2) * _DETECTOR_SIDE - (offset_x, offset_y)) / scale / (width, height)
            detection = LiteRTDetection(box=tuple(corners.reshape(-1)), keypoints=norm_kps, score=score)
            # Keypoint 0 is the hip centre and 1 the point that sets the full-body circle's radius.
            scale_px = float(np.hypot(*(px[1] - px[0])))
            found.append(_Detection(score=score, scale_px=scale_px, proto=detection))
        return found

    @staticmethod
    def region_for(detection: LiteRTDetection, width: int, height: int) -> tuple[float, float, float, float, float]:
        (x0, y0), (x1, y1) = detection.keypoints[0], detection.keypoints[1]
        dx, dy = (x1 - x0) * width, (y1 - y0) * height
        side = 2.0 * math.hypot(dx, dy) * _ROI_SCALE
        angle = math.pi / 2.0 - math.atan2(-dy, dx)
        rotation = angle - 2.0 * math.pi * math.floor((angle + math.pi) / (2.0 * math.pi))
        return (float(x0), float(y0), side / width, side / height, rotation)

    def landmarks(
        self, rgb: np.ndarray, detection: _Detection, *, with_mask: bool
    ) -> tuple[np.ndarray, np.ndarray | None, tuple[float, float, float, float, float]] | None:
        height, width = rgb.shape[:2]
        region = self.region_for(detection.proto, width, height)
        matrix = _region_transform(region, width, height)
        crop = cv2.warpPerspective(
            rgb, matrix, (_LANDMARK_SIDE, _LANDMARK_SIDE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        raw_landmarks, pose_flag, segmentation, heatmap, _world = _run(
            self._landmark_model, crop.astype(np.float32) / 255.0
        )
        if float(pose_flag.reshape(-1)[0]) < _POSE_FLAG_THRESHOLD:
            return None
        lms = raw_landmarks.reshape(_NUM_LANDMARKS, 5).astype(np.float64)
        x, y = lms[:, 0] / _LANDMARK_SIDE, lms[:, 1] / _LANDMARK_SIDE
        z = lms[:, 2] / _LANDMARK_SIDE
        visibility = _sigmoid(lms[:, 3])
        x, y = _refine_on_heatmap(x, y, heatmap)
        xc, yc, w, h, rotation = region
        cos, sin = math.cos(rotation), math.sin(rotation)
        px = (cos * (x - 0.5) - sin * (y - 0.5)) * w + xc
        py = (sin * (x - 0.5) + cos * (y - 0.5)) * h + yc
        landmarks33 = np.stack([px, py, z * w, visibility], axis=1)[:33]
        mask = None
        if with_mask:
            probability = _sigmoid(segmentation[:, :, 0].astype(np.float32))
            mask = cv2.warpPerspective(
                probability, matrix, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                borderMode=cv2.BORDER_CONSTANT, borderValue=0,
            ).astype(np.float32)  # fmt: skip
        return landmarks33, mask, region


def _refine_on_heatmap(x: np.ndarray, y: np.ndarray, heatmap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RefineLandmarksFromHeatmap: the confidence-weighted mean cell around each landmark.

    All landmarks at once (a Python loop over the 39 windows cost ~4 ms a photo): each landmark's
    9x9 window, cells outside the heatmap weighing nothing, as the C++ kernel shrinks at the edges.
    """
    rows, cols, count = heatmap.shape
    reach = (_HEATMAP_KERNEL - 1) // 2
    # Truncation toward zero, like the C++ int conversion it stands for (-0.5 is cell 0, inside).
    col, row = np.trunc(x * cols).astype(np.int64), np.trunc(y * rows).astype(np.int64)
    inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    steps = np.arange(-reach, reach + 1)
    window_rows, window_cols = row[:, None] + steps, col[:, None] + steps  # (count, 7) each
    valid = ((window_rows >= 0) & (window_rows < rows))[:, :, None] & ((window_cols >= 0) & (window_cols < cols))[
        :, None, :
    ]
    cells = heatmap[
        np.clip(window_rows, 0, rows - 1)[:, :, None],
        np.clip(window_cols, 0, cols - 1)[:, None, :],
        np.arange(count)[:, None, None],
    ]
    confidence = np.where(valid, _sigmoid(cells.astype(np.float64)), 0.0)
    total = confidence.sum(axis=(1, 2))
    refine = inside & (confidence.max(axis=(1, 2)) >= _HEATMAP_MIN_CONFIDENCE) & (total > 0)
    safe_total = np.where(total > 0, total, 1.0)
    refined_x = (confidence * window_cols[:, None, :]).sum(axis=(1, 2)) / cols / safe_total
    refined_y = (confidence * window_rows[:, :, None]).sum(axis=(1, 2)) / rows / safe_total
    return np.where(refine, refined_x, x), np.where(refine, refined_y, y)
