from urllib.parse import urlsplit

import pytest

from posegen.models import PoseGeneratorProject
from tests.factories import AvatarFactory, GenerationFactory, ProjectFactory
from tests.images import image_bytes, upload
from tests.paths import FIXTURE_IMAGES

pytestmark = pytest.mark.django_db
URL = "/api/apps/pose-generator/projects"


def test_create_with_upload(auth_client):
    response = auth_client.post(
        URL,
        {"projectName": " Ramadan Sale ", "description": "Hijab line", "avatarSource": "UPLOAD",
         "avatarImage": upload("me.png", image_bytes())},
        format="multipart",
    )
    assert response.status_code == 201
    project = response.json()["project"]
    assert project["projectName"] == "Ramadan Sale"
    assert project["avatarSource"] == "UPLOAD"
    assert project["avatarId"] is None
    assert project["status"] == "active"
    assert project["totalGenerations"] == 0
    stored = PoseGeneratorProject.objects.get(pk=project["id"])
    assert stored.avatar_image.name.startswith(f"users/{auth_client.user.pk}/projects/avatars/")
    assert urlsplit(project["avatarImageUrl"]).path.endswith(stored.avatar_image.name)  # signed: ?s=...


def test_create_from_own_avatar(auth_client):
    avatar = AvatarFactory(user=auth_client.user)
    response = auth_client.post(
        URL, {"projectName": "Catalog", "avatarSource": "AVATAR_CREATOR", "avatarId": str(avatar.pk)}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["project"]["avatarId"] == str(avatar.pk)
    assert PoseGeneratorProject.objects.get().avatar_image.name == avatar.image.name


def test_project_survives_its_avatar_being_deleted(auth_client):
    avatar = AvatarFactory(user=auth_client.user)
    project_id = auth_client.post(
        URL, {"projectName": "Catalog", "avatarSource": "AVATAR_CREATOR", "avatarId": str(avatar.pk)}, format="json"
    ).json()["project"]["id"]
    auth_client.delete(f"/api/avatars/{avatar.pk}")
    body = auth_client.get(f"{URL}/{project_id}").json()["project"]
    assert body["avatarId"] is None
    assert body["avatarImageUrl"]


def test_someone_elses_avatar_is_404_and_nothing_created(auth_client, other_user):
    avatar = AvatarFactory(user=other_user)
    response = auth_client.post(
        URL, {"projectName": "X", "avatarSource": "AVATAR_CREATOR", "avatarId": str(avatar.pk)}, format="json"
    )
    assert response.status_code == 404
    assert PoseGeneratorProject.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"avatarSource": "UPLOAD"}, "projectName"),
        ({"projectName": "x" * 101, "avatarSource": "UPLOAD"}, "projectName"),
        ({"projectName": "X", "avatarSource": "CAMERA"}, "avatarSource"),
        ({"projectName": "X", "avatarSource": "UPLOAD"}, "avatarImage"),
        ({"projectName": "X", "avatarSource": "AVATAR_CREATOR"}, "avatarId"),
        ({"projectName": "X", "avatarSource": "AVATAR_CREATOR", "avatarId": "not-a-uuid"}, "avatarId"),
        ({"projectName": "X", "description": "d" * 501, "avatarSource": "UPLOAD"}, "description"),
    ],
)
def test_bad_create_is_400_naming_the_field(auth_client, payload, field):
    response = auth_client.post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert PoseGeneratorProject.objects.count() == 0


def test_non_image_upload_is_400(auth_client):
    response = auth_client.post(
        URL, {"projectName": "X", "avatarSource": "UPLOAD", "avatarImage": upload("a.png", b"%PDF-1.4 nope")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_IMAGE"
    assert PoseGeneratorProject.objects.count() == 0


def test_list_paginates_newest_first_with_status_filter(auth_client, other_user):
    first = ProjectFactory(user=auth_client.user)
    second = ProjectFactory(user=auth_client.user, status="archived")
    third = ProjectFactory(user=auth_client.user)
    ProjectFactory(user=auth_client.user, status="deleted")
    ProjectFactory(user=other_user)

    body = auth_client.get(URL).json()
    assert [p["id"] for p in body["projects"]] == [str(third.pk), str(second.pk), str(first.pk)]
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 3, "totalPages": 1}
    archived = auth_client.get(f"{URL}?status=archived").json()
    assert [p["id"] for p in archived["projects"]] == [str(second.pk)]
    assert auth_client.get(f"{URL}?status=deleted").status_code == 400


def test_get_update_and_archive(auth_client):
    project = ProjectFactory(user=auth_client.user)
    response = auth_client.put(f"{URL}/{project.pk}", {"projectName": "Renamed", "status": "archived"}, format="json")
    assert response.status_code == 200
    assert response.json()["project"]["projectName"] == "Renamed"
    assert response.json()["project"]["status"] == "archived"
    assert auth_client.put(f"{URL}/{project.pk}", {"status": "deleted"}, format="json").status_code == 400
    assert auth_client.put(f"{URL}/{project.pk}", {"projectName": "  "}, format="json").status_code == 400
    project.refresh_from_db()
    assert project.project_name == "Renamed"


def test_delete_is_soft_and_then_404(auth_client):
    project = ProjectFactory(user=auth_client.user)
    assert auth_client.delete(f"{URL}/{project.pk}").status_code == 204
    project.refresh_from_db()
    assert project.status == "deleted"
    assert auth_client.get(f"{URL}/{project.pk}").status_code == 404


@pytest.mark.parametrize("status", ["pending", "processing"])
def test_delete_refused_while_generation_active(auth_client, status):
    project = ProjectFactory(user=auth_client.user)
    GenerationFactory(project=project, status=status)
    response = auth_client.delete(f"{URL}/{project.pk}")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "GENERATION_IN_PROGRESS"
    project.refresh_from_db()
    assert project.status == "active"


def test_other_users_project_is_404_never_403(auth_client, other_user):
    project = ProjectFactory(user=other_user)
    for method in ("get", "put", "delete"):
        response = getattr(auth_client, method)(f"{URL}/{project.pk}", {"projectName": "hijack"}, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "PROJECT_NOT_FOUND"
    project.refresh_from_db()
    assert (project.project_name, project.status) != ("hijack", "deleted")


def test_malformed_id_is_404_envelope(auth_client):
    response = auth_client.get(f"{URL}/12345")
    assert response.status_code == 404
    assert response.json()["error"]["statusCode"] == 404


def test_method_not_allowed_is_405_envelope(auth_client):
    response = auth_client.patch(URL, {}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.django_db(transaction=True)
def test_avatar_check_is_stored_on_the_project_by_a_worker(auth_client, celery_worker):
    import time

    photo = FIXTURE_IMAGES / "upper_arms_crossed_portrait.jpg"
    response = auth_client.post(
        URL, {"projectName": "Portrait", "avatarSource": "UPLOAD",
              "avatarImage": upload("me.jpg", photo.read_bytes(), "image/jpeg")},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["project"]["avatarCheck"] == {}
    project_id = response.json()["project"]["id"]
    deadline = time.monotonic() + 60
    while not PoseGeneratorProject.objects.get(pk=project_id).avatar_check and time.monotonic() < deadline:
        time.sleep(0.2)
    check = auth_client.get(f"{URL}/{project_id}").json()["project"]["avatarCheck"]
    assert check["ok"] is False  # a head-and-shoulders portrait cannot be re-posed whole
    assert check["problems"] and all({"code", "message", "advice"} <= set(p) for p in check["problems"])
    assert "checkedAt" in check and "imageSize" in check
