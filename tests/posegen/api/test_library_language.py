"""The library in the reader's language: catalogue names, descriptions, tags and categories in Bahasa
Indonesia for an Indonesian reader (Accept-Language or the account's setting), English otherwise;
ids and slugs stay English, and the list page cache keeps one copy per language."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from posegen.models import PoseLibrary
from posegen.services.library import library_categories_recount
from tests.factories import CategoryFactory, UserFactory, library_pose
from tests.posegen.api.test_library_fast_path import asgi  # noqa: F401 - the fixture
from tests.posegen.pages.helpers import signed_in

pytestmark = pytest.mark.django_db

LIST = "/api/apps/pose-generator/library"
ID = {"HTTP_ACCEPT_LANGUAGE": "id-ID,id;q=0.9"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture
def catalogue():
    product = CategoryFactory(slug="product-showcase", name="Product Showcase", display_order=0)
    chest = CategoryFactory(slug="product-holding-chest", name="At Chest Height", parent=product)
    hips = library_pose(category=chest, name="Confident right hand on hip, wide stance, 3/4 left")
    PoseLibrary.objects.filter(pk=hips.pk).update(
        description="Standing, wide stance, right hand on hip. Seen in 3/4 view, turned to the left. "
                    "Good for brand and campaign visuals.", tags=["hand on hip", "confident", "shopee"])
    custom = library_pose(category=chest, name="Grandma's favourite")  # written by an operator: stays
    library_categories_recount()
    return {"hips": hips, "custom": custom, "chest": chest}


def _poses(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {p["id"]: p for p in response.json()["poses"]}


def test_the_list_speaks_the_readers_language_and_keeps_ids_and_slugs(catalogue):
    client = APIClient()
    english = _poses(client.get(LIST, **EN))[str(catalogue["hips"].pk)]
    indonesian = _poses(client.get(LIST, **ID))[str(catalogue["hips"].pk)]
    assert english["name"] == "Confident right hand on hip, wide stance, 3/4 left"
    assert indonesian["name"] == "Tangan kanan di pinggang penuh percaya diri, kaki terbuka lebar, 3/4 kiri"
    assert indonesian["description"] == ("Berdiri, kaki terbuka lebar, tangan kanan di pinggang. Tampak 3/4, "
                                         "menghadap ke kiri. Cocok untuk visual merek dan kampanye.")
    assert indonesian["tags"] == ["tangan di pinggang", "percaya diri", "shopee"]
    assert indonesian["category"] == {"id": str(catalogue["chest"].pk), "slug": "product-holding-chest",
                                      "name": "Setinggi Dada", "displayName": "Setinggi Dada"}
    assert english["category"]["displayName"] == "At Chest Height"
    assert indonesian["id"] == english["id"]
    # The page cache holds one copy per language: English again after the Indonesian page was cached.
    assert _poses(client.get(LIST, **EN))[str(catalogue["hips"].pk)]["name"] == english["name"]
    custom = _poses(client.get(LIST, **ID))[str(catalogue["custom"].pk)]
    assert custom["name"] == "Grandma's favourite"


def test_the_accounts_language_decides_for_a_signed_in_reader(client, catalogue):
    client.force_login(UserFactory(language="id"))  # the session the pages and their scripts use
    pose = _poses(client.get(LIST, **EN))[str(catalogue["hips"].pk)]
    assert pose["name"].startswith("Tangan kanan di pinggang")
    detail = client.get(f"{LIST}/{catalogue['hips'].pk}", **EN).json()["pose"]
    assert detail["name"] == pose["name"] and detail["description"].startswith("Berdiri")


def test_categories_in_indonesian(catalogue):
    response = APIClient().get("/api/apps/pose-generator/categories", **ID)
    (root,) = response.json()["categories"]
    assert (root["slug"], root["name"], root["children"][0]["name"]) == (
        "product-showcase", "Pamer Produk", "Setinggi Dada")
    assert root["description"].startswith("Memegang, menunjukkan")


def test_library_pages_show_indonesian_names_and_categories(client, catalogue):
    web = signed_in(client, UserFactory(language="id"))
    html = web.get("/library/").content.decode()
    assert "Tangan kanan di pinggang penuh percaya diri" in html and "Pamer Produk" in html
    assert "Confident right hand" not in html and "Product Showcase" not in html
    detail = web.get(f"/library/{catalogue['hips'].pk}/").content.decode()
    assert re.search(r'data-testid="pose-name">Tangan kanan di pinggang', detail)
    assert "#tangan di pinggang" in detail and "Setinggi Dada" in detail


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.REDIS_URL, reason="the fast path serves the Redis page cache only")
def test_the_asgi_fast_path_serves_each_language_its_own_cached_page(asgi, catalogue):  # noqa: F811
    pose_id = str(catalogue["hips"].pk)
    for accept, expected in ((b"id-ID,id;q=0.9", "Tangan kanan di pinggang"), (b"en-US", "Confident right hand")):
        headers = [(b"accept-language", accept)]
        asgi(f"{LIST}?page=1", headers=headers)  # Django renders and caches; headers learned
        status, _, body, reached_django = asgi(f"{LIST}?page=1", headers=headers)
        assert (status, reached_django) == (200, False)
        names = {p["id"]: p["name"] for p in json.loads(body)["poses"]}
        assert names[pose_id].startswith(expected)


def test_the_pose_page_speaks_to_sellers_and_keeps_openpose_for_ai_tools(client, catalogue):
    PoseLibrary.objects.filter(pk=catalogue["hips"].pk).update(
        controlnet_image="library/map.png", openpose_json={"people": [{"pose_keypoints_2d": [0.5, 0.5, 1]}]})
    html = signed_in(client, UserFactory(language="id")).get(f"/library/{catalogue['hips'].pk}/").content.decode()
    assert "Model Anda ditempatkan dalam pose ini." in html
    tech = re.search(r'<details class="pose-tech" data-testid="pose-tech">(.*?)</details>', html, re.S).group(1)
    assert "Untuk alat gambar AI: peta dan JSON OpenPose" in tech
    assert 'data-testid="pose-controlnet"' in tech and 'data-testid="download-openpose"' in tech


def test_the_library_page_says_which_words_it_searched_after_fixing_a_typo(client, catalogue):
    web = signed_in(client, UserFactory(language="id"))
    html = web.get("/library/", {"q": "tangan di pinggnag"}).content.decode()
    assert 'data-testid="search-corrected">Menampilkan pose untuk “tangan di pinggang”' in html
    assert "Tangan kanan di pinggang" in html
    assert 'data-testid="search-corrected"' not in web.get("/library/", {"q": "pinggang"}).content.decode()
