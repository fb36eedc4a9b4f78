"""Issue 14 item 6: poses the engine cannot make from a project's avatar are known before payment.

The library list takes ?projectId= and says per pose ``supported`` / ``unsupportedReason`` (the reader's
language); POST /generate with such poses is 422 POSES_UNSUPPORTED listing them, nothing charged or written.
The offline engine judges against the avatar's stored traits; engines that render anything support all."""

from __future__ import annotations

import pytest

from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance
from posegen.models import GeneratedPose, PoseGeneration, PoseGeneratorProject, PoseSelection
from posegen.services.feasibility import TRAITS_VERSION
from tests.factories import ProjectFactory, library_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body

pytestmark = pytest.mark.django_db

LIBRARY_URL = "/api/apps/pose-generator/library"
SITTING = {"hip.flexion": 90, "knee.flexion": 90}
SITTING_REASON = "This is a sitting or crouching pose; it cannot be made from a standing photo."
SITTING_REASON_ID = "Ini pose duduk atau jongkok; tidak bisa dibuat dari foto berdiri."


def _standing_project(user, **traits):
    """A project whose avatar check (and traits, as the worker stores them after upload) are done."""
    stored = {"usable": True, "standing": True, "garment": None, "hem_ratio": None, "max_leg_spread_deg": None,
              "carried_hand": None, **traits}
    return ProjectFactory(user=user, avatar_check={
        "ok": True, "problems": [], "warnings": [], "checkedAt": "2026-01-01T00:00:00+00:00",
        "poseTraits": {"engine": "offline", "version": TRAITS_VERSION, "traits": stored}})


def _by_id(response) -> dict:
    assert response.status_code == 200, response.content
    return {p["id"]: p for p in response.json()["poses"]}


def test_library_list_with_project_id_says_which_poses_the_avatar_supports(auth_client, engine):
    engine("offline")
    standing, sitting = library_pose(name="Standing"), library_pose(name="Chair", **SITTING)
    project = _standing_project(auth_client.user)
    poses = _by_id(auth_client.get(LIBRARY_URL, {"projectId": str(project.pk), "limit": 100}))
    assert poses[str(standing.pk)]["supported"] is True
    assert poses[str(standing.pk)]["unsupportedReason"] is None
    assert poses[str(sitting.pk)]["supported"] is False
    assert poses[str(sitting.pk)]["unsupportedReason"] == SITTING_REASON
    # Without projectId the list is the shared page: no support fields at all.
    plain = _by_id(auth_client.get(LIBRARY_URL, {"limit": 100}))
    assert "supported" not in plain[str(sitting.pk)] and "unsupportedReason" not in plain[str(sitting.pk)]


def test_the_reason_is_in_the_readers_language(auth_client, engine):
    engine("offline")
    sitting = library_pose(**SITTING)
    project = _standing_project(auth_client.user)
    poses = _by_id(auth_client.get(LIBRARY_URL, {"projectId": str(project.pk)}, HTTP_ACCEPT_LANGUAGE="id"))
    assert poses[str(sitting.pk)]["unsupportedReason"] == SITTING_REASON_ID


def test_support_is_per_project_and_never_leaks_through_the_page_cache(auth_client, other_client, engine):
    engine("offline")
    dress_pose = library_pose(**{"hip.abduction": 30})
    mine = _standing_project(auth_client.user, garment="dress", hem_ratio=0.9, max_leg_spread_deg=15.0)
    theirs = _standing_project(other_client.user)
    first = _by_id(auth_client.get(LIBRARY_URL, {"projectId": str(mine.pk)}))[str(dress_pose.pk)]
    assert first["supported"] is False and "long dress" in first["unsupportedReason"]
    # Same page (cached after the first request) for another user's project: their own verdict.
    second = _by_id(other_client.get(LIBRARY_URL, {"projectId": str(theirs.pk)}))[str(dress_pose.pk)]
    assert second["supported"] is True and second["unsupportedReason"] is None


def test_another_users_project_is_404_and_anonymous_is_401(auth_client, other_client, api_client, engine):
    engine("offline")
    library_pose()
    project = _standing_project(auth_client.user)
    response = other_client.get(LIBRARY_URL, {"projectId": str(project.pk)})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "PROJECT_NOT_FOUND"
    assert response.json()["error"]["statusCode"] == 404
    assert api_client.get(LIBRARY_URL, {"projectId": str(project.pk)}).status_code == 401
    bad = auth_client.get(LIBRARY_URL, {"projectId": "not-a-uuid"})
    assert bad.status_code == 400 and bad.json()["error"]["statusCode"] == 400


def test_engines_that_render_anything_support_every_pose(auth_client, engine):
    engine("mannequin")
    sitting = library_pose(**SITTING)
    project = _standing_project(auth_client.user)
    item = _by_id(auth_client.get(LIBRARY_URL, {"projectId": str(project.pk)}))[str(sitting.pk)]
    assert item["supported"] is True and item["unsupportedReason"] is None
    fund(auth_client.user, 100)
    response = auth_client.post(GENERATE_URL, gallery_body(project, [sitting]), format="json")
    assert response.status_code == 202, response.json()


def test_generate_with_unsupported_poses_is_422_listing_them_nothing_charged_nothing_written(auth_client, engine):
    engine("offline")
    fund(auth_client.user, 1000)
    standing, sitting = library_pose(name="Standing"), library_pose(name="Chair", **SITTING)
    project = _standing_project(auth_client.user)
    response = auth_client.post(GENERATE_URL, gallery_body(project, [standing, sitting]), format="json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "POSES_UNSUPPORTED" and error["statusCode"] == 422
    assert error["poses"] == [{"poseId": str(sitting.pk), "code": "sitting", "reason": SITTING_REASON,
                               "name": "Chair"}]
    assert "Chair" in error["message"] and SITTING_REASON in error["message"]
    assert PoseGeneration.objects.count() == 0
    assert GeneratedPose.objects.count() == 0 and PoseSelection.objects.count() == 0
    assert credits_balance(user_id=auth_client.user.pk) == 1000
    assert LedgerEntry.objects.filter(wallet_id=auth_client.user.pk, kind="charge").count() == 0
    # Without the sitting pose the same request is paid and accepted.
    ok = auth_client.post(GENERATE_URL, gallery_body(project, [standing]), format="json")
    assert ok.status_code == 202, ok.json()
    assert credits_balance(user_id=auth_client.user.pk) == 970


def test_the_422_names_the_poses_as_the_library_lists_them_to_the_reader(auth_client, engine):
    engine("offline")
    fund(auth_client.user, 1000)
    sitting = library_pose(name="Hands on knees, sitting on a chair, front", **SITTING)
    project = _standing_project(auth_client.user)
    response = auth_client.post(GENERATE_URL, gallery_body(project, [sitting]), format="json",
                                HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["poses"] == [{"poseId": str(sitting.pk), "code": "sitting", "reason": SITTING_REASON_ID,
                               "name": "Kedua tangan di lutut, duduk di kursi, depan"}]
    assert "Kedua tangan di lutut, duduk di kursi, depan: " + SITTING_REASON_ID in error["message"]
    assert "sitting on a chair" not in error["message"]
    assert credits_balance(user_id=auth_client.user.pk) == 1000


def test_traits_missing_from_the_project_are_made_once_and_stored(auth_client, engine, monkeypatch):
    """Projects checked before traits existed: made on first need (a rig) and kept on the project."""
    from posegen.engines.offline import OfflineEngine

    engine("offline")
    calls = []

    def fake_traits(self, *, image):
        calls.append(len(image))
        return {"usable": True, "standing": True}

    monkeypatch.setattr(OfflineEngine, "avatar_traits", fake_traits)
    sitting = library_pose(**SITTING)
    project = ProjectFactory(user=auth_client.user, avatar_check={"ok": True, "problems": [], "warnings": []})
    for _ in range(2):
        item = _by_id(auth_client.get(LIBRARY_URL, {"projectId": str(project.pk)}))[str(sitting.pk)]
        assert item["supported"] is False
    assert len(calls) == 1
    project.refresh_from_db()
    assert project.avatar_check["poseTraits"]["traits"] == {"usable": True, "standing": True}
    assert project.avatar_check["ok"] is True


def test_a_described_pose_the_avatar_cannot_make_is_422_before_any_charge(auth_client, engine):
    pytest.importorskip("posegen.posekit.text_to_pose")
    engine("offline")
    fund(auth_client.user, 1000)
    project = _standing_project(auth_client.user)
    body = {"projectId": str(project.pk), "generationType": "TEXT_DESCRIPTION",
            "textPrompt": "woman sitting on a chair", "variationCount": 2}
    response = auth_client.post(GENERATE_URL, body, format="json")
    assert response.status_code == 422, response.json()
    error = response.json()["error"]
    assert error["code"] == "POSES_UNSUPPORTED"
    assert error["poses"][0] == {"poseId": None, "variation": 0, "code": "sitting", "reason": SITTING_REASON}
    assert SITTING_REASON in error["message"]
    assert PoseGeneration.objects.count() == 0 and GeneratedPose.objects.count() == 0
    assert credits_balance(user_id=auth_client.user.pk) == 1000
    standing = auth_client.post(GENERATE_URL, {**body, "textPrompt": "standing with hands on hips"}, format="json")
    assert standing.status_code == 202, standing.json()


def test_pose_shapes_are_shared_through_the_cache(auth_client, engine, monkeypatch):
    """Each pose's shape is made once and kept in the shared cache: another process reads it instead."""
    from posegen.engines.offline import feasibility

    engine("offline")
    sitting = library_pose(**SITTING)
    project = _standing_project(auth_client.user)
    assert _by_id(auth_client.get(LIBRARY_URL, {"projectId": str(project.pk)}))[str(sitting.pk)]["supported"] is False

    def not_again(*args, **kwargs):
        raise AssertionError("the shape should have come from the cache")

    # As a fresh process: nothing memoised, and computing a shape is not allowed.
    feasibility._shape_of_structure.cache_clear()
    monkeypatch.setattr(feasibility, "_shape_3d", not_again)
    monkeypatch.setattr(feasibility, "_shape_2d", not_again)
    again = _by_id(auth_client.get(LIBRARY_URL, {"projectId": str(project.pk)}))[str(sitting.pk)]
    assert again["supported"] is False and again["unsupportedReason"] == SITTING_REASON


def test_the_avatar_check_after_upload_stores_the_traits_of_a_real_photo(auth_client, engine):
    """End to end on a real full-body photo (research-only: skipped without ../shared/testdata)."""
    from lumiku.core.storage import storage_save, user_storage_key
    from posegen.services.avatar_check import project_check_avatar
    from tests.paths import TESTDATA

    photo = TESTDATA / "images" / "fullbody_yoga_warrior2_beach.jpg"
    if not photo.exists():
        pytest.skip("no ../shared/testdata")
    engine("offline")
    key = storage_save(key=user_storage_key(user_id=auth_client.user.pk, kind="projects/avatars", extension="JPEG"),
                       content=photo.read_bytes())
    project = ProjectFactory(user=auth_client.user, avatar_image=key, avatar_check={})
    check = project_check_avatar(project_id=project.pk)
    assert check["ok"] is True
    stored = PoseGeneratorProject.objects.get(pk=project.pk).avatar_check["poseTraits"]
    assert stored["engine"] == "offline" and stored["version"] == TRAITS_VERSION
    assert stored["traits"]["usable"] is True and stored["traits"]["standing"] is True
    standing, sitting = library_pose(), library_pose(**SITTING)
    poses = _by_id(auth_client.get(LIBRARY_URL, {"projectId": str(project.pk)}))
    assert poses[str(standing.pk)]["supported"] is True and poses[str(sitting.pk)]["supported"] is False
