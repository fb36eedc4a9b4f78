"""The shortest path to a first image (issue 15 item 6): an empty tray offers seller starter poses in
the wizard; a photo the engine refuses disables Generate and links to changing the photo."""

from __future__ import annotations

import re

import pytest

from lumiku.credits.selectors import credits_balance
from posegen.models import PoseGeneration
from posegen.pages.wizard.views import STARTER_POSES
from tests.factories import ProjectFactory, library_pose
from tests.posegen.pages.helpers import signed_in
from tests.posegen.pipeline_helpers import fund

pytestmark = pytest.mark.django_db

CHECK_OK = {"ok": True, "problems": [], "warnings": []}
CHECK_REFUSED = {"ok": False, "warnings": [], "problems": [
    {"code": "NO_PERSON", "message": "No person found", "advice": "Upload a photo with one person."}]}


@pytest.fixture
def web(client, user):
    return signed_in(client, user)


def _starter_ids(html: str) -> list[str]:
    return re.findall(r'data-testid="wizard-starter-pose" data-pose-id="([0-9a-f-]+)"', html)


def test_an_empty_tray_offers_seller_poses_first_as_unchecked_choices(web):
    ballet = library_pose(name="Ballet arabesque")
    ballet.seller_rank = 9
    ballet.save(update_fields=["seller_rank"])
    standing = [library_pose(name=f"Standing {n}") for n in range(STARTER_POSES)]
    project = ProjectFactory(user=web.user, avatar_check=CHECK_OK)
    html = web.get(f"/projects/{project.pk}/generate/").content.decode()
    assert 'data-testid="wizard-tray-empty"' not in html
    assert sorted(_starter_ids(html)) == sorted(str(p.pk) for p in standing)  # ballet (rank 9) is not offered
    assert len(re.findall(r'<input type="checkbox" name="pose_ids" value="[0-9a-f-]+" class="starter-check">',
                          html)) == STARTER_POSES  # none is pre-checked: nothing is charged until a tap


def test_a_starter_pose_submitted_generates_it_and_charges_once(web, settings):
    pose = library_pose(name="Standing")
    project = ProjectFactory(user=web.user, avatar_check=CHECK_OK)
    fund(web.user, 500)
    html = web.get(f"/projects/{project.pk}/generate/").content.decode()
    assert _starter_ids(html) == [str(pose.pk)]
    response = web.post(f"/projects/{project.pk}/generate/", {
        "generation_type": "GALLERY_REFERENCE", "pose_ids": [str(pose.pk)], "batch_size": 1,
        "background": "none", "idempotency_key": "7f1c3e5a-7e55-4c41-9f54-1b0f7c5d1f00"})
    generation = PoseGeneration.objects.get(user=web.user)
    assert response.status_code == 302 and response["Location"] == f"/generations/{generation.pk}/"
    assert generation.total_expected_poses == 1
    assert generation.credit_charged > 0
    assert credits_balance(user_id=web.user.pk) == 500 - generation.credit_charged


def test_a_refused_photo_disables_generate_and_links_to_change_it(web, settings):
    settings.LANGUAGE_CODE = "en"
    library_pose(name="Standing")
    project = ProjectFactory(user=web.user, avatar_check=CHECK_REFUSED)
    html = web.get(f"/projects/{project.pk}/generate/").content.decode()
    submit = re.search(r'<button type="submit"[^>]*data-testid="wizard-submit"[^>]*>', html).group(0)
    assert "disabled" in submit
    assert 'data-testid="wizard-photo-check"' in html and 'data-state="problems"' in html
    assert f'href="/projects/{project.pk}/edit/#avatar">Change the photo</a>' in html
    assert 'data-testid="wizard-photo-refused"' in html


def test_an_accepted_photo_keeps_generate_enabled_and_shows_no_check_panel(web):
    library_pose(name="Standing")
    project = ProjectFactory(user=web.user, avatar_check=CHECK_OK)
    html = web.get(f"/projects/{project.pk}/generate/").content.decode()
    submit = re.search(r'<button type="submit"[^>]*data-testid="wizard-submit"[^>]*>', html).group(0)
    assert "disabled" not in submit and 'data-testid="wizard-photo-check"' not in html


def test_the_wizard_starts_from_the_projects_last_export_channels(web):
    pose = library_pose(name="Standing")
    project = ProjectFactory(user=web.user, avatar_check=CHECK_OK)
    other = ProjectFactory(user=web.user, avatar_check=CHECK_OK)
    fund(web.user, 1000)
    response = web.post(f"/projects/{project.pk}/generate/", {
        "generation_type": "GALLERY_REFERENCE", "pose_ids": [str(pose.pk)], "batch_size": 1, "background": "none",
        "output_formats": ["shopee_product", "instagram_story"],
        "idempotency_key": "0b6c1f7e-2d7b-4a55-9d0e-4f1f3e8b2a10"})
    assert response.status_code == 302

    def checked(project_id) -> set[str]:
        html = web.get(f"/projects/{project_id}/generate/").content.decode()
        return set(re.findall(r'name="output_formats" value="(\w+)"[^>]* checked', html))

    assert checked(project.pk) == {"shopee_product", "instagram_story"}
    assert checked(other.pk) == set()  # per project: another project starts empty


def test_channel_presets_name_exact_existing_formats(web):
    from posegen.imaging.export_formats import EXPORT_FORMATS, MAX_FORMATS_PER_GENERATION
    from posegen.pages.wizard.views import FORMAT_PRESETS

    project = ProjectFactory(user=web.user, avatar_check=CHECK_OK)
    html = web.get(f"/projects/{project.pk}/generate/").content.decode()
    presets = dict(re.findall(r'data-preset="([\w,]+)" data-testid="format-preset-([\w-]+)"', html))
    assert {key: formats for formats, key in presets.items()} == {
        key: ",".join(names) for key, _label, names in FORMAT_PRESETS}
    assert 'data-testid="format-preset-shopee-instagram">Shopee + Instagram</button>' in html
    for _key, _label, names in FORMAT_PRESETS:
        assert set(names) <= set(EXPORT_FORMATS) and len(names) <= MAX_FORMATS_PER_GENERATION
