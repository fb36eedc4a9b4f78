"""A format's stored export failure (English in export_failures, as the API and events always said it) is read
in the reader's language: the API's exportFailures follows Accept-Language, the ZIP's EXPORT-FAILURES.txt the
language of the request that asked for it; a text not known as a failure stays as stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import translation

from posegen.format_labels import export_failure_text
from posegen.models import GeneratedPose
from posegen.services.exports import pose_exports_run
from tests.posegen.api.test_background_api import BASE, completed_pose
from tests.posegen.services.test_export_failures import failing  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("name", "stored", "english", "indonesian"), [
    ("tiktok", "TikTok could not be encoded.", "TikTok could not be encoded.", "TikTok tidak dapat dienkode."),
    ("custom:320x200_webp", "Custom 320×200 (WebP) could not be encoded.",
     "Custom 320×200 (WebP) could not be encoded.", "Kustom 320×200 (WebP) tidak dapat dienkode."),
    ("print_4x6", "Print 4×6 in (300 DPI) could not be encoded.", "Print 4×6 in (300 DPI) could not be encoded.",
     "Cetak 4×6 inci (300 DPI) tidak dapat dienkode."),
    ("tiktok", "The image could not be read.", "The image could not be read.", "Gambar tidak dapat dibaca."),
    ("tiktok", "The image is too large to export.", "The image is too large to export.",
     "Gambar terlalu besar untuk diekspor."),
    ("tiktok", "Instagram Feed could not be encoded.", "Instagram Feed could not be encoded.",
     "Instagram Feed could not be encoded."),  # not this format's text: as stored
    ("custom:bad", "Something else.", "Something else.", "Something else."),
])
def test_each_stored_failure_reads_in_the_active_language(name, stored, english, indonesian):
    with translation.override("en"):
        assert export_failure_text(format_name=name, message=stored) == english
    with translation.override("id"):
        assert export_failure_text(format_name=name, message=stored) == indonesian


def test_the_api_gives_the_stored_reason_in_the_readers_language(auth_client, failing):  # noqa: F811
    failing.add("tiktok")
    pose = completed_pose(auth_client.user, person=False, export_formats=["instagram_feed", "tiktok"])
    pose_exports_run(pose_id=pose.pk)
    assert GeneratedPose.objects.get(pk=pose.pk).export_failures == {"tiktok": "TikTok could not be encoded."}
    url = f"{BASE}/generations/{pose.generation_id}/results"
    for language, reason in (("id", "TikTok tidak dapat dienkode."), ("en", "TikTok could not be encoded.")):
        results = auth_client.get(url, HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        assert results[0]["exportFailures"] == {"tiktok": reason}


def test_the_zip_names_the_failure_in_the_readers_language(auth_client, failing):  # noqa: F811
    pose = completed_pose(auth_client.user, person=False, export_formats=["instagram_feed"])
    failing.add("custom:320x200")
    response = auth_client.get(f"{BASE}/generations/{pose.generation_id}/export-zip?formats=custom:320x200,original",
                               HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    with translation.override("en"):  # the ZIP streams later, whatever language is active then
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    text = archive.read("EXPORT-FAILURES.txt").decode()
    assert text.endswith("\n\npose_1_custom-320x200.jpg: Kustom 320×200 tidak dapat dienkode.\n")
    assert "could not" not in text
