"""The worker hands the engine the avatar's traits stored at the photo check (issue 14 items 2 and 6): the
pose is made with the verdict the buyer saw before paying (a holding arm kept or not), not a second
analysis of the photo; stored traits of another engine or version are not passed (the engine makes its own)."""

from __future__ import annotations

import pytest

from posegen.models import GeneratedPose, PoseGeneratorProject
from posegen.services.feasibility import TRAITS_VERSION, stored_pose_traits
from posegen.services.generations.run import _engine_request
from tests.factories import ProjectFactory, library_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body

pytestmark = pytest.mark.django_db

TRAITS = {"usable": True, "standing": True, "garment": "dress", "hem_ratio": 0.9, "max_leg_spread_deg": 40.0,
          "carried_hand": None, "held_unsure": {}}


def _check(**entry) -> dict:
    return {"ok": True, "problems": [], "warnings": [], "checkedAt": "2026-01-01T00:00:00+00:00",
            "poseTraits": {"engine": "offline", "version": TRAITS_VERSION, "traits": TRAITS, **entry}}


def _request_for(auth_client, project):
    fund(auth_client.user, 100)
    response = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose(name="Standing")]), format="json")
    assert response.status_code == 202, response.content
    return _engine_request(GeneratedPose.objects.select_related("generation__project", "pose_library").get())


def test_the_engine_request_carries_the_traits_the_poses_were_judged_by(auth_client, engine):
    engine("offline")
    project = ProjectFactory(user=auth_client.user, avatar_check=_check())
    assert _request_for(auth_client, project).avatar_traits == TRAITS


def test_a_project_without_stored_traits_gets_none_and_the_engine_makes_its_own(auth_client, engine):
    engine("offline")
    project = ProjectFactory(user=auth_client.user, avatar_check=_check())
    pose_request = _request_for(auth_client, project)
    assert pose_request.avatar_traits == TRAITS
    # The avatar re-checked meanwhile (the check is replaced, its traits not made yet).
    PoseGeneratorProject.objects.filter(pk=project.pk).update(avatar_check={"ok": True, "problems": []})
    pose = GeneratedPose.objects.select_related("generation__project", "pose_library").get()
    assert _engine_request(pose).avatar_traits is None


def test_only_the_judging_engines_own_current_traits_are_stored_traits(engine):
    from posegen.engines import engine_get

    engine("offline")
    offline = engine_get()
    assert stored_pose_traits(check=_check(), engine=offline) == TRAITS
    assert stored_pose_traits(check=_check(version=TRAITS_VERSION - 1), engine=offline) is None
    assert stored_pose_traits(check=_check(engine="other"), engine=offline) is None
    assert stored_pose_traits(check=_check(traits={}), engine=offline) is None
    assert stored_pose_traits(check=None, engine=offline) is None
    engine("counting")  # renders anything: it judges nothing, so it gets no traits
    assert stored_pose_traits(check=_check(), engine=engine_get()) is None


def test_a_later_variation_is_judged_as_the_library_listed_it(auth_client, engine):
    from posegen.services.feasibility import library_pose_target

    engine("offline")
    project = ProjectFactory(user=auth_client.user, avatar_check=_check())
    library = library_pose(name="Raised", **{"shoulder.abduction": 150})
    fund(auth_client.user, 100)
    response = auth_client.post(GENERATE_URL, gallery_body(project, [library], batchSize=2), format="json")
    assert response.status_code == 202, response.content
    first, second = (_engine_request(p) for p in GeneratedPose.objects.select_related(
        "generation__project", "pose_library").order_by("sequence"))
    listed = library_pose_target(structure=library.pose_structure, keypoints=library.keypoints,
                                 openpose=library.openpose_json)
    assert first.judged_target == listed and second.judged_target == listed
    assert listed["pose_structure"] == library.pose_structure
    assert second.pose_structure != library.pose_structure  # jittered: rendered, not judged
