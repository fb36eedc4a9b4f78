"""A name made only of whitespace or invisible characters is refused, and nothing is stored (issue 18 §11)."""

import pytest
from django.core.files.storage import default_storage

from lumiku.avatars.models import Avatar
from lumiku.core.text import name_clean
from posegen.models import PoseGeneratorProject
from requests_community.models import PoseRequest
from tests.factories import AvatarFactory, ProjectFactory
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db
BASE = "/api/apps/pose-generator"
INVISIBLE = ["\u200b", "\u200b\u200c\u200d\ufeff", " \u2060 \u00a0", "\u3164", "\u2800\u200b", "\t\u200e\u200f"]


def _stored_files(user) -> list[str]:
    root = f"users/{user.pk}"
    if not default_storage.exists(root):
        return []
    found = []
    for folder in default_storage.listdir(root)[0]:
        for sub in [folder, *(f"{folder}/{d}" for d in default_storage.listdir(f"{root}/{folder}")[0])]:
            found += default_storage.listdir(f"{root}/{sub}")[1]
    return found


def _refused(response, field):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize("name", INVISIBLE)
def test_project_names(auth_client, name):
    response = auth_client.post(f"{BASE}/projects", {"projectName": name, "avatarSource": "UPLOAD",
                                                     "avatarImage": upload("me.png", image_bytes())},
                                format="multipart")
    _refused(response, "projectName")
    assert PoseGeneratorProject.objects.count() == 0
    assert _stored_files(auth_client.user) == []
    project = ProjectFactory(user=auth_client.user, project_name="Ramadan")
    _refused(auth_client.put(f"{BASE}/projects/{project.pk}", {"projectName": name}, format="json"), "projectName")
    project.refresh_from_db()
    assert project.project_name == "Ramadan"
    created = auth_client.post(f"{BASE}/projects", {"projectName": f"{name}Lebaran", "avatarSource": "UPLOAD",
                                                    "avatarImage": upload("me.png", image_bytes())},
                               format="multipart")
    assert created.json()["project"]["projectName"] == "Lebaran"
    assert len(_stored_files(auth_client.user)) == 2  # the helper sees stored photos: the factory's and this one


@pytest.mark.parametrize("name", INVISIBLE)
def test_avatar_names(auth_client, name):
    response = auth_client.post("/api/avatars/", {"name": name, "gender": "female",
                                                  "image": upload("me.png", image_bytes())}, format="multipart")
    _refused(response, "name")
    assert Avatar.objects.count() == 0
    assert _stored_files(auth_client.user) == []
    avatar = AvatarFactory(user=auth_client.user, name="Ayu")
    _refused(auth_client.patch(f"/api/avatars/{avatar.pk}", {"name": name}, format="json"), "name")
    avatar.refresh_from_db()
    assert avatar.name == "Ayu"


@pytest.mark.parametrize("name", INVISIBLE)
def test_pose_request_names(auth_client, name):
    response = auth_client.post(f"{BASE}/requests", {"poseName": name, "description": "Duduk santai"},
                                format="json")
    _refused(response, "poseName")
    assert PoseRequest.objects.count() == 0


@pytest.mark.parametrize(("typed", "kept"), [
    ("\u200b Toko Melati \u200b", "Toko Melati"),
    ("Café", "Café"),
    ("Cafe\u0301", "Cafe\u0301"),  # a trailing combining accent stays on its letter
    ("👩\u200d💻 Studio", "👩\u200d💻 Studio"),  # a joiner inside an emoji stays
])
def test_visible_names_keep_their_characters(typed, kept):
    assert name_clean(value=typed, field="name") == kept
