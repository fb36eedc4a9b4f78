"""ControlNet OpenPose maps: exact annotator pixels."""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
import pytest
from PIL import Image

from posegen.posekit.keypoints import COCO18_INDEX, LIMBS, OPENPOSE_COLORS
from posegen.posekit.render_controlnet import encode_png, render_controlnet_map
from posegen.posekit.skeleton import Camera, make_pose, project_pose

W, H = 200, 100


def limb_color(i: int) -> list[int]:
    return [int(c * 0.6) for c in OPENPOSE_COLORS[i]]


def shoulder_elbow(conf_elbow: float = 1.0) -> np.ndarray:
    """Right shoulder at (40, 50) px and right elbow at (120, 50) px on a 200 x 100 canvas."""
    k = np.zeros((18, 3))
    k[COCO18_INDEX["r_shoulder"]] = (40 / W, 50 / H, 1.0)
    k[COCO18_INDEX["r_elbow"]] = (120 / W, 50 / H, conf_elbow)
    return k


def test_limb_and_joint_colours_exactly():
    image = render_controlnet_map(keypoints=shoulder_elbow(), width=W, height=H)
    assert image.shape == (H, W, 3) and image.dtype == np.uint8
    # Limb 2 (r_shoulder -> r_elbow) at 60 % of colour 2; the joints in full colours 2 and 3.
    assert limb_color(2) == [153, 102, 0]
    assert image[50, 80].tolist() == [153, 102, 0]
    assert image[53, 80].tolist() == [153, 102, 0]  # the stick is 4 px to each side
    assert image[50, 40].tolist() == [255, 170, 0]
    assert image[50, 120].tolist() == [255, 255, 0]
    assert image[50, 44].tolist() == [255, 170, 0]  # joint disc radius 4
    assert image[50, 50].tolist() == [153, 102, 0]
    # Everything else is black.
    assert image[60, 80].tolist() == [0, 0, 0]
    assert image[10, 10].tolist() == [0, 0, 0]
    colours = {tuple(c) for c in image.reshape(-1, 3).tolist()}
    assert colours == {(0, 0, 0), (153, 102, 0), (255, 170, 0), (255, 255, 0)}


def test_stick_geometry_is_the_annotators_ellipse():
    image = render_controlnet_map(keypoints=shoulder_elbow(), width=W, height=H)
    stick = np.all(image == limb_color(2), axis=2)
    expected = np.zeros((H, W, 3), np.uint8)
    polygon = cv2.ellipse2Poly((80, 50), (40, 4), 180, 0, 360, 1)
    cv2.fillConvexPoly(expected, polygon, (1, 1, 1))
    for x in (40, 120):
        cv2.circle(expected, (x, 50), 4, (0, 0, 0), thickness=-1)
    np.testing.assert_array_equal(stick, expected[:, :, 0].astype(bool))


def test_missing_joint_leaves_out_its_limbs_but_not_the_other_joint():
    image = render_controlnet_map(keypoints=shoulder_elbow(conf_elbow=0.0), width=W, height=H)
    assert image[50, 80].tolist() == [0, 0, 0]
    assert image[50, 120].tolist() == [0, 0, 0]
    assert image[50, 40].tolist() == [255, 170, 0]
    assert int(np.any(image > 0, axis=2).sum()) == int(
        np.any(cv2.circle(np.zeros((H, W, 3), np.uint8), (40, 50), 4, (1, 1, 1), -1) > 0, axis=2).sum())


def reference_draw_bodypose(keypoints: np.ndarray, width: int, height: int) -> np.ndarray:
    """The controlnet_aux annotator as published, written the way it is written there."""
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    points = [None if c <= 0 else (x, y) for x, y, c in keypoints.tolist()]
    for (k1, k2), color in zip(LIMBS, OPENPOSE_COLORS, strict=False):
        if points[k1] is None or points[k2] is None:
            continue
        y = np.array([points[k1][0], points[k2][0]]) * float(width)
        x = np.array([points[k1][1], points[k2][1]]) * float(height)
        m_x, m_y = np.mean(x), np.mean(y)
        length = ((x[0] - x[1]) ** 2 + (y[0] - y[1]) ** 2) ** 0.5
        angle = math.degrees(math.atan2(x[0] - x[1], y[0] - y[1]))
        polygon = cv2.ellipse2Poly((int(m_y), int(m_x)), (int(length / 2), 4), int(angle), 0, 360, 1)
        cv2.fillConvexPoly(canvas, polygon, [int(float(c) * 0.6) for c in color])
    for point, color in zip(points, OPENPOSE_COLORS, strict=True):
        if point is not None:
            cv2.circle(canvas, (int(point[0] * width), int(point[1] * height)), 4, list(color), thickness=-1)
    return canvas


@pytest.mark.parametrize("seed", range(12))
def test_pixel_identical_to_the_annotator_on_random_poses(seed):
    rng = np.random.default_rng(seed)
    width, height = int(rng.integers(16, 900)), int(rng.integers(16, 900))
    k = np.column_stack([rng.uniform(-0.1, 1.1, size=(18, 2)), (rng.uniform(size=18) > 0.2).astype(float)])
    np.testing.assert_array_equal(render_controlnet_map(keypoints=k, width=width, height=height),
                                  reference_draw_bodypose(k, width, height))


@pytest.mark.parametrize(("yaw", "size"), [(0, (768, 1024)), (35, (512, 683)), (180, (192, 256)), (90, (333, 97))])
def test_pixel_identical_to_the_annotator_on_body_model_poses(yaw, size):
    pose = make_pose(angles={"shoulder.abduction": 45, "shoulder.rotation": 80, "elbow.flexion": 100,
                             "l_knee.flexion": 30}, camera=Camera(yaw=yaw))
    k = project_pose(pose=pose, width=size[0], height=size[1]).keypoints
    image = render_controlnet_map(keypoints=k, width=size[0], height=size[1])
    np.testing.assert_array_equal(image, reference_draw_bodypose(k, *size))
    # Joints go on last, in index order: the last present joint's centre shows its full colour.
    last = int(np.flatnonzero(k[:, 2] > 0)[-1])
    x, y = (k[last, :2] * np.array(size)).astype(int)
    assert image[y, x].tolist() == list(OPENPOSE_COLORS[last])


def test_several_people_are_drawn_in_order():
    a = shoulder_elbow()
    b = shoulder_elbow()
    b[:, 1] = np.where(b[:, 2] > 0, 0.2, 0.0)  # the same limb 30 px higher
    image = render_controlnet_map(keypoints=np.stack([a, b]), width=W, height=H)
    assert image[50, 80].tolist() == [153, 102, 0]
    assert image[20, 80].tolist() == [153, 102, 0]
    np.testing.assert_array_equal(
        image, np.maximum(reference_draw_bodypose(a, W, H), reference_draw_bodypose(b, W, H)))


def test_points_outside_the_canvas_and_tiny_canvases_are_fine():
    k = shoulder_elbow()
    k[COCO18_INDEX["r_elbow"], :2] = (3.0, -2.0)
    image = render_controlnet_map(keypoints=k, width=W, height=H)
    np.testing.assert_array_equal(image, reference_draw_bodypose(k, W, H))
    assert render_controlnet_map(keypoints=k, width=1, height=1).shape == (1, 1, 3)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match=r"\(18, 3\) or \(P, 18, 3\)"):
        render_controlnet_map(keypoints=np.zeros((17, 3)), width=10, height=10)
    with pytest.raises(ValueError, match="canvas size must be positive"):
        render_controlnet_map(keypoints=np.zeros((18, 3)), width=0, height=10)


def test_png_bytes_decode_to_the_same_rgb_pixels():
    image = render_controlnet_map(keypoints=shoulder_elbow(), width=W, height=H)
    data = encode_png(image=image)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    np.testing.assert_array_equal(decoded, image)
    with pytest.raises(ValueError, match="uint8"):
        encode_png(image=image.astype(np.float32))
