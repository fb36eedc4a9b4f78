"""STORAGE_BACKEND=s3: django-storages + boto3 against a local S3-compatible server (moto) on loopback.

The server is started by the test on a free loopback port; nothing leaves the machine.
"""

import io
import urllib.request
import zipfile
from urllib.parse import urlsplit

import pytest
from PIL import Image

pytest.importorskip("moto")
pytestmark = pytest.mark.django_db

BUCKET = "lumiku-test"


@pytest.fixture(scope="module")
def s3_server():
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3_storage(s3_server, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": BUCKET, "region_name": "us-east-1", "endpoint_url": s3_server,
            "access_key": "test", "secret_key": "test", "querystring_auth": True, "querystring_expire": 600,
            "file_overwrite": False, "default_acl": None, "addressing_style": "path",
            "signature_version": "s3v4"}},
    }
    yield s3_server


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback test server
        return response.read()


def test_generated_keys_signed_urls_round_trip(s3_storage):
    from django.core.files.storage import default_storage
    from storages.backends.s3 import S3Storage

    from lumiku.core.storage import storage_read, storage_save, storage_url, user_storage_key

    assert isinstance(default_storage, S3Storage)
    key = user_storage_key(user_id=7, kind="generations/abc", extension="JPEG")
    name = storage_save(key=key, content=b"\xff\xd8hello")
    assert name == key and key.startswith("users/7/generations/abc/") and key.endswith(".jpg")
    assert storage_read(name) == b"\xff\xd8hello"
    url = storage_url(name)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == s3_storage
    assert "X-Amz-Signature=" in parts.query and "X-Amz-Expires=600" in parts.query
    assert _fetch(url) == b"\xff\xd8hello"


def test_exports_and_uploads_work_on_s3(s3_storage, auth_client):
    from lumiku.credits.selectors import credits_balance
    from posegen.models.generation import BackgroundJob
    from posegen.services.backgrounds import background_job_run
    from tests.images import image_bytes, upload
    from tests.posegen.api.test_background_api import BASE, completed_pose
    from tests.posegen.pipeline_helpers import fund

    fund(auth_client.user, 20)
    pose = completed_pose(auth_client.user)
    export = auth_client.post(f"{BASE}/poses/{pose.pk}/regenerate-export", {"format": "instagram_feed"},
                              format="json")
    assert export.status_code == 200, export.content
    assert "X-Amz-Signature=" in export.json()["exportUrl"]
    assert Image.open(io.BytesIO(_fetch(export.json()["exportUrl"]))).size == (1080, 1080)

    # A signed URL of the user's own uploaded background is accepted in upload mode.
    url = auth_client.post(f"{BASE}/uploads", {"kind": "backgrounds", "image": upload("b.png", image_bytes())},
                           format="multipart").json()["url"]
    assert "X-Amz-Signature=" in url
    accepted = auth_client.post(f"{BASE}/poses/{pose.pk}/background",
                                {"backgroundMode": "upload", "backgroundImageUrl": url}, format="json")
    assert accepted.status_code == 202, accepted.content
    assert background_job_run(job_id=BackgroundJob.objects.get().pk) == "completed"
    pose.refresh_from_db()
    assert pose.output_image.name.startswith(f"users/{auth_client.user.pk}/generations/")
    assert credits_balance(user_id=auth_client.user.pk) == 10

    zipped = auth_client.get(f"{BASE}/generations/{pose.generation_id}/export-zip?formats=original,tiktok")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(zipped.streaming_content)))
    assert archive.namelist() == ["pose_1_original.png", "pose_1_tiktok.jpg"]
