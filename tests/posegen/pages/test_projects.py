"""Projects pages (G3): list and pick mode, create, detail with the avatar check, edit/archive/delete."""

import uuid

import pytest

from posegen.models import PoseGeneratorProject
from posegen.pages.tray import TRAY_SESSION_KEY
from tests.factories import AvatarFactory, GenerationFactory, ProjectFactory
from tests.images import image_bytes, png_bomb, upload
from tests.posegen.pages.helpers import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, user):
    return signed_in(client, user)


def _project_paths(project_id) -> list[str]:
    return [f"/projects/{project_id}/", f"/projects/{project_id}/edit/", f"/projects/{project_id}/avatar-check/"]


@pytest.mark.parametrize("path", ["/projects/", "/projects/new/", *_project_paths(uuid.uuid4())])
def test_login_required(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_users_project_is_404_everywhere_and_unchanged(web, other_user):
    theirs = ProjectFactory(user=other_user, project_name="Theirs")
    for path in _project_paths(theirs.pk):
        assert web.get(path).status_code == 404
    assert web.post(f"/projects/{theirs.pk}/edit/", {"action": "details", "project_name": "Mine"}).status_code == 404
    assert web.post(f"/projects/{theirs.pk}/edit/", {"action": "archive"}).status_code == 404
    assert web.post(f"/projects/{theirs.pk}/delete/").status_code == 404
    theirs.refresh_from_db()
    assert (theirs.project_name, theirs.status) == ("Theirs", "active")


def test_list_shows_own_projects_filtered_by_status(web, other_user):
    active = ProjectFactory(user=web.user, project_name="Ramadan")
    archived = ProjectFactory(user=web.user, project_name="Old stock", status="archived")
    ProjectFactory(user=web.user, project_name="Gone", status="deleted")
    ProjectFactory(user=other_user, project_name="Not mine")
    GenerationFactory(project=active)

    response = web.get("/projects/")
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"]] == [active.pk]
    assert response.context["page"][0].last_generation_at is not None
    html = response.content.decode()
    assert "Ramadan" in html and "Old stock" not in html and "Not mine" not in html and "Gone" not in html
    assert 'data-testid="project-generate-here"' not in html

    archived_page = web.get("/projects/", {"status": "archived"})
    assert [p.pk for p in archived_page.context["page"]] == [archived.pk]
    assert [p.pk for p in web.get("/projects/", {"status": "bogus"}).context["page"]] == [active.pk]


def test_pick_mode_offers_generate_here_for_active_projects(web):
    project = ProjectFactory(user=web.user)
    session = web.session
    session[TRAY_SESSION_KEY] = [str(uuid.uuid4()), str(uuid.uuid4())]
    session.save()
    html = web.get("/projects/", {"pick": "1"}).content.decode()
    assert f'href="/projects/{project.pk}/generate/"' in html
    assert html.count('data-testid="project-generate-here"') == 1
    assert "2 poses selected." in html


def test_create_from_upload_creates_one_project_and_opens_it(web):
    response = web.post("/projects/new/", {
        "project_name": "  Hijab collection ", "description": "Lebaran shoot", "avatar_source": "UPLOAD",
        "avatar_image": upload("model.png", image_bytes()),
    })
    project = PoseGeneratorProject.objects.get(user=web.user)
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/"
    assert (project.project_name, project.description, project.avatar_source) == (
        "Hijab collection", "Lebaran shoot", "UPLOAD")
    assert project.avatar_image.name.startswith(f"users/{web.user.pk}/projects/avatars/")


def test_create_with_next_wizard_goes_to_the_wizard(web):
    response = web.post("/projects/new/?next=wizard", {
        "project_name": "Quick", "avatar_source": "UPLOAD", "avatar_image": upload("m.jpg", image_bytes(fmt="JPEG")),
        "next": "wizard",
    })
    project = PoseGeneratorProject.objects.get(user=web.user)
    assert response["Location"] == f"/projects/{project.pk}/generate/"


def test_create_from_a_saved_avatar(web):
    avatar = AvatarFactory(user=web.user)
    response = web.post("/projects/new/", {"project_name": "Saved", "avatar_source": "AVATAR_CREATOR",
                                           "avatar_id": str(avatar.pk)})
    assert response.status_code == 302
    project = PoseGeneratorProject.objects.get(user=web.user)
    assert (project.avatar_id, project.avatar_image.name) == (avatar.pk, avatar.image.name)


@pytest.mark.parametrize(("content", "message"), [
    (b"not an image at all", "The file is not a valid image."),
    (png_bomb(), "The image is too large"),
])
def test_bad_upload_shows_the_error_in_place_and_creates_nothing(web, content, message):
    response = web.post("/projects/new/", {"project_name": "Bad", "description": "kept",
                                           "avatar_source": "UPLOAD", "avatar_image": upload("a.png", content)})
    assert response.status_code == 400
    assert PoseGeneratorProject.objects.count() == 0
    errors = response.context["form"].errors["avatar_image"]
    assert len(errors) == 1 and errors[0].startswith(message)
    html = response.content.decode()
    assert 'data-testid="avatar-image-error"' in html
    assert 'value="Bad"' in html and "kept" in html  # the user's inputs are kept


def test_another_users_avatar_cannot_be_used(web, other_user):
    theirs = AvatarFactory(user=other_user)
    response = web.post("/projects/new/", {"project_name": "Steal", "avatar_source": "AVATAR_CREATOR",
                                           "avatar_id": str(theirs.pk)})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["Avatar not found."]
    assert PoseGeneratorProject.objects.count() == 0


def test_missing_name_and_photo_are_field_errors(web):
    response = web.post("/projects/new/", {"project_name": "", "avatar_source": "UPLOAD"})
    assert response.status_code == 400
    assert "project_name" in response.context["form"].errors
    assert PoseGeneratorProject.objects.count() == 0
    response = web.post("/projects/new/", {"project_name": "No photo", "avatar_source": "UPLOAD"})
    assert response.context["form"].errors["avatar_image"] == [
        "avatarImage is required when avatarSource is UPLOAD."]
    assert PoseGeneratorProject.objects.count() == 0


def test_detail_lists_generations_and_polls_the_pending_check(web):
    project = ProjectFactory(user=web.user, project_name="Detail")
    first = GenerationFactory(project=project, status="completed", total_expected_poses=4)
    GenerationFactory(project=ProjectFactory(user=web.user))  # another project's: not listed
    response = web.get(f"/projects/{project.pk}/")
    assert response.status_code == 200
    assert [g.pk for g in response.context["generations"]] == [first.pk]
    html = response.content.decode()
    assert f'href="/generations/{first.pk}/"' in html
    assert 'data-state="pending"' in html and 'hx-trigger="every 2s"' in html
    assert f'href="/projects/{project.pk}/generate/"' in html


def test_avatar_check_fragment_shows_the_exact_advice_and_stops_polling(web):
    advice = "Take a new photo standing straight, facing the camera."
    project = ProjectFactory(user=web.user, avatar_check={
        "ok": False, "problems": [{"code": "ARM_FOLDED", "message": "The left arm is folded over the body.",
                                   "advice": advice}], "warnings": []})
    html = web.get(f"/projects/{project.pk}/avatar-check/").content.decode()
    assert 'data-state="problems"' in html
    assert "The left arm is folded over the body." in html and advice in html
    assert "hx-trigger" not in html

    project.avatar_check = {"ok": True, "problems": [], "warnings": [
        {"code": "SMALL", "message": "The person is small in the photo.", "advice": "Stand closer."}]}
    project.save()
    html = web.get(f"/projects/{project.pk}/avatar-check/").content.decode()
    assert 'data-state="warnings"' in html and "The person is small in the photo." in html and "Stand closer." in html

    project.avatar_check = {"ok": True, "problems": [], "warnings": []}
    project.save()
    assert 'data-state="ok"' in web.get(f"/projects/{project.pk}/avatar-check/").content.decode()


def test_edit_details_changes_exactly_name_and_description(web):
    project = ProjectFactory(user=web.user, project_name="Before", description="old")
    image = project.avatar_image.name
    response = web.post(f"/projects/{project.pk}/edit/", {"action": "details", "project_name": " After ",
                                                         "description": "new words"})
    assert response["Location"] == f"/projects/{project.pk}/"
    project.refresh_from_db()
    assert (project.project_name, project.description, project.status, project.avatar_image.name) == (
        "After", "new words", "active", image)


def test_edit_blank_name_is_refused_and_nothing_changes(web):
    project = ProjectFactory(user=web.user, project_name="Keep")
    response = web.post(f"/projects/{project.pk}/edit/", {"action": "details", "project_name": "   "})
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.project_name == "Keep"


def test_change_avatar_replaces_the_photo_and_resets_the_check(web):
    project = ProjectFactory(user=web.user, avatar_check={"ok": True, "problems": [], "warnings": []})
    old = project.avatar_image.name
    response = web.post(f"/projects/{project.pk}/edit/", {"action": "avatar", "avatar_source": "UPLOAD",
                                                         "avatar_image": upload("n.png", image_bytes())})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.avatar_image.name != old
    assert project.avatar_image.name.startswith(f"users/{web.user.pk}/projects/avatars/")
    assert project.avatar_check == {}


def test_change_avatar_with_a_bad_file_changes_nothing(web):
    project = ProjectFactory(user=web.user, avatar_check={"ok": True, "problems": [], "warnings": []})
    old = project.avatar_image.name
    response = web.post(f"/projects/{project.pk}/edit/", {"action": "avatar", "avatar_source": "UPLOAD",
                                                         "avatar_image": upload("x.png", b"GIF89a nope")})
    assert response.status_code == 400
    assert response.context["avatar_form"].errors["avatar_image"] == ["The file is not a valid image."]
    project.refresh_from_db()
    assert (project.avatar_image.name, project.avatar_check) == (old, {"ok": True, "problems": [], "warnings": []})


def test_archive_and_unarchive(web):
    project = ProjectFactory(user=web.user)
    web.post(f"/projects/{project.pk}/edit/", {"action": "archive"})
    project.refresh_from_db()
    assert project.status == "archived"
    html = web.get(f"/projects/{project.pk}/").content.decode()
    assert 'data-testid="new-generation"' not in html
    web.post(f"/projects/{project.pk}/edit/", {"action": "unarchive"})
    project.refresh_from_db()
    assert project.status == "active"


def test_delete_soft_deletes_and_the_project_is_gone(web):
    project = ProjectFactory(user=web.user)
    keep = ProjectFactory(user=web.user)
    response = web.post(f"/projects/{project.pk}/delete/")
    assert response["Location"] == "/projects/"
    project.refresh_from_db()
    keep.refresh_from_db()
    assert (project.status, keep.status) == ("deleted", "active")
    assert web.get(f"/projects/{project.pk}/").status_code == 404


def test_delete_is_refused_while_a_generation_runs(web):
    project = ProjectFactory(user=web.user)
    GenerationFactory(project=project, status="processing")
    response = web.post(f"/projects/{project.pk}/delete/", follow=True)
    project.refresh_from_db()
    assert project.status == "active"
    assert "This project has a generation in progress." in response.content.decode()


def test_delete_needs_post(web):
    project = ProjectFactory(user=web.user)
    assert web.get(f"/projects/{project.pk}/delete/").status_code == 405
    project.refresh_from_db()
    assert project.status == "active"
