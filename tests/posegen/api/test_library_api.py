"""Pose library API: browsing (filters, descendants, search, sorting, pagination, errors), a pose with
usage tracking, the OpenPose download, categories, favourites, and the pose tools."""

from __future__ import annotations

import base64
import io
import json
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from PIL import Image, ImageDraw
from rest_framework.test import APIClient

from posegen.models import PoseCategory, PoseLibrary
from posegen.models.library import PoseFavorite
from posegen.services.library import library_categories_recount
from tests.factories import CategoryFactory, PoseFactory, UserFactory, library_pose
from tests.paths import FIXTURE_IMAGES

BASE = "/api/apps/pose-generator"
LIST = f"{BASE}/library"
FIXTURES = FIXTURE_IMAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """standing > standing-casual > standing-casual-street, and sitting; poses in each."""
    standing = CategoryFactory(slug="standing", name="Standing", display_order=0)
    casual = CategoryFactory(slug="standing-casual", name="Casual", parent=standing, display_order=1)
    street = CategoryFactory(slug="standing-casual-street", name="Street", parent=casual)
    professional = CategoryFactory(slug="standing-professional", name="Professional", parent=standing,
                                   display_order=0)
    sitting = CategoryFactory(slug="sitting", name="Sitting", display_order=1)
    poses = {
        "hips": library_pose(category=casual, name="Confident hands on hips", **{"shoulder.abduction": 40}),
        "crouch": library_pose(category=street, name="Street crouch", **{"knee.flexion": 30}),
        "pro": library_pose(category=professional, name="Arms crossed portrait", **{"elbow.flexion": 90}),
        "chair": library_pose(category=sitting, name="Sitting on a chair", **{"hip.flexion": 90, "knee.flexion": 90}),
    }
    PoseLibrary.objects.filter(pk=poses["hips"].pk).update(
        difficulty="beginner", gender_suitability="female", is_featured=True, tags=["confident", "power pose"],
        description="Hands on the hips, elbows out.", usage_count=5, popularity_score=5)
    PoseLibrary.objects.filter(pk=poses["crouch"].pk).update(difficulty="advanced", tags=["streetwear"],
                                                             usage_count=9, popularity_score=9)
    PoseLibrary.objects.filter(pk=poses["chair"].pk).update(difficulty="beginner", tags=["duduk", "chair"],
                                                            usage_count=1, popularity_score=1)
    library_categories_recount()
    return {"standing": standing, "casual": casual, "street": street, "professional": professional,
            "sitting": sitting, **poses}


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()["poses"]]


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


# ---- listing ------------------------------------------------------------------------------------


def test_list_is_public_with_the_spec_fields(api_client, tree):
    response = api_client.get(LIST)
    body = response.json()
    assert response.status_code == 200
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 4, "totalPages": 1}
    item = next(p for p in body["poses"] if p["name"] == "Confident hands on hips")
    assert set(item) == {
        "id", "name", "description", "categoryId", "category", "previewImageUrl", "referenceImageUrl",
        "controlnetImageUrl", "thumbnailUrl", "difficulty", "genderSuitability", "tags", "sourceType", "sourceCredit",
        "licenseType", "usageCount", "favoriteCount", "ratingAvg", "popularityScore", "isPublic", "isFeatured",
        "isPremium", "isFavorite", "createdAt",
    }
    assert item["category"] == {"id": str(tree["casual"].pk), "slug": "standing-casual", "name": "Casual",
                                "displayName": "Casual"}
    assert item["categoryId"] == str(tree["casual"].pk)
    assert (item["isFeatured"], item["isFavorite"], item["genderSuitability"]) == (True, False, "female")
    assert item["tags"] == ["confident", "power pose"]
    assert "keypoints" not in item


def test_hidden_poses_are_never_listed(api_client, tree):
    PoseLibrary.objects.filter(pk=tree["crouch"].pk).update(is_public=False)
    assert "Street crouch" not in names(api_client.get(LIST))


def test_default_sort_is_popular_then_newest_and_name(api_client, tree):
    assert names(api_client.get(LIST)) == ["Street crouch", "Confident hands on hips", "Sitting on a chair",
                                           "Arms crossed portrait"]
    assert names(api_client.get(LIST, {"sort": "name"})) == sorted(names(api_client.get(LIST)))
    newest = names(api_client.get(LIST, {"sort": "newest"}))
    assert newest[0] == "Sitting on a chair"  # created last


def test_category_filter_includes_descendants_by_slug_or_id(api_client, tree):
    assert set(names(api_client.get(LIST, {"category": "standing"}))) == {
        "Confident hands on hips", "Street crouch", "Arms crossed portrait"}
    assert set(names(api_client.get(LIST, {"category": "standing-casual"}))) == {
        "Confident hands on hips", "Street crouch"}
    assert names(api_client.get(LIST, {"category": str(tree["street"].pk)})) == ["Street crouch"]
    assert names(api_client.get(LIST, {"category": "sitting"})) == ["Sitting on a chair"]


def test_unknown_filter_values_are_400_listing_the_allowed_ones(api_client, tree):
    e = error(api_client.get(LIST, {"category": "flying"}), 400)
    assert "standing-casual" in e["message"] and "sitting" in e["message"]
    e = error(api_client.get(LIST, {"difficulty": "expert"}), 400)
    assert "beginner, intermediate, advanced" in e["message"]
    e = error(api_client.get(LIST, {"genderSuitability": "any"}), 400)
    assert "male, female, unisex" in e["message"]
    e = error(api_client.get(LIST, {"sort": "random"}), 400)
    assert "popular, newest, name" in e["message"]
    e = error(api_client.get(LIST, {"featured": "maybe"}), 400)
    assert "true or false" in e["message"]


def test_difficulty_gender_and_featured_filters(api_client, tree):
    assert set(names(api_client.get(LIST, {"difficulty": "beginner"}))) == {
        "Confident hands on hips", "Sitting on a chair"}
    assert names(api_client.get(LIST, {"genderSuitability": "female"})) == ["Confident hands on hips"]
    assert names(api_client.get(LIST, {"featured": "true"})) == ["Confident hands on hips"]
    assert len(names(api_client.get(LIST, {"featured": "false"}))) == 3
    assert names(api_client.get(LIST, {"category": "standing", "difficulty": "advanced"})) == ["Street crouch"]


@pytest.mark.parametrize(("query", "expected"), [
    ("hips", {"Confident hands on hips"}),
    ("confident hands", {"Confident hands on hips"}),
    ("streetwear", {"Street crouch"}),  # a tag
    ("elbows", {"Confident hands on hips"}),  # the description
    ("duduk", {"Sitting on a chair"}),  # an Indonesian tag
    ("CHAIR", {"Sitting on a chair"}),
])
def test_search_name_description_tags(api_client, tree, query, expected):
    assert set(names(api_client.get(LIST, {"search": query}))) == expected


def test_search_finds_prefixes_and_plurals(api_client, tree):
    assert "Sitting on a chair" in names(api_client.get(LIST, {"search": "sit"}))
    assert "Arms crossed portrait" in names(api_client.get(LIST, {"search": "portraits"})) or connection.vendor != \
        "postgresql"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_search_falls_back_to_trigrams_for_typos_and_ranks_on_request(api_client, tree):
    assert names(api_client.get(LIST, {"search": "confident hnds"})) == ["Confident hands on hips"]
    lounging = library_pose(category=tree["sitting"], name="Relaxed lounging")
    # "chair" names a pose concept: it is looked for in names and tags, not in what a pose is good for.
    PoseLibrary.objects.filter(pk=lounging.pk).update(tags=["chair", "sofa"], description="On a chair.")
    ranked = names(api_client.get(LIST, {"search": "chair", "sort": "relevance"}))
    assert ranked == ["Sitting on a chair", "Relaxed lounging"]  # the name match ranks first
    assert names(api_client.get(LIST, {"search": "chair"}))[0] == "Sitting on a chair"  # popular first


def test_list_pages_are_cached_but_favourite_flags_are_personal(api_client, auth_client, tree):
    from posegen.library_cache import library_cache_bump

    PoseFavorite.objects.create(user=auth_client.user, pose=tree["hips"])
    mine = {p["name"]: p["isFavorite"] for p in auth_client.get(LIST).json()["poses"]}
    assert mine["Confident hands on hips"] is True
    anonymous = {p["name"]: p["isFavorite"] for p in api_client.get(LIST).json()["poses"]}
    assert not any(anonymous.values())  # the page the signed-in user filled the cache with is not theirs
    PoseLibrary.objects.filter(pk=tree["chair"].pk).update(is_public=False)
    assert "Sitting on a chair" in names(api_client.get(LIST))  # cached (fresh for PAGE_FRESH_SECONDS)
    library_cache_bump()
    assert "Sitting on a chair" not in names(api_client.get(LIST))


def test_search_without_words_is_ignored_and_nothing_found_is_empty(api_client, tree):
    assert len(names(api_client.get(LIST, {"search": "  !! "}))) == 4
    response = api_client.get(LIST, {"search": "zebra"})
    assert response.json() == {"poses": [], "pagination": {"page": 1, "limit": 20, "total": 0, "totalPages": 0}}


def test_pagination(api_client, tree):
    first = api_client.get(LIST, {"limit": 3, "page": 1}).json()
    second = api_client.get(LIST, {"limit": 3, "page": 2}).json()
    assert first["pagination"] == {"page": 1, "limit": 3, "total": 4, "totalPages": 2}
    assert len(first["poses"]) == 3 and len(second["poses"]) == 1
    assert not {p["id"] for p in first["poses"]} & {p["id"] for p in second["poses"]}
    assert api_client.get(LIST, {"page": 9}).json()["poses"] == []
    assert error(api_client.get(LIST, {"limit": 101}), 400)["fields"]["limit"]
    error(api_client.get(LIST, {"page": 0}), 400)


def test_deep_pages_match_the_order(api_client, tree):
    category = tree["sitting"]
    for i in range(150):
        pose = PoseFactory(name=f"Bulk {i:03d}", category=category)
        PoseLibrary.objects.filter(pk=pose.pk).update(usage_count=i % 7, popularity_score=i % 7)
    expected = list(PoseLibrary.objects.filter(is_public=True).order_by("-popularity_score", "name", "id")
                    .values_list("name", flat=True))
    got = []
    for page in (1, 2, 3, 4):
        got += names(api_client.get(LIST, {"limit": 40, "page": page}))
    assert got == expected and len(got) == 154


def test_list_queries_do_not_grow_with_the_page(auth_client, tree, django_assert_max_num_queries):
    for i in range(60):
        PoseFactory(name=f"Extra {i}", category=tree["sitting"])
    PoseFavorite.objects.create(user=auth_client.user, pose=tree["hips"])
    with django_assert_max_num_queries(5):  # categories, count, page, favourites (+ auth)
        response = auth_client.get(LIST, {"limit": 100, "category": "sitting"})
    assert len(response.json()["poses"]) == 61


def test_favorites_filter_and_flag(auth_client, api_client, tree):
    PoseFavorite.objects.create(user=auth_client.user, pose=tree["crouch"])
    PoseFavorite.objects.create(user=UserFactory(), pose=tree["chair"])
    assert names(auth_client.get(LIST, {"favorites": "true"})) == ["Street crouch"]
    flags = {p["name"]: p["isFavorite"] for p in auth_client.get(LIST).json()["poses"]}
    assert flags == {"Street crouch": True, "Confident hands on hips": False, "Sitting on a chair": False,
                     "Arms crossed portrait": False}
    assert error(api_client.get(LIST, {"favorites": "true"}), 401)["code"] == "UNAUTHORIZED"


# ---- one pose, usage, download ------------------------------------------------------------------


def test_detail_counts_each_view_as_a_use(api_client, tree):
    url = f"{LIST}/{tree['hips'].pk}"
    first = api_client.get(url).json()["pose"]
    second = api_client.get(url).json()["pose"]
    assert (first["usageCount"], first["popularityScore"]) == (6, 6)
    assert (second["usageCount"], second["popularityScore"]) == (7, 7)
    assert len(second["keypoints"]) == 18 and second["poseStructure"]["version"] == 1
    assert "openposeJson" in second
    pose = PoseLibrary.objects.get(pk=tree["hips"].pk)
    assert (pose.usage_count, pose.popularity_score) == (7, 7)


def test_detail_404s(api_client, tree):
    PoseLibrary.objects.filter(pk=tree["crouch"].pk).update(is_public=False)
    assert error(api_client.get(f"{LIST}/{tree['crouch'].pk}"), 404)["code"] == "POSE_NOT_FOUND"
    assert PoseLibrary.objects.get(pk=tree["crouch"].pk).usage_count == 9  # not counted
    error(api_client.get(f"{LIST}/00000000-0000-0000-0000-000000000000"), 404)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_views_lose_no_use():
    pose = library_pose(category=CategoryFactory())

    def view():
        APIClient().get(f"{LIST}/{pose.pk}")
        connection.close()

    threads = [threading.Thread(target=view) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pose.refresh_from_db()
    assert (pose.usage_count, pose.popularity_score) == (12, 12)


def test_openpose_download(api_client, tree):
    doc = {"people": [{"pose_keypoints_2d": [1.0] * 54}], "canvas_width": 768, "canvas_height": 1024}
    PoseLibrary.objects.filter(pk=tree["hips"].pk).update(openpose_json=doc)
    response = api_client.get(f"{LIST}/{tree['hips'].pk}/openpose.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="confident-hands-on-hips.openpose.json"'
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == doc
    assert error(api_client.get(f"{LIST}/{tree['crouch'].pk}/openpose.json"), 404)["code"] == \
        "OPENPOSE_NOT_AVAILABLE"


# ---- categories ---------------------------------------------------------------------------------


def test_categories_tree_with_counts_including_descendants(api_client, tree):
    CategoryFactory(slug="hidden", is_active=False)
    body = api_client.get(f"{BASE}/categories").json()
    assert [c["slug"] for c in body["categories"]] == ["standing", "sitting"]
    standing = body["categories"][0]
    assert set(standing) == {"id", "slug", "name", "displayName", "description", "icon", "color", "displayOrder",
                             "poseCount", "children"}
    assert standing["poseCount"] == 3
    assert [c["slug"] for c in standing["children"]] == ["standing-professional", "standing-casual"]
    casual = standing["children"][1]
    assert casual["poseCount"] == 2 and casual["children"][0]["poseCount"] == 1
    assert body["categories"][1]["poseCount"] == 1
    # Stored counts are direct counts of public poses.
    assert PoseCategory.objects.get(slug="standing").pose_count == 0
    assert PoseCategory.objects.get(slug="standing-casual").pose_count == 1


# ---- favourites ---------------------------------------------------------------------------------


def test_favorite_add_remove_idempotent_with_exact_counts(auth_client, other_client, tree):
    url = f"{LIST}/{tree['hips'].pk}/favorite"
    first = auth_client.post(url)
    assert first.status_code == 201
    assert first.json() == {"poseId": str(tree["hips"].pk), "isFavorite": True, "favoriteCount": 1,
                            "popularityScore": 6}
    again = auth_client.post(url)
    assert again.status_code == 200 and again.json()["favoriteCount"] == 1
    assert other_client.post(url).json()["favoriteCount"] == 2
    removed = auth_client.delete(url)
    assert removed.status_code == 200
    assert removed.json() == {"poseId": str(tree["hips"].pk), "isFavorite": False, "favoriteCount": 1,
                              "popularityScore": 6}
    assert auth_client.delete(url).json()["favoriteCount"] == 1
    pose = PoseLibrary.objects.get(pk=tree["hips"].pk)
    assert (pose.favorite_count, pose.popularity_score, pose.usage_count) == (1, 6, 5)
    assert PoseFavorite.objects.filter(pose=pose).count() == 1


def test_favorite_errors(api_client, auth_client, tree):
    assert error(api_client.post(f"{LIST}/{tree['hips'].pk}/favorite"), 401)["code"] == "UNAUTHORIZED"
    error(auth_client.post(f"{LIST}/00000000-0000-0000-0000-000000000000/favorite"), 404)
    PoseLibrary.objects.filter(pk=tree["crouch"].pk).update(is_public=False)
    error(auth_client.post(f"{LIST}/{tree['crouch'].pk}/favorite"), 404)


def test_popularity_constraint_holds_after_mixed_updates(auth_client, tree):
    url = f"{LIST}/{tree['chair'].pk}"
    auth_client.post(f"{url}/favorite")
    auth_client.get(url)
    auth_client.delete(f"{url}/favorite")
    assert not PoseLibrary.objects.exclude(popularity_score=F("usage_count") + F("favorite_count")).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_favorites_count_exactly():
    pose = library_pose(category=CategoryFactory())
    users = [UserFactory() for _ in range(8)]

    def toggle(user):
        client = APIClient()
        client.force_authenticate(user=user)
        for _ in range(2):
            client.post(f"{LIST}/{pose.pk}/favorite")
        connection.close()

    threads = [threading.Thread(target=toggle, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pose.refresh_from_db()
    assert (pose.favorite_count, pose.popularity_score) == (8, 8)


# ---- pose tools ---------------------------------------------------------------------------------


def _png_size(b64: str) -> tuple[int, int]:
    return Image.open(io.BytesIO(base64.b64decode(b64))).size


@pytest.mark.slow
def test_extract_from_a_photo(auth_client):
    path = FIXTURES / "fullbody_skier_snow_coco785.jpg"
    if not path.is_file():
        pytest.skip("fixture photo not available")
    with path.open("rb") as handle:
        response = auth_client.post(f"{LIST}/extract", {"image": handle}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["keypoints"]) == 18 and body["peopleDetected"] >= 1
    assert sum(1 for k in body["keypoints"] if k[2] > 0.5) >= 10
    assert (body["imageWidth"], body["imageHeight"]) == (640, 425)
    assert _png_size(body["controlnetMapPng"]) == (640, 425)
    assert body["openposeJson"]["canvas_width"] == 640 and len(body["openposeJson"]["people"]) == 1
    assert isinstance(body["warnings"], list)


@pytest.mark.slow
def test_extract_without_a_person_is_422(auth_client):
    img = Image.new("RGB", (480, 360), (90, 140, 200))
    ImageDraw.Draw(img).rectangle((100, 100, 300, 250), fill=(200, 180, 40))
    buffer = io.BytesIO()
    img.save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "empty.jpg"
    e = error(auth_client.post(f"{LIST}/extract", {"image": buffer}, format="multipart"), 422)
    assert e["code"] == "NO_PERSON_DETECTED" and "No person" in e["message"]


def test_extract_rejects_non_images_and_needs_input_and_auth(auth_client, api_client):
    fake = io.BytesIO(b"not an image at all")
    fake.name = "photo.jpg"
    assert error(auth_client.post(f"{LIST}/extract", {"image": fake}, format="multipart"), 400)["code"] == \
        "INVALID_IMAGE"
    error(auth_client.post(f"{LIST}/extract", {}, format="json"), 400)
    error(api_client.post(f"{LIST}/extract", {}, format="json"), 401)


def test_extract_from_openpose_json(auth_client):
    body18 = []
    for i in range(18):
        body18 += [100.0 + 10 * i, 900.0 - 40 * i, 1.0]
    doc = {"people": [{"pose_keypoints_2d": body18}], "canvas_width": 768, "canvas_height": 1024}
    response = auth_client.post(f"{LIST}/extract", {"openposeJson": doc}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["peopleDetected"] == 1 and body["imageWidth"] == 768
    assert body["keypoints"][0][:2] == pytest.approx([100 / 768, 900 / 1024], abs=1e-4)
    assert _png_size(body["controlnetMapPng"]) == (768, 1024)
    upload = io.BytesIO(json.dumps(doc).encode())
    upload.name = "pose.json"
    assert auth_client.post(f"{LIST}/extract", {"openposeJson": upload}, format="multipart").status_code == 200


@pytest.mark.parametrize(("document", "problem"), [
    ({"people": [{"pose_keypoints_2d": [1, 2, 3]}]}, "pose_keypoints_2d has 3 values"),
    ({"people": "nobody"}, "people must be a list"),
    ({"people": [{"pose_keypoints_2d": ["x"] * 54}]}, "expected a number"),
    ({"people": [{}]}, "has no pose_keypoints_2d"),
    ({"people": [{"pose_keypoints_2d": [1.0] * 54}], "canvas_width": 512}, "canvas_height is missing"),
])
def test_malformed_openpose_json_is_400_naming_the_problem(auth_client, document, problem):
    e = error(auth_client.post(f"{LIST}/extract", {"openposeJson": document}, format="json"), 400)
    assert e["code"] == "INVALID_OPENPOSE" and problem in e["message"]


def test_openpose_json_with_nobody_is_422(auth_client):
    e = error(auth_client.post(f"{LIST}/extract", {"openposeJson": {"people": []}}, format="json"), 422)
    assert e["code"] == "NO_PERSON_DETECTED"


def test_text_to_pose(auth_client):
    response = auth_client.post(f"{LIST}/text-to-pose", {
        "textPrompt": "sitting on a chair with legs crossed, right hand on chin, looking left", "variations": 2,
        "seed": 3}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["understood"] == ["sitting on a chair", "legs crossed", "right hand on chin", "looking left"]
    assert body["poseStructure"]["version"] == 1 and body["poseStructure"]["angles"]["l_knee.flexion"] > 50
    assert body["parts"]["stance"] == "sitting_chair_crossed"
    assert len(body["keypoints"]) == 18 and _png_size(body["controlnetMapPng"]) == (768, 1024)
    assert len(body["variations"]) == 2 and body["openposeJson"]["canvas_height"] == 1024


def test_text_to_pose_without_pose_words_is_400_with_examples(auth_client, api_client):
    e = error(auth_client.post(f"{LIST}/text-to-pose", {"textPrompt": "a sunny beach at noon"}, format="json"), 400)
    assert e["code"] == "PROMPT_NOT_UNDERSTOOD"
    assert "Try phrases like" in e["message"] and "standing, arms crossed, 3/4 view" in e["examples"]
    error(auth_client.post(f"{LIST}/text-to-pose", {"textPrompt": "x" * 501}, format="json"), 400)
    error(api_client.post(f"{LIST}/text-to-pose", {"textPrompt": "standing"}, format="json"), 401)


def test_a_stale_page_is_rendered_again_by_the_one_reader_that_takes_the_refresh_lock(api_client, tree):
    from posegen.api.library import list_query
    from posegen.library_cache import _page_keys, library_cache_key, library_page_lookup
    from posegen.services.library_pages import list_page_cache_parts

    assert "Sitting on a chair" in names(api_client.get(LIST))
    filters, page, limit = list_query("")
    key = library_cache_key(kind="page", parts=list_page_cache_parts(filters=filters, page=page, limit=limit))
    fresh, refreshing = _page_keys(key)
    PoseLibrary.objects.filter(pk=tree["chair"].pk).update(name="Sitting on a stool")
    cache.delete(fresh)  # the page has outlived its fresh window
    cache.add(refreshing, b"1", 15)  # another reader is already rendering it

    assert "Sitting on a chair" in names(api_client.get(LIST))  # served stale, not rendered twice
    cache.delete(refreshing)
    assert "Sitting on a stool" in names(api_client.get(LIST))  # this reader took the lock and rendered
    assert library_page_lookup(key)[1] is False  # fresh again, lock released
    assert cache.get(refreshing) is None
