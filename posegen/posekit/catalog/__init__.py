"""The Lumiku studio catalogue: 500+ named, anatomically possible poses in a 2–3 level category tree.

Django-free. Poses are built systematically from ``parts`` (stances × arm gestures × head moves ×
camera views, plus named yoga, fitness and dance poses, see ``recipes``), mirrored where the name
has a side, checked against the body model's joint limits and for limbs passing through the body
(``anatomy``), and dropped when within :data:`DUPLICATE_THRESHOLD` (mean keypoint distance, as
``skeleton.pose_distance``) of a pose already kept. Difficulty comes from each pose's complexity.

    catalog = build_catalog()          # cached; deterministic
    len(catalog.poses)                 # > 500
    pose = catalog.poses[0]
    pose.name, pose.category, pose.difficulty, pose.tags
    pose.pose                          # posekit.skeleton.Pose
    assets = render_pose_assets(pose_dict=pose.pose_dict)   # images, keypoints, OpenPose JSON
"""

from posegen.posekit.catalog.builder import (
    ADVANCED_FROM,
    DUPLICATE_THRESHOLD,
    INTERMEDIATE_FROM,
    LICENSE_TYPE,
    SOURCE_CREDIT,
    Catalog,
    CatalogPose,
    build_catalog,
    difficulty_for,
    pose_complexity,
)
from posegen.posekit.catalog.categories import CATEGORIES, CATEGORY_BY_SLUG, Category, category_path, leaf_slugs

__all__ = [
    "ADVANCED_FROM",
    "CATEGORIES",
    "CATEGORY_BY_SLUG",
    "DUPLICATE_THRESHOLD",
    "INTERMEDIATE_FROM",
    "LICENSE_TYPE",
    "SOURCE_CREDIT",
    "Catalog",
    "CatalogPose",
    "Category",
    "build_catalog",
    "category_path",
    "difficulty_for",
    "leaf_slugs",
    "pose_complexity",
]
