"""The photo check advises when a hand may hold a bag against the body (issue 14 item 2): the avatar's
traits keep such a hand in place (feasibility greys the poses that move it), so the stored check gets a
warning saying why and how to re-shoot, in the reader's language; the photo stays usable."""

from __future__ import annotations

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
    monkeypatch.setattr("posegen.services.feasibility.project_pose_traits", lambda *, project, engine=None: traits)
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
