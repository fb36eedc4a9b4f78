"""WebP in the wizard and the API: the twins of the JPEG formats are offered beside them and chosen like any format."""

import uuid

import pytest

from posegen.models import PoseGeneration
from tests.factories import ProjectFactory, library_pose
from tests.posegen.pages.helpers import signed_in
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body

pytestmark = pytest.mark.django_db


def test_wizard_offers_webp_twins_and_generates_with_them(client, user):
    web = signed_in(client, user)
    project = ProjectFactory(user=user)
    html = web.get(f"/projects/{project.pk}/generate/").content.decode()
    for name in ("instagram_feed_webp", "shopee_product_webp", "original_webp"):
        assert f'value="{name}"' in html and f'data-testid="format-{name}"' in html
    assert "<strong>Instagram Feed (WebP)</strong>" in html
    assert 'value="print_a4_webp"' not in html  # print stays PNG
    fund(user, 1000)
    pose = library_pose()
    response = web.post(f"/projects/{project.pk}/generate/", {
        "generation_type": "GALLERY_REFERENCE", "pose_ids": [str(pose.pk)], "batch_size": 1, "variation_count": 4,
        "background": "none", "idempotency_key": str(uuid.uuid4()),
        "output_formats": ["instagram_feed_webp", "tiktok"]})
    assert response.status_code == 302, response.content
    assert PoseGeneration.objects.get().export_formats == ["instagram_feed_webp", "tiktok"]


def test_api_takes_webp_formats_and_refuses_unknown_ones(auth_client):
    fund(auth_client.user, 1000)
    project, pose = ProjectFactory(user=auth_client.user), library_pose()
    ok = auth_client.post(GENERATE_URL, gallery_body(project, [pose], outputFormats=[
        "tiktok_webp", "custom:800x600_webp"]), format="json")
    assert ok.status_code == 202, ok.content
    assert PoseGeneration.objects.get().export_formats == ["tiktok_webp", "custom:800x600_webp"]
    bad = auth_client.post(GENERATE_URL, gallery_body(project, [pose], outputFormats=["print_a4_webp"]), format="json")
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["outputFormats"]
