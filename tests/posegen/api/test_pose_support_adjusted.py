"""A pose made with the hand that holds a bag kept as in the photo (engines/offline/held_arm.py) is supported,
charged as usual, and says so: ``adjustedReason`` in the library list with ?projectId= (the reader's
language), next to ``supported`` / ``unsupportedReason`` which keep their meaning; the library page and the
wizard's tray show the note and keep the pose in the form."""

from __future__ import annotations

import pytest

from lumiku.credits.selectors import credits_balance
from posegen.engines.offline.held_arm import body_frame
from posegen.pages.tray import TRAY_SESSION_KEY
from posegen.posekit.skeleton import make_pose, project_pose
from posegen.services.feasibility import TRAITS_VERSION
from tests.factories import ProjectFactory, library_pose
from tests.posegen.pages.helpers import signed_in
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body

pytestmark = pytest.mark.django_db

LIBRARY_URL = "/api/apps/pose-generator/library"
ADJUSTED_EN = ("The right hand stays as it is in your photo (it seems to hold something, such as a bag); "
               "the rest of the body takes the pose.")
ADJUSTED_ID = ("Tangan kanan tetap seperti di foto Anda (tampaknya memegang sesuatu, misalnya tas); "
               "bagian tubuh lainnya mengikuti pose.")
RAISED = {"shoulder.abduction": 160}
DOWN = {"shoulder.abduction": 3}
ONLY_RIGHT_RAISED = {"r_shoulder.abduction": 160}


def _held_right_project(user):
    photo = project_pose(pose=make_pose(angles=DOWN), width=768, height=1024).keypoints_px()
    traits = {"usable": True, "standing": True, "garment": None, "hem_ratio": None, "max_leg_spread_deg": None,
              "carried_hand": None, "carried_forearm_deg": None, "held_unsure": {"right": [0.0, -1.0]},
              "pose_frame": body_frame(photo).round(4).tolist()}
    return ProjectFactory(user=user, avatar_check={
        "ok": True, "problems": [], "warnings": [], "checkedAt": "2026-01-01T00:00:00+00:00",
        "poseTraits": {"engine": "offline", "version": TRAITS_VERSION, "traits": traits}})


def _by_id(response) -> dict:
    assert response.status_code == 200, response.content
    return {p["id"]: p for p in response.json()["poses"]}


def test_library_list_says_a_pose_is_made_with_the_holding_hand_kept(auth_client, engine):
    engine("offline")
    raised, down, lost = library_pose(**RAISED), library_pose(**DOWN), library_pose(**ONLY_RIGHT_RAISED)
    project = _held_right_project(auth_client.user)
    poses = _by_id(auth_client.get(LIBRARY_URL, {"projectId": str(project.pk), "limit": 100}))
    assert {k: poses[str(raised.pk)][k] for k in ("supported", "unsupportedReason", "adjustedReason")} == {
        "supported": True, "unsupportedReason": None, "adjustedReason": ADJUSTED_EN}
    assert {k: poses[str(down.pk)][k] for k in ("supported", "unsupportedReason", "adjustedReason")} == {
        "supported": True, "unsupportedReason": None, "adjustedReason": None}
    # Only the holding arm moves in this pose: kept, nothing of it would be left, so it stays unsupported.
    assert poses[str(lost.pk)]["supported"] is False and poses[str(lost.pk)]["adjustedReason"] is None
    assert "right hand seems to hold something" in poses[str(lost.pk)]["unsupportedReason"]
    indonesian = _by_id(auth_client.get(LIBRARY_URL, {"projectId": str(project.pk), "limit": 100},
                                        HTTP_ACCEPT_LANGUAGE="id"))
    assert indonesian[str(raised.pk)]["adjustedReason"] == ADJUSTED_ID
    plain = _by_id(auth_client.get(LIBRARY_URL, {"limit": 100}))
    assert "adjustedReason" not in plain[str(raised.pk)]


def test_the_library_page_and_the_wizard_tray_show_the_note_and_keep_the_pose(client, user, engine):
    engine("offline")
    web = signed_in(client, user)
    raised = library_pose(name="Arms up", **RAISED)
    project = _held_right_project(user)
    html = web.get(f"/library/?project={project.pk}").content.decode()
    start = html.rindex("<li", 0, html.index(f'data-testid="pose-card" data-pose-id="{raised.pk}"'))
    card = html[start:html.index("</li>", start)]
    assert 'data-testid="pose-adjusted"' in card and ADJUSTED_EN in card
    assert "is-unsupported" not in card and 'action="/library/tray/add/"' in card
    session = web.session
    session[TRAY_SESSION_KEY] = [str(raised.pk)]
    session.save()
    page = web.get(f"/projects/{project.pk}/generate/").content.decode()
    start = page.rindex("<li", 0, page.index(f'data-pose-id="{raised.pk}"'))
    item = page[start:page.index("</li>", start)]
    assert 'data-testid="wizard-pose-adjusted"' in item and ADJUSTED_EN in item
    assert f'name="pose_ids" value="{raised.pk}"' in item and "data-unsupported" not in item


def test_an_adjusted_pose_is_generated_and_charged_as_usual_an_unsupported_one_is_refused(auth_client, engine):
    engine("offline")
    fund(auth_client.user, 1000)
    raised, lost = library_pose(**RAISED), library_pose(**ONLY_RIGHT_RAISED)
    project = _held_right_project(auth_client.user)
    refused = auth_client.post(GENERATE_URL, gallery_body(project, [lost]), format="json")
    assert refused.status_code == 422 and refused.json()["error"]["poses"][0]["code"] == "held_right_moved"
    assert credits_balance(user_id=auth_client.user.pk) == 1000
    ok = auth_client.post(GENERATE_URL, gallery_body(project, [raised]), format="json")
    assert ok.status_code == 202, ok.json()
    assert credits_balance(user_id=auth_client.user.pk) == 970
