"""The COCO-18 (OpenPose body) keypoint convention shared by every posekit module."""

from __future__ import annotations

COCO18_NAMES: tuple[str, ...] = (
    "nose",
    "neck",
    "r_shoulder",
    "r_elbow",
    "r_wrist",
    "l_shoulder",
    "l_elbow",
    "l_wrist",
    "r_hip",
    "r_knee",
    "r_ankle",
    "l_hip",
    "l_knee",
    "l_ankle",
    "r_eye",
    "l_eye",
    "r_ear",
    "l_ear",
)
COCO18_INDEX: dict[str, int] = {name: i for i, name in enumerate(COCO18_NAMES)}
NUM_KEYPOINTS = len(COCO18_NAMES)

# The 14 body joints (no face points) used for fidelity and PCK measures.
BODY14: tuple[int, ...] = tuple(range(14))

# Limbs of the ControlNet/OpenPose annotator, 1-based as the annotator writes them.
LIMB_SEQUENCE_1BASED: tuple[tuple[int, int], ...] = (
    (2, 3), (2, 6), (3, 4), (4, 5), (6, 7), (7, 8), (2, 9), (9, 10), (10, 11),
    (2, 12), (12, 13), (13, 14), (2, 1), (1, 15), (15, 17), (1, 16), (16, 18),
)
LIMBS: tuple[tuple[int, int], ...] = tuple((a - 1, b - 1) for a, b in LIMB_SEQUENCE_1BASED)

# The 18 standard OpenPose colours (RGB); limb i and joint i use colour i.
OPENPOSE_COLORS: tuple[tuple[int, int, int], ...] = (
    (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0),
    (0, 255, 0), (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255),
    (0, 0, 255), (85, 0, 255), (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85),
)

# Left/right partner of every keypoint, for mirroring.
MIRROR_INDEX: tuple[int, ...] = (0, 1, 5, 6, 7, 2, 3, 4, 11, 12, 13, 8, 9, 10, 15, 14, 17, 16)

# BlazePose-33 landmark index for each COCO-18 joint; neck (None) is the shoulders' midpoint.
BLAZEPOSE_TO_COCO18: tuple[int | None, ...] = (
    0, None, 12, 14, 16, 11, 13, 15, 24, 26, 28, 23, 25, 27, 5, 2, 8, 7,
)

# BODY_25 index for each COCO-18 joint: BODY_25 inserts MidHip at 8 and appends six foot points,
# otherwise keeping the COCO-18 order.
BODY25_TO_COCO18: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)
NUM_BODY25_KEYPOINTS = 25
NUM_HAND_KEYPOINTS = 21
# OpenPose's face model has 70 points; some editors write only the 68 dlib-style ones.
FACE_KEYPOINT_COUNTS: tuple[int, ...] = (70, 68)
