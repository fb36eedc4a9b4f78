"""User photos: served only to their owner or through a short-lived signed URL, and removed from storage
when the avatar, project or account that held them is deleted (issue 18 §4, §10 re-exports)."""

import time
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from lumiku.core.media import media_signature
from posegen.models import GeneratedPose, PoseGeneratorProject
from tests.factories import GenerationFactory, UserFactory, stored_image
from tests.images import image_bytes, upload

BASE = "/api/apps/pose-generator"


def _gone(*names: str, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(default_storage.exists(name) for name in names):
            return True
        time.sleep(0.1)
    return False


def _path(url: str) -> str:
    return urlsplit(url).path


def _create_avatar(client) -> dict:
    response = client.post("/api/avatars/", {"name": "Ayu", "gender": "female",
                                             "image": upload("me.png", image_bytes())}, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()["avatar"]


@pytest.mark.django_db
def test_user_media_needs_the_owner_or_a_valid_signature(auth_client, user, other_user, settings):
    name = stored_image(user_id=user.pk, kind="avatars")
    signed = default_storage.url(name)
    assert _path(signed) == f"/media/{name}" and "?s=" in signed
    assert Client().get(signed).status_code == 200  # anyone holding the signed link, like S3's
    assert Client().get(f"/media/{name}").status_code == 404
    assert Client().get(f"/media/library/../{name}").status_code == 404
    owner, stranger = Client(), Client()
    owner.force_login(user)
    stranger.force_login(other_user)
    assert owner.get(f"/media/{name}").status_code == 200
    assert stranger.get(f"/media/{name}").status_code == 404
    expired = media_signature(name=name, now=time.time() - settings.MEDIA_URL_EXPIRE_SECONDS - 700)
    assert Client().get(f"/media/{name}?s={expired}").status_code == 404
    forged = media_signature(name=stored_image(user_id=other_user.pk, kind="avatars"))
    assert Client().get(f"/media/{name}?s={forged}").status_code == 404  # a signature is for one file


@pytest.mark.django_db
def test_library_media_stays_public():
    name = default_storage.save("library/thumbs/test-public.png", upload("x.png", image_bytes()))
    assert default_storage.url(name) == f"/media/{name}"
    assert Client().get(f"/media/{name}").status_code == 200


def test_a_deleted_avatars_file_is_removed(auth_client, celery_worker):
    avatar = _create_avatar(auth_client)
    name = _path(avatar["imageUrl"]).removeprefix("/media/")
    assert default_storage.exists(name)
    assert auth_client.delete(f"/api/avatars/{avatar['id']}").status_code == 204
    assert _gone(name)
    assert Client().get(avatar["imageUrl"]).status_code == 404


def test_an_avatar_file_a_project_still_uses_stays_until_the_project_goes(auth_client, celery_worker):
    avatar = _create_avatar(auth_client)
    name = _path(avatar["imageUrl"]).removeprefix("/media/")
    project = auth_client.post(f"{BASE}/projects", {"projectName": "Lebaran", "avatarSource": "AVATAR_CREATOR",
                                                    "avatarId": avatar["id"]}, format="json").json()["project"]
    assert auth_client.delete(f"/api/avatars/{avatar['id']}").status_code == 204
    time.sleep(1.0)  # the task has run by now (a worker is idle); the project still shows the photo
    assert default_storage.exists(name)
    assert Client().get(project["avatarImageUrl"]).status_code == 200
    assert auth_client.delete(f"{BASE}/projects/{project['id']}").status_code == 204
    assert _gone(name)


def test_a_deleted_projects_photos_are_removed(auth_client, celery_worker):
    created = auth_client.post(f"{BASE}/projects", {"projectName": "Ramadan", "avatarSource": "UPLOAD",
                                                    "avatarImage": upload("me.png", image_bytes())},
                               format="multipart").json()["project"]
    project = PoseGeneratorProject.objects.get(pk=created["id"])
    generation = GenerationFactory(project=project, user=project.user, status="completed")
    output = stored_image(user_id=project.user_id, kind=f"generations/{generation.pk}")
    export = stored_image(user_id=project.user_id, kind=f"generations/{generation.pk}/exports")
    GeneratedPose.objects.create(generation=generation, sequence=0, status="completed", output_image=output,
                                 thumbnail=output, export_formats={"original": output, "tiktok": export})
    keep = stored_image(user_id=project.user_id, kind="backgrounds")  # the user's own upload, not the project's
    urls = [created["avatarImageUrl"], default_storage.url(output), default_storage.url(export)]
    assert all(Client().get(url).status_code == 200 for url in urls)
    assert auth_client.delete(f"{BASE}/projects/{project.pk}").status_code == 204
    assert _gone(project.avatar_image.name, output, export)
    assert all(Client().get(url).status_code == 404 for url in urls)
    assert default_storage.exists(keep)


def test_a_deleted_accounts_files_are_removed(celery_worker):
    user, other = UserFactory(), UserFactory()
    names = [stored_image(user_id=user.pk, kind="avatars"), stored_image(user_id=user.pk, kind="generations/x")]
    theirs = stored_image(user_id=other.pk, kind="avatars")
    user.delete()
    assert _gone(*names)
    assert default_storage.exists(theirs)


def test_a_failed_delete_removes_nothing(auth_client, celery_worker):
    from django.db import transaction

    avatar = _create_avatar(auth_client)
    name = _path(avatar["imageUrl"]).removeprefix("/media/")
    from lumiku.avatars.models import Avatar
    from lumiku.avatars.services import avatar_delete

    with pytest.raises(RuntimeError), transaction.atomic():
        avatar_delete(avatar=Avatar.objects.get(pk=avatar["id"]))
        raise RuntimeError("rolled back")
    time.sleep(1.0)
    assert default_storage.exists(name)
    assert Client().get(avatar["imageUrl"]).status_code == 200


def test_re_exports_replace_their_file(auth_client, celery_worker):
    created = auth_client.post(f"{BASE}/projects", {"projectName": "Ramadan", "avatarSource": "UPLOAD",
                                                    "avatarImage": upload("me.png", image_bytes())},
                               format="multipart")
    project = PoseGeneratorProject.objects.get(pk=created.json()["project"]["id"])
    generation = GenerationFactory(project=project, user=project.user, status="completed")
    output = stored_image(user_id=project.user_id, kind=f"generations/{generation.pk}")
    pose = GeneratedPose.objects.create(generation=generation, sequence=0, status="completed", output_image=output,
                                        thumbnail=output, export_formats={"original": output})
    url = f"{BASE}/poses/{pose.pk}/regenerate-export"
    assert auth_client.post(url, {"format": "shopee_product"}, format="json").status_code == 200
    first = GeneratedPose.objects.get(pk=pose.pk).export_formats["shopee_product"]
    assert auth_client.post(url, {"format": "shopee_product"}, format="json").status_code == 200
    second = GeneratedPose.objects.get(pk=pose.pk).export_formats["shopee_product"]
    assert second != first and default_storage.exists(second)
    assert _gone(first)
    assert default_storage.exists(output)
