"""The studio catalogue: size, tree, unique names, no near-duplicates, possible bodies, determinism."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from posegen.posekit.catalog import (
    CATEGORIES,
    CATEGORY_BY_SLUG,
    DUPLICATE_THRESHOLD,
    SOURCE_CREDIT,
    build_catalog,
    category_path,
    difficulty_for,
    leaf_slugs,
    pose_complexity,
)
from posegen.posekit.catalog.anatomy import pose_collisions
from posegen.posekit.catalog.builder import _view_plane
from posegen.posekit.catalog.render import render_pose_assets
from posegen.posekit.formats import parse_openpose
from posegen.posekit.skeleton import (
    DOF_BY_KEY,
    make_pose,
    pose_distance,
    pose_from_dict,
    pose_joints_3d,
    pose_to_dict,
)


@pytest.fixture(scope="module")
def catalog():
    return build_catalog()


def test_at_least_500_poses_in_at_least_12_top_categories(catalog):
    assert len(catalog.poses) >= 500
    tops = [c for c in CATEGORIES if c.parent is None]
    assert len(tops) >= 12
    used_tops = {category_path(p.category)[0].slug for p in catalog.poses}
    assert used_tops == {c.slug for c in tops}


def test_tree_is_two_to_three_levels_with_poses_on_leaves(catalog):
    assert len({c.slug for c in CATEGORIES}) == len(CATEGORIES)
    depths = Counter(len(category_path(c.slug)) for c in CATEGORIES)
    assert set(depths) <= {1, 2, 3} and depths[3] > 0
    leaves = set(leaf_slugs())
    assert all(len(category_path(slug)) >= 2 for slug in leaves)
    assert {p.category for p in catalog.poses} == leaves  # every leaf has poses, poses sit on leaves
    for category in CATEGORIES:
        assert category.color.startswith("#") and len(category.color) == 7
        if category.parent:
            assert CATEGORY_BY_SLUG[category.parent].order >= 0


def test_names_and_keys_are_unique_and_searchable(catalog):
    names = [p.name for p in catalog.poses]
    keys = [p.key for p in catalog.poses]
    assert len(set(names)) == len(names)
    assert len(set(keys)) == len(keys)
    assert all(len(k) <= 200 and len(n) <= 150 for k, n in zip(keys, names, strict=True))
    assert all(p.description.endswith(".") and p.tags for p in catalog.poses)
    assert "Hands on hips, front" in names or any(n.startswith("Confident hands on hips") for n in names)


def test_no_two_poses_closer_than_the_threshold(catalog):
    planes = np.stack([_view_plane(pose_joints_3d(pose=p.pose), p.pose) for p in catalog.poses])
    for i in range(1, len(planes)):
        nearest = np.linalg.norm(planes[:i] - planes[i], axis=2).mean(axis=1).min()
        assert nearest >= DUPLICATE_THRESHOLD, catalog.poses[i].name


def test_the_fast_distance_is_pose_distance(catalog):
    a, b = catalog.poses[3].pose, catalog.poses[200].pose
    fast = np.linalg.norm(_view_plane(pose_joints_3d(pose=a), a) - _view_plane(pose_joints_3d(pose=b), b),
                          axis=1).mean()
    assert fast == pytest.approx(pose_distance(a=a, b=b), abs=1e-9)


def test_every_angle_is_within_its_limits_and_no_body_passes_through_itself(catalog):
    for entry in catalog.poses:
        for key, value in entry.pose.angles.items():
            dof = DOF_BY_KEY[key]
            assert dof.low <= value <= dof.high, (entry.name, key, value)
        assert pose_from_dict(data=entry.pose_dict) == entry.pose
    sample = catalog.poses[::7]
    assert all(not pose_collisions(pose=p.pose) for p in sample)


def test_feet_or_body_rest_on_the_floor(catalog):
    for entry in catalog.poses[::5]:
        skeleton = pose_joints_3d(pose=entry.pose)
        lowest = float((skeleton.positions[:, 1] - skeleton.radii).min())
        assert lowest == pytest.approx(entry.pose.root.lift, abs=1e-6)


def test_metadata(catalog):
    assert {p.difficulty for p in catalog.poses} == {"beginner", "intermediate", "advanced"}
    counts = Counter(p.difficulty for p in catalog.poses)
    assert counts["beginner"] > counts["advanced"] > 0
    assert {p.gender_suitability for p in catalog.poses} == {"unisex", "female", "male"}
    featured = [p for p in catalog.poses if p.featured]
    assert 10 <= len(featured) <= 20
    assert len({p.category for p in featured}) >= 8
    assert SOURCE_CREDIT == "Lumiku studio catalogue"


def test_difficulty_follows_complexity():
    easy = make_pose(angles={"shoulder.abduction": 10})
    hard = make_pose(angles={"l_hip.flexion": -30, "l_knee.flexion": 130, "r_ankle.flexion": -40,
                             "spine.flexion": -20})
    assert difficulty_for(pose_complexity(pose=easy, family="standing")) == "beginner"
    assert difficulty_for(pose_complexity(pose=hard, family="standing")) == "advanced"


def test_mirrored_poses_swap_sides_in_name_and_structure(catalog):
    mirrored = next(p for p in catalog.poses if p.mirrored and "3/4" in p.name)
    assert mirrored.structure()["mirrored"] is True
    assert "right" in mirrored.name.lower() or "left" in mirrored.name.lower()


def test_deterministic(catalog):
    build_catalog.cache_clear()
    again = build_catalog()
    assert [p.key for p in again.poses] == [p.key for p in catalog.poses]
    assert [p.name for p in again.poses] == [p.name for p in catalog.poses]
    assert all(a.pose == b.pose for a, b in zip(again.poses, catalog.poses, strict=True))


def test_render_assets_sizes_and_keypoint_files(catalog):
    import io

    from PIL import Image

    entry = catalog.poses[0]
    assets = render_pose_assets(pose_dict=pose_to_dict(pose=entry.pose))
    sizes = [Image.open(io.BytesIO(data)).size for data in
             (assets.reference_jpeg, assets.preview_jpeg, assets.thumbnail_jpeg, assets.controlnet_png)]
    assert sizes == [(768, 1024), (512, 683), (192, 256), (768, 1024)]
    assert Image.open(io.BytesIO(assets.controlnet_png)).format == "PNG"
    assert len(assets.keypoints) == 18 and all(len(k) == 3 for k in assets.keypoints)
    document = parse_openpose(data=assets.openpose)
    np.testing.assert_allclose(document.people[0].body[:, :2], np.asarray(assets.keypoints)[:, :2], atol=1e-3)
