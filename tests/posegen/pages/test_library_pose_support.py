"""Browsing the library with one of the shop's projects chosen greys the poses the engine cannot make from
that project's photo, says why in the reader's language, and offers no way to add them for generation
(issue 14 item 6; the wizard's tray does the same, tests/posegen/pages/test_wizard_pose_support.py)."""

from __future__ import annotations

import pytest

from posegen.models.choices import ProjectStatus
from posegen.pages.tray import TRAY_SESSION_KEY
from posegen.services.feasibility import TRAITS_VERSION
from tests.factories import ProjectFactory, UserFactory, library_pose
from tests.posegen.pages.helpers import signed_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SITTING = {"hip.flexion": 90, "knee.flexion": 90}
REASON_EN = "This is a sitting or crouching pose; it cannot be made from a standing photo."
REASON_ID = "Ini pose duduk atau jongkok; tidak bisa dibuat dari foto berdiri."
ADD = 'action="/library/tray/add/"'
REMOVE = 'action="/library/tray/remove/"'


@pytest.fixture
def web(client, user):
    return signed_in(client, user)


def _project(user, **extra):
    traits = {"usable": True, "standing": True, "garment": None, "max_leg_spread_deg": None, "carried_hand": None}
    return ProjectFactory(user=user, avatar_check={
        "ok": True, "problems": [], "warnings": [],
        "poseTraits": {"engine": "offline", "version": TRAITS_VERSION, "traits": traits}}, **extra)


@pytest.fixture
def project(web):
    return _project(web.user)


@pytest.fixture
def poses():
    return {"standing": library_pose(name="Standing tall"), "chair": library_pose(name="Chair", **SITTING)}


def _card(html: str, pose) -> str:
    start = html.rindex("<li", 0, html.index(f'data-testid="pose-card" data-pose-id="{pose.pk}"'))
    return html[start:html.index("</li>", start)]


def _get(web, query: str = "", **headers) -> str:
    response = web.get(f"/library/{query}", **headers)
    assert response.status_code == 200
    return response.content.decode()


def _assert_greyed(card: str, reason: str) -> None:
    assert 'class="card pose-card is-unsupported"' in card and "data-unsupported" in card
    assert 'aria-disabled="true"' in card
    assert reason in card
    assert ADD not in card


def _assert_offered(card: str) -> None:
    assert "is-unsupported" not in card and "data-unsupported" not in card and "pose-unsupported" not in card
    assert ADD in card


def test_with_a_project_chosen_unsupported_poses_are_greyed_with_the_reason_and_cannot_be_added(
        web, project, poses, engine):
    engine("offline")
    html = _get(web, f"?project={project.pk}")
    _assert_greyed(_card(html, poses["chair"]), REASON_EN)
    assert "Not possible with this photo:" in _card(html, poses["chair"])
    _assert_offered(_card(html, poses["standing"]))
    # The picker shows the chosen project selected, and the next page's link keeps it.
    assert f'<option value="{project.pk}" selected>{project.project_name}</option>' in html


def test_the_htmx_results_fragment_greys_them_too(web, project, poses, engine):
    engine("offline")
    html = _get(web, f"?project={project.pk}", **HTMX)
    _assert_greyed(_card(html, poses["chair"]), REASON_EN)
    _assert_offered(_card(html, poses["standing"]))


def test_without_a_project_every_pose_is_offered(web, project, poses, engine):
    engine("offline")
    html = _get(web)
    _assert_offered(_card(html, poses["chair"]))
    _assert_offered(_card(html, poses["standing"]))


def test_indonesian_reader_sees_the_reason_in_indonesian(web, project, poses, engine):
    engine("offline")
    web.user.language = "id"
    web.user.save(update_fields=["language"])
    chair = _card(_get(web, f"?project={project.pk}"), poses["chair"])
    _assert_greyed(chair, REASON_ID)
    assert "Tidak bisa dengan foto ini:" in chair and REASON_EN not in chair


def test_an_unsupported_pose_already_in_the_tray_can_still_be_removed(web, project, poses, engine):
    engine("offline")
    session = web.session
    session[TRAY_SESSION_KEY] = [str(poses["chair"].pk)]
    session.save()
    chair = _card(_get(web, f"?project={project.pk}"), poses["chair"])
    assert "data-unsupported" in chair and REASON_EN in chair
    assert REMOVE in chair and ADD not in chair


def test_with_an_engine_that_renders_anything_nothing_is_greyed(web, project, poses, engine):
    engine("mannequin")
    html = _get(web, f"?project={project.pk}")
    _assert_offered(_card(html, poses["chair"]))


@pytest.mark.parametrize("whose", ["another user's", "archived"])
def test_a_project_that_is_not_a_choice_is_ignored_not_judged(web, poses, engine, whose):
    engine("offline")
    other = (_project(UserFactory()) if whose == "another user's"
             else _project(web.user, status=ProjectStatus.ARCHIVED))
    html = _get(web, f"?project={other.pk}")
    assert 'data-testid="filters-ignored"' in html
    _assert_offered(_card(html, poses["chair"]))
    assert f'<option value="{other.pk}"' not in html and other.project_name not in html
