"""The photo check advises when a hand may hold a bag against the body (issue 14 item 2): the avatar's
traits keep such a hand in place (feasibility greys the poses that move it), so the stored check gets a
warning saying why and how to re-shoot, in the reader's language; the photo stays usable."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from django.utils import translation

from posegen.engines.offline.avatar_check import AvatarCheck, held_warning
from posegen.models import PoseGeneratorProject
from posegen.services.avatar_check import avatar_check_localize, project_check_avatar
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

RIGHT = ("The right hand seems to hold something against the body (a bag or purse); poses that move that hand are made "
         "with it kept as in the photo, or not offered where that would look wrong.")
RIGHT_ID = ("Tangan kanan tampaknya memegang sesuatu di depan badan (tas atau dompet); pose yang menggerakkan tangan "
            "itu dibuat dengan tangan itu tetap seperti di foto, atau tidak ditawarkan bila hasilnya akan janggal.")
ADVICE_ID = ("Agar semua pose bisa dibuat, pegang tas sehingga tergantung bebas dari tangan, berjarak selebar "
             "telapak tangan dari badan, atau ambil foto tanpa tas.")


def test_the_warning_names_the_hands_the_traits_keep_in_place():
    assert held_warning(traits={"held_unsure": {}}) is None
    assert held_warning(traits={"carried_hand": "right"}) is None  # a bag the rig carries needs no warning
    right = held_warning(traits={"held_unsure": {"right": [0.0, -1.0]}})
    assert right.code == "held_against_body" and right.message == RIGHT and right.params == {"sides": ["right"]}
    both = held_warning(traits={"held_unsure": {"left": [0.1, -0.9], "right": [0.0, -1.0]}})
    assert both.params == {"sides": ["right", "left"]} and both.message.startswith("Both hands seem to hold")


@pytest.mark.parametrize("held", [{"right": [0.0, -1.0]}, {}])
def test_the_stored_check_warns_after_the_traits_are_made(user, engine, monkeypatch, held):
    engine("offline")
    # The photo itself passes the check (the package's avatar_check, as the service imports it).
    monkeypatch.setattr("posegen.engines.offline.avatar_check", lambda *, image: AvatarCheck(ok=True))
    traits = {"usable": True, "standing": True, "held_unsure": held}
    monkeypatch.setattr("posegen.services.feasibility.project_pose_traits", lambda *, project, **_: traits)
    project = ProjectFactory(user=user, avatar_check={})
    check = project_check_avatar(project_id=project.pk)
    stored = PoseGeneratorProject.objects.get(pk=project.pk).avatar_check
    assert stored == check and stored["ok"] is True and stored["problems"] == []
    if not held:
        assert stored["warnings"] == []
        return
    assert stored["warnings"] == [{"code": "held_against_body", "message": RIGHT,
                                   "advice": held_warning(traits=traits).advice, "params": {"sides": ["right"]}}]
    with translation.override("id"):
        shown = avatar_check_localize(stored)["warnings"][0]
    assert shown["message"] == RIGHT_ID and shown["advice"] == ADVICE_ID


# --- a photo that leaves few library poses is told so at the photo check, with the photo to take instead ---

FEW_RIGHT = ("Only 2 of the 100 library poses can be made from this photo: the right hand seems to hold something "
             "against the body (a bag or purse), and most poses would move it.")
FEW_RIGHT_ID = ("Dari 100 pose di pustaka, hanya 2 yang bisa dibuat dari foto ini: tangan kanan tampaknya memegang "
                "sesuatu di depan badan (tas atau dompet), padahal sebagian besar pose menggerakkan tangan itu.")
FEW_RIGHT_ADVICE_ID = ("Pindahkan tas ke tangan kiri dan biarkan tergantung bebas, berjarak selebar telapak tangan "
                       "dari badan, atau letakkan tasnya saat difoto. Kalau tidak memegang apa-apa, biarkan tangan "
                       "kanan lurus di samping badan, jangan dimasukkan ke saku.")


def _verdicts(**counts):
    from posegen.engines.base import SUPPORTED, PoseVerdict

    out = [SUPPORTED] * counts.pop("supported", 0)
    for code, n in counts.items():
        out += [PoseVerdict(supported=False, code=code)] * n
    return out


def test_few_poses_are_told_with_the_cause_and_the_photo_to_take():
    from posegen.engines.offline.avatar_check import few_poses_warning

    held = {"held_unsure": {"right": [0.0, -1.0]}}
    few = few_poses_warning(traits=held, verdicts=_verdicts(supported=2, sitting=30, held_right_moved=68))
    assert few.code == "few_poses_held" and few.message == FEW_RIGHT
    assert few.params == {"sides": ["right"], "supported": 2, "total": 100}
    assert few.advice.startswith("Hold the bag in your left hand")
    # Sitting, kneeling and lying are never made from a standing photo: the share counts the other poses.
    assert few_poses_warning(traits=held, verdicts=_verdicts(supported=24, sitting=30, held_right_moved=46)) is None
    assert few_poses_warning(traits=held, verdicts=_verdicts(supported=23, sitting=30, held_right_moved=47)) is not None
    both = few_poses_warning(traits={"held_unsure": {"left": [0.1, -0.9]}, "carried_hand": "right"},
                             verdicts=_verdicts(supported=5, held_left_moved=40, carried_turned=20))
    assert both.params["sides"] == ["right", "left"] and both.advice.startswith("Hold the bag in one hand only")
    side = few_poses_warning(traits={}, verdicts=_verdicts(supported=7, side_view=60, sitting=30))
    assert side.code == "few_poses_side_view" and side.params == {"supported": 7, "total": 97}
    assert side.advice.startswith("Take the photo facing the camera")
    assert few_poses_warning(traits={}, verdicts=_verdicts(supported=1, legs_too_wide=40)).code == "few_poses"
    assert few_poses_warning(traits=held, verdicts=_verdicts(supported=1, held_right_moved=8)) is None  # too few


def test_every_few_poses_text_is_said_in_indonesian():
    from posegen.engines.offline.avatar_check import few_poses_warning
    from posegen.services.avatar_check_texts import avatar_problem_localize, avatar_problem_recognised

    cases = [({"held_unsure": {side: [0.0, -1.0] for side in sides}}, _verdicts(supported=2, held_right_moved=50))
             for sides in (("right",), ("left",), ("right", "left"))]
    cases += [({}, _verdicts(supported=2, side_view=50)), ({}, _verdicts(supported=2, legs_too_wide=50))]
    for traits, verdicts in cases:
        problem = asdict(few_poses_warning(traits=traits, verdicts=verdicts))
        assert avatar_problem_recognised(problem), problem
        with translation.override("id"):
            shown = avatar_problem_localize(problem)
        assert shown["message"] != problem["message"] and shown["advice"] != problem["advice"]
        assert shown["message"].startswith(f"Dari {problem['params']['total']} pose di pustaka, hanya 2 yang")


def test_the_stored_check_says_few_poses_instead_of_the_held_note(user, engine, monkeypatch):
    engine("offline")
    monkeypatch.setattr("posegen.engines.offline.avatar_check", lambda *, image: AvatarCheck(ok=True))
    traits = {"usable": True, "standing": True, "held_unsure": {"right": [0.0, -1.0]}}
    monkeypatch.setattr("posegen.services.feasibility.project_pose_traits", lambda *, project, **_: traits)
    monkeypatch.setattr("posegen.services.feasibility.library_verdicts",
                        lambda *, traits: _verdicts(supported=2, sitting=30, held_right_moved=68))
    project = ProjectFactory(user=user, avatar_check={})
    stored = project_check_avatar(project_id=project.pk)
    assert [w["code"] for w in stored["warnings"]] == ["few_poses_held"]
    assert stored["warnings"][0]["message"] == FEW_RIGHT
    with translation.override("id"):
        shown = avatar_check_localize(stored)["warnings"][0]
    assert shown["message"] == FEW_RIGHT_ID and shown["advice"] == FEW_RIGHT_ADVICE_ID


def test_the_library_is_judged_against_the_photos_traits(engine):
    from posegen.services.feasibility import library_verdicts
    from tests.factories import library_pose

    engine("offline")
    library_pose(name="Standing")
    library_pose(name="Chair", **{"hip.flexion": 90, "knee.flexion": 90})
    hidden = library_pose(name="Hidden", **{"hip.flexion": 90, "knee.flexion": 90})
    type(hidden).objects.filter(pk=hidden.pk).update(is_public=False)  # not listed: not counted
    verdicts = library_verdicts(traits={"usable": True, "standing": True})
    assert sorted((v.supported, v.code) for v in verdicts) == [(False, "sitting"), (True, "")]
    engine("counting")  # renders anything: nothing to judge
    assert library_verdicts(traits={"usable": True, "standing": True}) == []


def test_the_count_for_a_side_view_replaces_the_side_view_note(user, engine, monkeypatch):
    from posegen.engines.offline.avatar_check import AvatarProblem

    engine("offline")
    note = AvatarProblem(code="side_view", message="The person is seen from the side; poses facing the camera "
                         "cannot be made from this photo.", advice="Face the camera for the most natural results.")
    small = AvatarProblem(code="small", message="m", advice="a", params={"height": 600, "minimum": 700})
    monkeypatch.setattr("posegen.engines.offline.avatar_check",
                        lambda *, image: AvatarCheck(ok=True, warnings=[small, note]))
    monkeypatch.setattr("posegen.services.feasibility.project_pose_traits",
                        lambda *, project, **_: {"usable": True, "standing": True})
    verdicts = _verdicts(supported=7, side_view=60, sitting=30)
    monkeypatch.setattr("posegen.services.feasibility.library_verdicts", lambda *, traits: verdicts)
    stored = project_check_avatar(project_id=ProjectFactory(user=user, avatar_check={}).pk)
    assert [w["code"] for w in stored["warnings"]] == ["small", "few_poses_side_view"]
    # Enough poses: the photo check's own side-view note stays.
    verdicts[:] = _verdicts(supported=60, side_view=7, sitting=30)
    stored = project_check_avatar(project_id=ProjectFactory(user=user, avatar_check={}).pk)
    assert [w["code"] for w in stored["warnings"]] == ["small", "side_view"]


def test_the_check_is_stored_once_whole_so_the_page_never_shows_it_without_its_warnings(user, engine, monkeypatch):
    engine("offline")
    monkeypatch.setattr("posegen.engines.offline.avatar_check", lambda *, image: AvatarCheck(ok=True))
    traits = {"usable": True, "standing": True, "held_unsure": {"right": [0.0, -1.0]}}
    monkeypatch.setattr("posegen.services.feasibility.project_pose_traits", lambda *, project, **_: traits)
    project = ProjectFactory(user=user, avatar_check={})
    seen = []

    def verdicts(*, traits):
        # The page polls until a check is stored: none may be stored before its warnings are made.
        seen.append(PoseGeneratorProject.objects.get(pk=project.pk).avatar_check)
        return _verdicts(supported=2, sitting=30, held_right_moved=68)

    monkeypatch.setattr("posegen.services.feasibility.library_verdicts", verdicts)
    stored = project_check_avatar(project_id=project.pk)
    assert seen == [{}]
    assert PoseGeneratorProject.objects.get(pk=project.pk).avatar_check == stored
    assert [w["code"] for w in stored["warnings"]] == ["few_poses_held"]


def test_a_failure_making_the_traits_still_stores_the_photos_check(user, engine, monkeypatch):
    engine("offline")
    monkeypatch.setattr("posegen.engines.offline.avatar_check", lambda *, image: AvatarCheck(ok=True))

    def broken(**_):
        raise RuntimeError("model file missing")

    monkeypatch.setattr("posegen.services.feasibility.project_pose_traits", broken)
    project = ProjectFactory(user=user, avatar_check={})
    stored = project_check_avatar(project_id=project.pk)
    assert stored["ok"] is True and stored["warnings"] == [] and "poseTraits" not in stored
    assert PoseGeneratorProject.objects.get(pk=project.pk).avatar_check == stored
