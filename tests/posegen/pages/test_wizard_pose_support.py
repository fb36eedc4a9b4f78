"""The wizard greys the tray's poses the engine cannot make from the project's avatar, says why, and
leaves them out of the form, so out of the live price and the generation (issue 14 item 6)."""

from __future__ import annotations

import re
import uuid

import pytest

from lumiku.credits.selectors import credits_balance
from posegen.models import GeneratedPose
from posegen.pages.tray import TRAY_SESSION_KEY
from posegen.services.feasibility import TRAITS_VERSION
from posegen.services.pricing import generation_cost
from tests.factories import ProjectFactory, library_pose
from tests.posegen.pages.helpers import signed_in
from tests.posegen.pipeline_helpers import fund

pytestmark = pytest.mark.django_db

SITTING = {"hip.flexion": 90, "knee.flexion": 90}


@pytest.fixture
def web(client, user):
    return signed_in(client, user)


@pytest.fixture
def project(web):
    traits = {"usable": True, "standing": True, "garment": None, "max_leg_spread_deg": None, "carried_hand": None}
    return ProjectFactory(user=web.user, avatar_check={
        "ok": True, "problems": [], "warnings": [],
        "poseTraits": {"engine": "offline", "version": TRAITS_VERSION, "traits": traits}})


def _page_with_tray(web, project, poses) -> str:
    session = web.session
    session[TRAY_SESSION_KEY] = [str(p.pk) for p in poses]
    session.save()
    response = web.get(f"/projects/{project.pk}/generate/")
    assert response.status_code == 200
    return response.content.decode()


def _item(html: str, pose) -> str:
    start = html.rindex("<li", 0, html.index(f'data-pose-id="{pose.pk}"'))
    return html[start:html.index("</li>", start)]


def test_unsupported_poses_are_greyed_with_the_reason_and_left_out_of_the_price(web, project, engine):
    engine("offline")
    standing, sitting = library_pose(name="Standing"), library_pose(name="Chair", **SITTING)
    html = _page_with_tray(web, project, [standing, sitting])
    chair = _item(html, sitting)
    assert "data-unsupported" in chair and "is-unsupported" in chair
    assert "This is a sitting or crouching pose; it cannot be made from a standing photo." in chair
    assert 'name="pose_ids"' not in chair
    ok = _item(html, standing)
    assert "data-unsupported" not in ok and f'name="pose_ids" value="{standing.pk}"' in ok
    # The live price is computed from the form's poses: only the supported one.
    form_ids = re.findall(r'name="pose_ids" value="([0-9a-f-]+)"', html)
    assert form_ids == [str(standing.pk)]
    cost = web.post(f"/projects/{project.pk}/generate/cost/",
                    {"generation_type": "GALLERY_REFERENCE", "pose_ids": form_ids, "batch_size": 1,
                     "variation_count": 4, "background": "none"})
    expected = generation_cost(generation_type="GALLERY_REFERENCE", images=1, use_background_changer=False)
    assert (cost.context["images"], cost.context["cost"]) == (1, expected)
    # Submitting the page's form generates (and charges) the supported pose only.
    fund(web.user, 100)
    done = web.post(f"/projects/{project.pk}/generate/",
                    {"generation_type": "GALLERY_REFERENCE", "pose_ids": form_ids, "batch_size": 1,
                     "variation_count": 4, "background": "none", "idempotency_key": str(uuid.uuid4())})
    assert done.status_code == 302
    assert list(GeneratedPose.objects.values_list("pose_library_id", flat=True)) == [standing.pk]
    assert credits_balance(user_id=web.user.pk) == 100 - expected


def test_indonesian_reader_sees_the_reason_in_indonesian(web, project, engine):
    engine("offline")
    web.user.language = "id"
    web.user.save(update_fields=["language"])
    sitting = library_pose(**SITTING)
    chair = _item(_page_with_tray(web, project, [sitting]), sitting)
    assert "Tidak bisa dengan foto ini:" in chair
    assert "Ini pose duduk atau jongkok; tidak bisa dibuat dari foto berdiri." in chair


def test_with_an_engine_that_renders_anything_nothing_is_greyed(web, project, engine):
    engine("mannequin")
    sitting = library_pose(**SITTING)
    chair = _item(_page_with_tray(web, project, [sitting]), sitting)
    assert "data-unsupported" not in chair and f'name="pose_ids" value="{sitting.pk}"' in chair
