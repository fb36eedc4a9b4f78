"""Mannequin pictures: the rasteriser's geometry, the studio, and what the figure looks like."""

from __future__ import annotations

import numpy as np
import pytest

from posegen.posekit.depth_canvas import DepthCanvas
from posegen.posekit.render_mannequin import (
    PREVIEW_SIZE,
    REFERENCE_SIZE,
    THUMBNAIL_SIZE,
    MannequinStyle,
    render_mannequin,
)
from posegen.posekit.skeleton import Camera, Pose, Root, make_pose, pose_mirror
from posegen.posekit.studio import ShadowStroke, darken_floor, studio_backdrop

BODY = np.array([200.0, 160.0, 120.0], dtype=np.float32)
JOINT = np.array([100.0, 60.0, 20.0], dtype=np.float32)


def disc_pixel_count(cx: float, cy: float, r: float, size: int) -> int:
    ys, xs = np.mgrid[0:size, 0:size] + 0.5
    return int(((xs - cx) ** 2 + (ys - cy) ** 2 < r * r).sum())


def test_sphere_covers_exactly_the_pixel_centres_inside_it():
    for kind in ("capsule", "ellipsoid"):
        canvas = DepthCanvas(width=40, height=40)
        centre = np.array([20.0, 18.0, 100.0])
        if kind == "capsule":
            canvas.capsule(a=centre, b=centre, radius_a=9.0, radius_b=9.0, color=BODY)
        else:
            canvas.ellipsoid(centre=centre, axes=np.eye(3) * 9.0, color=BODY)
        assert int((canvas.ids == 0).sum()) == disc_pixel_count(20.0, 18.0, 9.0, 40)
        # Depth at the silhouette's centre is the nearest surface point, one radius in front.
        assert canvas.depth[17, 19] == pytest.approx(100.0 - 9.0 * np.sqrt(1 - 2 * 0.5**2 / 81), abs=1e-3)


def test_capsule_covers_its_segment_and_rounded_ends():
    canvas = DepthCanvas(width=60, height=30)
    canvas.capsule(a=np.array([10.0, 15.0, 50.0]), b=np.array([50.0, 15.0, 50.0]), radius_a=5.0, radius_b=5.0,
                   color=BODY)
    covered = canvas.ids == 0
    ys, xs = np.mgrid[0:30, 0:60] + 0.5
    along = np.clip(xs, 10.0, 50.0)
    expected = (xs - along) ** 2 + (ys - 15.0) ** 2 < 25.0
    np.testing.assert_array_equal(covered, expected)


def test_nearer_primitive_wins_whatever_the_drawing_order():
    results = []
    for order in ((0, 1), (1, 0)):
        canvas = DepthCanvas(width=50, height=50)
        spheres = [(np.array([20.0, 25.0, 100.0]), BODY), (np.array([30.0, 25.0, 80.0]), JOINT)]
        for i in order:
            canvas.ellipsoid(centre=spheres[i][0], axes=np.eye(3) * 10.0, color=spheres[i][1])
        rgb, covered = canvas.shade()
        results.append((rgb[covered.astype(bool)], covered))
        # The overlap at x = 25 belongs to the nearer (z = 80) sphere.
        assert canvas.depth[25, 25] == pytest.approx(80.0 - np.sqrt(100 - 4.5**2 - 0.5**2), abs=1e-3)
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_window_origin_offsets_screen_coordinates():
    whole = DepthCanvas(width=80, height=60)
    window = DepthCanvas(width=30, height=30, origin=(40, 20))
    for canvas in (whole, window):
        canvas.capsule(a=np.array([55.0, 35.0, 10.0]), b=np.array([60.0, 40.0, 10.0]), radius_a=6.0, radius_b=3.0,
                       color=BODY)
    np.testing.assert_array_equal(whole.ids[20:50, 40:70], window.ids)
    np.testing.assert_array_equal(whole.depth[20:50, 40:70], window.depth)


def test_shading_is_lit_from_the_upper_left():
    canvas = DepthCanvas(width=41, height=41)
    canvas.ellipsoid(centre=np.array([20.5, 20.5, 100.0]), axes=np.eye(3) * 18.0, color=BODY)
    rgb, covered = canvas.shade()
    assert rgb[8, 8].sum() > rgb[32, 32].sum() + 150
    assert covered[20, 20] == 1 and covered[0, 0] == 0


def test_backdrop_is_a_cached_read_only_gradient():
    backdrop = studio_backdrop(width=64, height=100)
    assert backdrop.shape == (100, 64, 3) and backdrop.dtype == np.uint8
    assert backdrop is studio_backdrop(width=64, height=100)
    assert not backdrop.flags.writeable
    assert backdrop[0].mean() > backdrop[-1].mean() + 20  # wall lighter than floor
    assert np.array_equal(backdrop[:, 10], backdrop[:, 53])  # symmetric about the centre column


def test_floor_shadow_darkens_only_around_its_strokes():
    image = np.full((200, 200, 3), 200, np.uint8)
    stroke = ShadowStroke(start=(80.0, 150.0), end=(120.0, 150.0), radius=10.0, strength=0.5)
    darken_floor(image=image, layers=(([stroke], 4.0),), max_density=0.6)
    assert image[150, 100].tolist() == [100, 100, 100]  # half strength along the stroke
    assert abs(int(image[150, 60, 0]) - int(image[150, 140, 0])) <= 3  # placed symmetrically
    assert 185 < image[150, 60, 0] < 200  # blurred out past the rounded ends
    assert image[10, 10].tolist() == [200, 200, 200]
    assert np.all(image <= 200)
    untouched = np.full((20, 20, 3), 7, np.uint8)
    darken_floor(image=untouched, layers=(([], 4.0),), max_density=0.6)
    assert np.all(untouched == 7)


def figure_mask(image: np.ndarray) -> np.ndarray:
    """The figure is warm-toned (red well above blue); backdrop and shadow are neutral grey."""
    rgb = image.astype(int)
    return rgb[:, :, 0] - rgb[:, :, 2] > 20


def bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


@pytest.mark.parametrize("size", [REFERENCE_SIZE, PREVIEW_SIZE, THUMBNAIL_SIZE, (101, 77)])
def test_any_size_renders_a_framed_figure_on_the_backdrop(size):
    width, height = size
    image = render_mannequin(pose=Pose(), width=width, height=height)
    assert image.shape == (height, width, 3) and image.dtype == np.uint8
    mask = figure_mask(image)
    x0, y0, x1, y1 = bbox(mask)
    # Fitted with the 8 % margin; the floor is in the fit too, so the feet sit on the bottom margin.
    assert y0 >= 0.08 * height - 2 and y1 <= 0.92 * height + 2
    assert x0 >= 0.08 * width - 2 and x1 <= 0.92 * width + 2
    assert (y1 - y0) >= 0.80 * height or (x1 - x0) >= 0.80 * width
    # The corners show the untouched backdrop (to a rounding step where supersampled pictures are
    # averaged down).
    backdrop = studio_backdrop(width=width, height=height).astype(int)
    assert np.abs(image[0, 0].astype(int) - backdrop[0, 0]).max() <= 1
    assert np.abs(image[0, -1].astype(int) - backdrop[0, -1]).max() <= 1


def test_rendering_is_deterministic():
    pose = make_pose(angles={"shoulder.abduction": 45, "elbow.flexion": 100}, camera=Camera(yaw=30))
    np.testing.assert_array_equal(render_mannequin(pose=pose, width=192, height=256),
                                  render_mannequin(pose=pose, width=192, height=256))


def test_floor_shadow_under_a_standing_figure():
    image = render_mannequin(pose=Pose(), width=192, height=256)
    mask = figure_mask(image)
    _, _, _, feet = bbox(mask)
    backdrop = studio_backdrop(width=192, height=256)
    column = slice(60, 132)
    below_feet = image[feet + 1 : feet + 4, column].astype(int).sum(axis=2)
    bare = backdrop[feet + 1 : feet + 4, column].astype(int).sum(axis=2)
    assert (bare - below_feet).max() > 60


def test_silhouettes_tell_standing_sitting_lying_and_jumping_apart():
    size = THUMBNAIL_SIZE
    standing = bbox(figure_mask(render_mannequin(pose=Pose(), width=size[0], height=size[1])))
    sitting = bbox(figure_mask(render_mannequin(
        pose=make_pose(angles={"hip.flexion": 90, "knee.flexion": 90}, camera=Camera(yaw=60)),
        width=size[0], height=size[1])))
    lying = bbox(figure_mask(render_mannequin(pose=make_pose(root=Root(roll=90)), width=size[0], height=size[1])))
    jump = render_mannequin(pose=make_pose(angles={"knee.flexion": 60, "hip.flexion": 30}, root=Root(lift=0.4)),
                            width=size[0], height=size[1])

    def aspect(box: tuple[int, int, int, int]) -> float:
        return (box[2] - box[0] + 1) / (box[3] - box[1] + 1)

    assert aspect(standing) < 0.4
    assert 0.45 < aspect(sitting) < 1.0
    assert aspect(lying) > 3.0
    # Mid-air: the figure's lowest pixel is well above the bottom margin, where its shadow lies.
    _, _, _, lowest = bbox(figure_mask(jump))
    assert lowest < 0.80 * size[1]


def test_hands_on_hips_shows_two_arm_loops_beside_the_body():
    pose = make_pose(angles={"shoulder.abduction": 45, "shoulder.flexion": -20, "shoulder.rotation": 80,
                             "elbow.flexion": 100})
    plain = figure_mask(render_mannequin(pose=Pose(), width=192, height=256))
    hips = figure_mask(render_mannequin(pose=pose, width=192, height=256))
    # The elbows stick out: at elbow height the figure is far wider than with the arms down.
    row = 95
    assert np.ptp(np.nonzero(hips[row])[0]) > 1.3 * np.ptp(np.nonzero(plain[row])[0])
    # ...and each arm encloses a gap of backdrop between itself and the waist.
    runs = np.flatnonzero(np.diff(hips[row].astype(int)) != 0)
    assert len(runs) >= 6  # background | arm | gap | body | gap | arm | background


def test_mirror_pose_renders_a_mirrored_silhouette():
    pose = make_pose(angles={"r_shoulder.abduction": 120, "l_hip.flexion": 60, "l_knee.flexion": 80},
                     camera=Camera(yaw=25))
    a = figure_mask(render_mannequin(pose=pose, width=192, height=256))
    b = figure_mask(render_mannequin(pose=pose_mirror(pose=pose), width=192, height=256))
    flipped = b[:, ::-1]
    iou = (a & flipped).sum() / (a | flipped).sum()
    assert iou > 0.95


def test_style_colours_are_used():
    style = MannequinStyle(body_color=(40, 90, 220), joint_color=(40, 90, 220), outline_color=(0, 0, 0))
    image = render_mannequin(pose=Pose(), width=192, height=256, style=style)
    blue = (image[:, :, 2].astype(int) - image[:, :, 0]) > 60
    assert blue.sum() > 2000
    assert not figure_mask(image).any()


def test_bad_size_is_refused():
    with pytest.raises(ValueError, match="picture size must be positive"):
        render_mannequin(pose=Pose(), width=0, height=10)
