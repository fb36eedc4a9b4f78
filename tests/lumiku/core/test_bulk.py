import pytest

from lumiku.core.bulk import bulk_insert
from posegen.models import GeneratedPose, PoseSelection
from tests.factories import GenerationFactory, PoseFactory

pytestmark = pytest.mark.django_db


def test_bulk_insert_fills_defaults_like_the_orm():
    generation = GenerationFactory(total_expected_poses=3)
    pose = PoseFactory()
    count = bulk_insert(model=GeneratedPose, rows=[
        {"generation_id": generation.pk, "pose_library_id": pose.pk, "sequence": i, "seed_used": 7 + i,
         "pose_structure": {"angles": {"knee.flexion": i}}}
        for i in range(3)
    ])
    assert count == 3
    rows = list(GeneratedPose.objects.filter(generation=generation).order_by("sequence"))
    assert [r.sequence for r in rows] == [0, 1, 2]
    assert len({r.pk for r in rows}) == 3
    first = rows[0]
    assert (first.status, first.controlnet_weight, first.export_formats, first.output_image.name) == (
        "pending", 0.75, {}, "")
    assert (first.is_favorite, first.download_count, first.refunded, first.claim_token) == (False, 0, False, None)
    assert rows[2].pose_structure == {"angles": {"knee.flexion": 2}}
    assert first.created_at is not None


def test_bulk_insert_serial_primary_keys_and_empty_input():
    generation = GenerationFactory()
    poses = [PoseFactory(), PoseFactory()]
    assert bulk_insert(model=PoseSelection, rows=[]) == 0
    bulk_insert(model=PoseSelection, rows=[{"generation_id": generation.pk, "pose_library_id": p.pk} for p in poses])
    assert set(PoseSelection.objects.values_list("pose_library_id", flat=True)) == {p.pk for p in poses}
