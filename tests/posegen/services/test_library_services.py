"""Library services on their own: usage, favourites (hidden poses, counters), the pose tools."""

from __future__ import annotations

import pytest
from django.db.models import F

from lumiku.core.errors import NotFound, UnprocessableEntity, ValidationFailed
from posegen.models import PoseLibrary
from posegen.models.library import PoseFavorite
from posegen.services.library_favourites import (
    library_pose_favorite,
    library_pose_open,
    library_pose_record_use,
    library_pose_unfavorite,
)
from posegen.services.library_tools import library_pose_extract, library_text_to_pose
from tests.factories import CategoryFactory, library_pose

pytestmark = pytest.mark.django_db


@pytest.fixture
def pose():
    return library_pose(category=CategoryFactory(), name="Hands on hips")


def test_open_counts_a_use_and_reports_the_users_favourite(pose, user):
    row, favourite = library_pose_open(pose_id=pose.pk, user=user)
    assert (row["usage_count"], row["popularity_score"], favourite) == (1, 1, False)
    library_pose_favorite(user=user, pose_id=pose.pk)
    row, favourite = library_pose_open(pose_id=pose.pk, user=user)
    assert (row["usage_count"], row["favorite_count"], row["popularity_score"], favourite) == (2, 1, 3, True)


def test_use_of_hidden_or_missing_pose_is_404(pose):
    PoseLibrary.objects.filter(pk=pose.pk).update(is_public=False)
    with pytest.raises(NotFound):
        library_pose_record_use(pose_id=pose.pk)


def test_unfavourite_works_on_a_hidden_pose_and_never_goes_negative(pose, user):
    library_pose_favorite(user=user, pose_id=pose.pk)
    PoseLibrary.objects.filter(pk=pose.pk).update(is_public=False)
    with pytest.raises(NotFound):
        library_pose_favorite(user=user, pose_id=pose.pk)
    state = library_pose_unfavorite(user=user, pose_id=pose.pk)
    assert (state.changed, state.favorite_count, state.popularity_score) == (True, 0, 0)
    assert library_pose_unfavorite(user=user, pose_id=pose.pk).changed is False
    assert not PoseFavorite.objects.exists()
    assert not PoseLibrary.objects.exclude(popularity_score=F("usage_count") + F("favorite_count")).exists()


def test_text_to_pose_service_variations_and_errors():
    result = library_text_to_pose(text="kneeling on one knee, hand on heart", variations=3, seed=2, width=512,
                                  height=512)
    assert result.understood == ["kneeling on one knee", "right hand on heart"]
    assert len(result.variations) == 3 and result.openpose["canvas_width"] == 512
    assert result.controlnet_png.startswith(b"\x89PNG")
    with pytest.raises(ValidationFailed) as error:
        library_text_to_pose(text="blue sky")
    assert error.value.code == "PROMPT_NOT_UNDERSTOOD" and error.value.extra["examples"]


def test_extract_needs_input_and_reads_openpose_text():
    with pytest.raises(ValidationFailed):
        library_pose_extract()
    with pytest.raises(ValidationFailed, match="not valid JSON"):
        library_pose_extract(openpose_json="{nope")
    with pytest.raises(UnprocessableEntity):
        library_pose_extract(openpose_json={"people": [{"pose_keypoints_2d": [0.0] * 54}]})
