"""The four pictures and the keypoint files of a library pose, from its pose dict.

A plain function of plain data so a process pool can run it (the seed command renders the
catalogue on every core). Mannequin pictures are JPEG (studio backdrop, no transparency); the
ControlNet map is PNG, drawn exactly like the OpenPose annotator. Keypoints and the OpenPose JSON
are for the 768 x 1024 (3:4) reference canvas, normalised and in pixels respectively.

    assets = render_pose_assets(pose_dict=pose_to_dict(pose=pose))
    assets.reference_jpeg, assets.preview_jpeg, assets.thumbnail_jpeg, assets.controlnet_png
    assets.keypoints        # [[x, y, c], ...] x 18, 0..1 of the reference canvas
    assets.openpose         # {"people": [...], "canvas_width": 768, "canvas_height": 1024}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from posegen.posekit.formats import OpenPoseDocument, openpose_to_dict
from posegen.posekit.render_controlnet import encode_png, render_controlnet_map
from posegen.posekit.render_mannequin import PREVIEW_SIZE, REFERENCE_SIZE, THUMBNAIL_SIZE, render_mannequin
from posegen.posekit.skeleton import pose_from_dict, project_pose

JPEG_QUALITY = 88
KEYPOINT_DECIMALS = 5


@dataclass(frozen=True)
class PoseAssets:
    reference_jpeg: bytes  # REFERENCE_SIZE mannequin
    preview_jpeg: bytes  # PREVIEW_SIZE
    thumbnail_jpeg: bytes  # THUMBNAIL_SIZE
    controlnet_png: bytes  # REFERENCE_SIZE OpenPose map
    keypoints: list[list[float]]
    openpose: dict[str, Any]


def encode_jpeg(*, image: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    """JPEG bytes of an (H, W, 3) RGB uint8 image."""
    ok, buffer = cv2.imencode(".jpg", np.ascontiguousarray(image[:, :, ::-1]),
                              [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_OPTIMIZE, 1])
    if not ok:
        raise ValueError("OpenCV could not encode the image as JPEG")
    return buffer.tobytes()


def pose_keypoints(*, pose_dict: dict[str, Any], width: int = REFERENCE_SIZE[0],
                   height: int = REFERENCE_SIZE[1]) -> np.ndarray:
    """(18, 3) COCO-18 keypoints of the pose on a width x height canvas, normalised."""
    return project_pose(pose=pose_from_dict(data=pose_dict), width=width, height=height).keypoints


def render_pose_assets(*, pose_dict: dict[str, Any]) -> PoseAssets:
    pose = pose_from_dict(data=pose_dict)
    width, height = REFERENCE_SIZE
    keypoints = project_pose(pose=pose, width=width, height=height).keypoints
    pictures = [encode_jpeg(image=render_mannequin(pose=pose, width=w, height=h))
                for w, h in (REFERENCE_SIZE, PREVIEW_SIZE, THUMBNAIL_SIZE)]
    control = encode_png(image=render_controlnet_map(keypoints=keypoints, width=width, height=height))
    document = OpenPoseDocument.single(body=keypoints, canvas_width=width, canvas_height=height)
    openpose = openpose_to_dict(document=document, coordinates="pixels")
    for person in openpose["people"]:
        person["pose_keypoints_2d"] = [round(v, 2) for v in person["pose_keypoints_2d"]]
    return PoseAssets(
        reference_jpeg=pictures[0],
        preview_jpeg=pictures[1],
        thumbnail_jpeg=pictures[2],
        controlnet_png=control,
        keypoints=np.round(keypoints, KEYPOINT_DECIMALS).tolist(),
        openpose=openpose,
    )


def render_pose_assets_positional(pose_dict: dict[str, Any]) -> PoseAssets:
    """:func:`render_pose_assets` with a positional argument, for ``Executor.map``."""
    return render_pose_assets(pose_dict=pose_dict)
