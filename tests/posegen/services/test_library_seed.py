"""seed_pose_library: creates categories and poses with four stored pictures, is idempotent, keeps
category counts right, updates by catalogue key, respects --if-empty; and the category recount."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from PIL import Image

from posegen.models import PoseCategory, PoseLibrary
from posegen.posekit.catalog import CATEGORIES, build_catalog
from posegen.services.library import library_categories_recount
from posegen.services.library_seed import library_seed
from tests.factories import CategoryFactory, PoseFactory

pytestmark = pytest.mark.django_db
LIMIT = 30


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_pose_library", limit=LIMIT, no_progress=True, stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict:
    return {p.catalog_key: (p.name, p.reference_image.name, p.preview_image.name, p.thumbnail.name,
                            p.controlnet_image.name) for p in PoseLibrary.objects.all()}


def test_seed_twice_creates_once_and_stores_four_pictures():
    first = seed()
    assert f"poses {LIMIT} created" in first
    assert PoseCategory.objects.count() == len(CATEGORIES)
    assert PoseLibrary.objects.count() == LIMIT
    before = snapshot()

    second = seed()
    assert "0 created" in second and f"{LIMIT} unchanged" in second and "0 rendered" in second
    assert PoseLibrary.objects.count() == LIMIT and PoseCategory.objects.count() == len(CATEGORIES)
    assert snapshot() == before  # nothing re-rendered, same files
    assert not PoseLibrary.objects.values("catalog_key").annotate(n=Count("id")).filter(n__gt=1).exists()

    pose = PoseLibrary.objects.order_by("catalog_key").first()
    sizes = {}
    for column in ("reference_image", "preview_image", "thumbnail", "controlnet_image"):
        name = getattr(pose, column).name
        assert name.startswith("library/poses/") and default_storage.exists(name)
        with default_storage.open(name) as handle:
            img = Image.open(handle)
            sizes[column] = (img.size, img.format)
    assert sizes == {"reference_image": ((768, 1024), "JPEG"), "preview_image": ((512, 683), "JPEG"),
                     "thumbnail": ((192, 256), "JPEG"), "controlnet_image": ((768, 1024), "PNG")}
    assert len(pose.keypoints) == 18 and pose.openpose_json["canvas_width"] == 768
    assert pose.pose_structure["version"] == 1
    assert pose.source_credit == "Lumiku studio catalogue" and pose.source_type == "curated"
    assert not PoseLibrary.objects.exclude(popularity_score=F("usage_count") + F("favorite_count")).exists()


def test_seed_sets_direct_category_counts_and_featured():
    seed()
    counts = {c.slug: c.pose_count for c in PoseCategory.objects.all()}
    assert sum(counts.values()) == LIMIT
    for slug, count in counts.items():
        assert count == PoseLibrary.objects.filter(category__slug=slug, is_public=True).count()
    expected = [p for p in build_catalog().poses[:LIMIT] if p.featured]
    assert PoseLibrary.objects.filter(is_featured=True).count() == len(expected)
    assert PoseCategory.objects.get(slug="product-holding-chest").parent.parent.slug == "product-showcase"


def test_seed_updates_by_key_and_rerenders_only_changed_poses():
    seed()
    pose = PoseLibrary.objects.order_by("catalog_key").first()
    old_picture = pose.reference_image.name
    PoseLibrary.objects.filter(pk=pose.pk).update(name="Renamed by hand", tags=[],
                                                  pose_structure={"version": 1, "angles": {}})
    out = seed()
    assert "1 updated" in out and "1 rendered" in out
    pose.refresh_from_db()
    assert pose.name != "Renamed by hand" and pose.tags
    assert pose.reference_image.name != old_picture and not default_storage.exists(old_picture)


def test_if_empty_does_nothing_when_poses_exist():
    PoseFactory()
    out = io.StringIO()
    call_command("seed_pose_library", if_empty=True, limit=LIMIT, no_progress=True, stdout=out)
    assert "nothing to do" in out.getvalue()
    assert PoseLibrary.objects.count() == 1


def test_bad_options():
    with pytest.raises(CommandError):
        call_command("seed_pose_library", limit=0, no_progress=True)
    with pytest.raises(CommandError):
        call_command("seed_pose_library", workers=0, no_progress=True)


def test_single_process_seed_and_retiring_poses_no_longer_in_the_catalogue(monkeypatch):
    report = library_seed(limit=5, workers=1)
    assert report.poses_created == 5 and report.images_rendered == 5
    stale = PoseLibrary.objects.create(name="Old catalogue pose", category=PoseCategory.objects.first(),
                                       catalog_key="old/pose", is_featured=True)
    # A full run (no limit) retires catalogue poses that left the catalogue; a 5-pose catalogue here.
    import posegen.posekit.catalog as catalog_module

    small = dataclasses.replace(build_catalog(), poses=build_catalog().poses[:5])
    monkeypatch.setattr(catalog_module, "build_catalog", lambda: small)
    report = library_seed(workers=1)
    stale.refresh_from_db()
    assert (stale.is_public, stale.is_featured) == (False, False)
    assert report.poses_retired == 1 and report.poses_unchanged == 5


def test_recount_counts_public_poses_directly_in_each_category():
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    PoseFactory.create_batch(3, category=child)
    PoseFactory(category=child, is_public=False)
    PoseFactory(category=parent)
    PoseCategory.objects.filter(pk=child.pk).update(pose_count=99)
    PoseCategory.objects.filter(pk=parent.pk).update(pose_count=0)
    assert library_categories_recount() == 2
    assert PoseCategory.objects.get(pk=child.pk).pose_count == 3
    assert PoseCategory.objects.get(pk=parent.pk).pose_count == 1
    assert library_categories_recount() == 0


def test_spread_takes_poses_evenly_across_the_catalogue():
    out = io.StringIO()
    call_command("seed_pose_library", limit=12, spread=True, no_progress=True, stdout=out)
    poses = build_catalog().poses
    step = len(poses) // 12
    assert set(PoseLibrary.objects.values_list("catalog_key", flat=True)) == {p.key for p in poses[::step][:12]}
    assert PoseLibrary.objects.values("category__parent").distinct().count() >= 6
