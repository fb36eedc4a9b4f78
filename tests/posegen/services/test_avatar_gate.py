"""Before charging: with the offline engine (the default outside the suite), a project whose avatar
photo cannot be re-posed is refused with the reasons and nothing is charged or written."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lumiku.core.storage import storage_save, user_storage_key
from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance
from posegen.models import GeneratedPose, PoseGeneration, PoseGeneratorProject
from tests.factories import ProjectFactory, library_pose
from tests.paths import FIXTURE_IMAGES, REPO
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body

pytestmark = pytest.mark.django_db


def _project_with_photo(user, name: str) -> PoseGeneratorProject:
    data = (FIXTURE_IMAGES / name).read_bytes()
    key = storage_save(key=user_storage_key(user_id=user.pk, kind="projects/avatars", extension="JPEG"), content=data)
    return ProjectFactory(user=user, avatar_image=key)


def test_make_run_defaults_to_the_offline_engine():
    """`make run` uses lumiku.settings (base) with no POSEGEN_ENGINE in the environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("POSEGEN_ENGINE", "DJANGO_SETTINGS_MODULE")}
    env["DJANGO_SETTINGS_MODULE"] = "lumiku.settings.base"
    out = subprocess.run([sys.executable, "-c", "from django.conf import settings; print(settings.POSEGEN_ENGINE)"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "offline"


def test_unusable_avatar_is_refused_before_any_charge(auth_client, engine):
    engine("offline")
    fund(auth_client.user, 1000)
    project = _project_with_photo(auth_client.user, "upper_arms_crossed_portrait.jpg")
    response = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "AVATAR_UNUSABLE"
    assert error["statusCode"] == 422
    assert "whole body must be visible" in error["message"]
    assert "not_full_body" in {p["code"] for p in error["problems"]}
    assert all(p["message"] and p["advice"] for p in error["problems"])
    assert PoseGeneration.objects.count() == 0
    assert GeneratedPose.objects.count() == 0
    assert credits_balance(user_id=auth_client.user.pk) == 1000
    assert LedgerEntry.objects.filter(wallet_id=auth_client.user.pk, kind="charge").count() == 0
    # The check made at submit is stored for the project pages (and reused next time).
    stored = PoseGeneratorProject.objects.get(pk=project.pk).avatar_check
    assert stored["ok"] is False and stored["checkedAt"]
    again = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json")
    assert again.status_code == 422
    assert PoseGeneratorProject.objects.get(pk=project.pk).avatar_check["checkedAt"] == stored["checkedAt"]


def test_usable_avatar_is_charged_as_usual(auth_client, engine):
    engine("offline")
    fund(auth_client.user, 1000)
    project = ProjectFactory(user=auth_client.user, avatar_check={"ok": True, "problems": [], "warnings": [],
                                                                  "checkedAt": "2026-01-01T00:00:00+00:00"})
    response = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["creditCharged"] == 30
    assert credits_balance(user_id=auth_client.user.pk) == 970


def test_a_photo_checked_at_submit_that_passes_is_charged(auth_client, engine):
    """The research photo of a man in a warrior pose is accepted by the check made at submit."""
    photo = REPO.parent / "shared" / "testdata" / "images" / "fullbody_yoga_warrior2_beach.jpg"
    if not photo.exists():
        pytest.skip("no ../shared/testdata")
    engine("offline")
    fund(auth_client.user, 1000)
    key = storage_save(key=user_storage_key(user_id=auth_client.user.pk, kind="projects/avatars", extension="JPEG"),
                       content=photo.read_bytes())
    project = ProjectFactory(user=auth_client.user, avatar_image=key)
    response = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json")
    assert response.status_code == 202, response.json()
    assert credits_balance(user_id=auth_client.user.pk) == 970
    assert PoseGeneratorProject.objects.get(pk=project.pk).avatar_check["ok"] is True


def test_engines_that_draw_a_new_person_do_not_gate_the_photo(auth_client, engine):
    engine("mannequin")
    fund(auth_client.user, 1000)
    project = _project_with_photo(auth_client.user, "upper_arms_crossed_portrait.jpg")
    response = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json")
    assert response.status_code == 202
    assert credits_balance(user_id=auth_client.user.pk) == 970
    assert PoseGeneratorProject.objects.get(pk=project.pk).avatar_check == {}  # no check was made at submit


def test_stored_refusal_is_used_without_reading_the_photo_again(auth_client, engine):
    engine("offline")
    fund(auth_client.user, 1000)
    project = ProjectFactory(user=auth_client.user, avatar_check={
        "ok": False, "problems": [{"code": "too_small", "message": "The person is only 200 pixels tall.",
                                   "advice": "Stand closer."}], "checkedAt": "2026-01-01T00:00:00+00:00"})
    response = auth_client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "This avatar photo cannot be re-posed. The person is only 200 pixels tall. Stand closer.")
    assert credits_balance(user_id=auth_client.user.pk) == 1000
