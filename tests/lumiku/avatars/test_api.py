import io
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from lumiku.avatars.models import Avatar
from tests.factories import AvatarFactory
from tests.images import image_bytes, png_bomb, truncated_jpeg, upload

pytestmark = pytest.mark.django_db


def _create(client, content, name="photo.png", content_type="image/png", **fields):
    data = {"name": "Ayu", "gender": "female", "ageRange": "young_adult", "bodyType": "slim", "style": "casual",
            "ethnicity": "Javanese", **fields, "image": upload(name, content, content_type)}
    return client.post("/api/avatars/", data, format="multipart")


def test_create_avatar_stores_reencoded_image_under_generated_key(auth_client):
    response = _create(auth_client, image_bytes(width=120, height=200, fmt="JPEG"), name="../../etc/passwd.jpg",
                       content_type="image/jpeg")
    assert response.status_code == 201
    body = response.json()["avatar"]
    assert (body["width"], body["height"]) == (120, 200)
    assert body["ageRange"] == "young_adult" and body["bodyType"] == "slim"
    avatar = Avatar.objects.get(pk=body["id"])
    assert avatar.image.name.startswith(f"users/{auth_client.user.pk}/avatars/")
    assert "passwd" not in avatar.image.name and avatar.image.name.endswith(".jpg")
    assert urlsplit(body["imageUrl"]).path.endswith(avatar.image.name)  # local URLs are signed: ?s=...
    with default_storage.open(avatar.image.name) as fh:
        assert Image.open(fh).format == "JPEG"


def test_exif_orientation_applied_and_metadata_stripped(auth_client):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    exif[0x010F] = "SecretCam"
    response = _create(auth_client, image_bytes(width=80, height=40, fmt="JPEG", exif=exif.tobytes()),
                       name="p.jpg", content_type="image/jpeg")
    assert response.status_code == 201
    assert (response.json()["avatar"]["width"], response.json()["avatar"]["height"]) == (40, 80)
    stored = Avatar.objects.get().image
    with default_storage.open(stored.name) as fh:
        data = fh.read()
    assert b"SecretCam" not in data
    assert not Image.open(io.BytesIO(data)).getexif()


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"just some text pretending", "fake.png", "INVALID_IMAGE"),
        (png_bomb(), "bomb.png", "IMAGE_TOO_LARGE"),
        (truncated_jpeg(), "cut.jpg", "INVALID_IMAGE"),
        (image_bytes(fmt="GIF"), "anim.png", "UNSUPPORTED_IMAGE_TYPE"),
        (image_bytes(fmt="BMP"), "photo.jpg", "UNSUPPORTED_IMAGE_TYPE"),
        (b"", "empty.png", "INVALID_IMAGE"),
    ],
)
def test_bad_uploads_are_400_and_write_nothing(auth_client, content, name, code):
    response = _create(auth_client, content, name=name)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] in (code, "VALIDATION_ERROR")
    if content:
        assert response.json()["error"]["code"] == code
    assert Avatar.objects.count() == 0


def test_oversize_file_is_rejected(auth_client, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = _create(auth_client, image_bytes(width=400, height=400))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "IMAGE_TOO_LARGE"
    assert Avatar.objects.count() == 0


def test_unknown_enum_value_is_400(auth_client):
    response = _create(auth_client, image_bytes(), gender="robot")
    assert response.status_code == 400
    assert "gender" in response.json()["error"]["fields"]
    assert Avatar.objects.count() == 0


def test_list_is_paginated_and_scoped(auth_client, other_user):
    for _ in range(3):
        AvatarFactory(user=auth_client.user)
    AvatarFactory(user=other_user)
    body = auth_client.get("/api/avatars/?limit=2").json()
    assert body["pagination"] == {"page": 1, "limit": 2, "total": 3, "totalPages": 2}
    assert len(body["avatars"]) == 2


def test_other_users_avatar_is_404_for_every_method(auth_client, other_user):
    avatar = AvatarFactory(user=other_user)
    for method in ("get", "patch", "delete"):
        response = getattr(auth_client, method)(f"/api/avatars/{avatar.pk}", {}, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "AVATAR_NOT_FOUND"
    assert Avatar.objects.filter(pk=avatar.pk).exists()


def test_update_and_delete_own_avatar(auth_client):
    avatar = AvatarFactory(user=auth_client.user)
    response = auth_client.patch(f"/api/avatars/{avatar.pk}", {"style": "formal", "name": "Studio"}, format="json")
    assert response.status_code == 200
    assert response.json()["avatar"]["style"] == "formal"
    assert auth_client.delete(f"/api/avatars/{avatar.pk}").status_code == 204
    assert not Avatar.objects.filter(pk=avatar.pk).exists()
