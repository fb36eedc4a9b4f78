"""Library pages (G2): browsing with filters, htmx fragments and pagination; one pose with usage tracking;
the favourite toggle; the selection tray (add, remove, limit, clear, continue)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from posegen.models import PoseLibrary
from posegen.models.library import PoseFavorite
from posegen.pages.library.views import PAGE_SIZE
from posegen.pages.tray import TRAY_MAX, TRAY_SESSION_KEY
from posegen.services.library import library_categories_recount
from tests.factories import CategoryFactory, PoseFactory, ProjectFactory, library_pose, stored_image
from tests.posegen.pages.helpers import signed_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def web(client, user):
    return signed_in(client, user)


@pytest.fixture
def tree():
    """standing > standing-casual > standing-casual-street, and sitting; one pose in each leaf."""
    standing = CategoryFactory(slug="standing", name="Standing", display_order=0)
    casual = CategoryFactory(slug="standing-casual", name="Casual", parent=standing)
    street = CategoryFactory(slug="standing-casual-street", name="Street", parent=casual)
    sitting = CategoryFactory(slug="sitting", name="Sitting", display_order=1)
    poses = {
        "hips": library_pose(category=casual, name="Confident hands on hips"),
        "crouch": library_pose(category=street, name="Street crouch", **{"knee.flexion": 30}),
        "chair": library_pose(category=sitting, name="Sitting on a chair", **{"hip.flexion": 90}),
    }
    PoseLibrary.objects.filter(pk=poses["hips"].pk).update(
        difficulty="beginner", gender_suitability="female", is_featured=True, tags=["confident", "power pose"],
        description="Hands on the hips, elbows out.", usage_count=5, popularity_score=5)
    PoseLibrary.objects.filter(pk=poses["crouch"].pk).update(difficulty="advanced", tags=["streetwear"],
                                                             usage_count=9, popularity_score=9)
    PoseLibrary.objects.filter(pk=poses["chair"].pk).update(difficulty="beginner", gender_suitability="male",
                                                            tags=["duduk"], usage_count=1, popularity_score=1)
    library_categories_recount()
    return {"standing": standing, "casual": casual, "street": street, "sitting": sitting, **poses}


def card_ids(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return re.findall(r'data-testid="pose-card" data-pose-id="([0-9a-f-]{36})"', response.content.decode())


def ids(*poses) -> list[str]:
    return [str(p.pk) for p in poses]


def tray(client) -> list[str]:
    return list(client.session.get(TRAY_SESSION_KEY, []))


def set_tray(client, pose_ids) -> None:
    session = client.session
    session[TRAY_SESSION_KEY] = [str(i) for i in pose_ids]
    session.save()


# ---- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("method,path", [
    ("get", "/library/"), ("get", f"/library/{uuid.uuid4()}/"), ("post", f"/library/{uuid.uuid4()}/favorite/"),
    ("post", "/library/tray/add/"), ("post", "/library/tray/remove/"), ("post", "/library/tray/clear/"),
    ("get", "/library/tray/continue/"),
])
def test_login_required(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# ---- browsing -------------------------------------------------------------------------------------


def test_library_page_lists_public_poses_in_popular_order_with_tree_and_counts(web, tree):
    PoseLibrary.objects.filter(pk=tree["chair"].pk).update(is_public=False)
    library_categories_recount()
    response = web.get("/library/")
    assert card_ids(response) == ids(tree["crouch"], tree["hips"])
    html = response.content.decode()
    assert '<html' in html and 'data-testid="library-category-tree"' in html
    assert 'id="library-count" aria-live="polite" data-testid="library-count">2 poses' in html
    # a parent's count includes its descendants; the hidden pose is counted nowhere
    assert re.search(r'data-slug="standing">\s*<span>Standing</span><span class="cat-count">2</span>', html)
    assert re.search(r'data-slug="sitting">\s*<span>Sitting</span><span class="cat-count">0</span>', html)
    assert 'alt="Confident hands on hips"' not in html  # factory poses have no thumbnail: no broken <img>
    assert 'role="img" aria-label="Confident hands on hips"' in html


def test_category_filter_includes_descendants(web, tree):
    assert card_ids(web.get("/library/", {"category": "standing"})) == ids(tree["crouch"], tree["hips"])
    assert card_ids(web.get("/library/", {"category": "standing-casual-street"})) == ids(tree["crouch"])
    assert card_ids(web.get("/library/", {"category": "sitting"})) == ids(tree["chair"])
    html = web.get("/library/", {"category": "standing-casual"}).content.decode()
    assert 'value="standing-casual" checked' in html


def test_difficulty_gender_featured_and_sort_filters(web, tree):
    assert card_ids(web.get("/library/", {"difficulty": "beginner"})) == ids(tree["hips"], tree["chair"])
    assert card_ids(web.get("/library/", {"difficulty": "advanced"})) == ids(tree["crouch"])
    assert card_ids(web.get("/library/", {"gender": "male"})) == ids(tree["chair"])
    assert card_ids(web.get("/library/", {"featured": "1"})) == ids(tree["hips"])
    assert card_ids(web.get("/library/", {"sort": "name"})) == ids(tree["hips"], tree["chair"], tree["crouch"])
    assert card_ids(web.get("/library/", {"difficulty": "beginner", "category": "standing"})) == ids(tree["hips"])


def test_favourites_only_shows_the_users_own(web, tree, other_user):
    PoseFavorite.objects.create(user=web.user, pose=tree["chair"])
    PoseFavorite.objects.create(user=other_user, pose=tree["crouch"])
    response = web.get("/library/", {"favorites": "1"})
    assert card_ids(response) == ids(tree["chair"])
    assert 'data-testid="favorite-toggle" data-favorite-count' in response.content.decode()
    assert len(re.findall(r'aria-pressed="true"\s+data-testid="favorite-toggle"', response.content.decode())) == 1


def test_search_by_name_words_and_by_tag(web, tree):
    assert card_ids(web.get("/library/", {"q": "hands hips"})) == ids(tree["hips"])
    assert card_ids(web.get("/library/", {"q": "duduk"})) == ids(tree["chair"])
    assert card_ids(web.get("/library/", {"q": "street", "difficulty": "beginner"})) == []


def test_no_match_shows_the_empty_state_with_a_request_link(web, tree):
    response = web.get("/library/", {"q": "handstand on a surfboard"})
    html = response.content.decode()
    assert card_ids(response) == []
    assert 'data-testid="library-empty"' in html
    assert 'href="/pose-requests/new/?poseName=handstand%20on%20a%20surfboard" data-testid="request-pose-link"' in html


def test_filters_it_does_not_understand_are_dropped_not_an_error(web, tree):
    response = web.get("/library/", {"difficulty": "expert", "category": "flying", "page": "x", "sort": "random"})
    assert card_ids(response) == ids(tree["crouch"], tree["hips"], tree["chair"])
    assert 'data-testid="filters-ignored"' in response.content.decode()


def test_htmx_request_gets_the_results_fragment_and_a_history_restore_the_page(web, tree):
    fragment = web.get("/library/", {"q": "crouch"}, **HTMX)
    html = fragment.content.decode()
    assert card_ids(fragment) == ids(tree["crouch"])
    assert "<html" not in html and 'data-testid="library-category-tree"' not in html
    assert '<span id="library-count" hx-swap-oob="innerHTML">1 pose · matching “crouch”' in html
    assert "HX-Request" in fragment["Vary"]  # caches must not hand the fragment to a normal page load
    restored = web.get("/library/", {"q": "crouch"}, **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restored.content.decode() and card_ids(restored) == ids(tree["crouch"])


def test_pagination_pages_and_infinite_scroll_fragment(web):
    category = CategoryFactory(slug="many")
    poses = [PoseFactory(category=category, name=f"Pose {i:02d}") for i in range(PAGE_SIZE + 6)]
    by_name = [str(p.pk) for p in sorted(poses, key=lambda p: p.name)]

    first = web.get("/library/", {"sort": "name"})
    html = first.content.decode()
    assert card_ids(first) == by_name[:PAGE_SIZE]
    more = re.search(r'<li id="library-more".*?href="([^"]+)" hx-get="([^"]+)"', html, re.S)
    assert more.group(1) == more.group(2) == "/library/?sort=name&amp;page=2"

    second = web.get("/library/", {"sort": "name", "page": 2})  # the plain link, without JavaScript
    assert card_ids(second) == by_name[PAGE_SIZE:]
    assert 'id="library-more"' not in second.content.decode()
    assert 'href="/library/?sort=name" data-testid="page-prev"' in second.content.decode()

    scrolled = web.get("/library/", {"sort": "name", "page": 2}, **HTMX, HTTP_HX_TARGET="library-more")
    body = scrolled.content.decode()
    assert card_ids(scrolled) == by_name[PAGE_SIZE:]
    assert "<ul" not in body.split('class="card pose-card"')[0]  # only <li> cards, appended to the grid
    assert "library-count" not in body and 'id="library-more"' not in body


def test_a_page_reads_poses_once_favourites_once_and_categories_from_the_cache(web, tree):
    web.get("/library/")  # warms the category tree and total caches
    with CaptureQueriesContext(connection) as captured:
        assert len(card_ids(web.get("/library/"))) == 3
    sql = [q["sql"] for q in captured.captured_queries]
    assert sum('FROM "posegen_poselibrary"' in s for s in sql) == 1
    assert sum('FROM "posegen_posefavorite"' in s for s in sql) == 1
    assert sum('FROM "posegen_posecategory"' in s for s in sql) == 0


# ---- one pose -----------------------------------------------------------------------------------


def test_pose_page_shows_pictures_breadcrumb_tags_download_and_counts_a_use(web, tree):
    pose = tree["hips"]
    reference, openpose_map = stored_image(user_id=web.user.pk), stored_image(user_id=web.user.pk)
    PoseLibrary.objects.filter(pk=pose.pk).update(reference_image=reference, controlnet_image=openpose_map,
                                                  openpose_json={"people": [{"pose_keypoints_2d": [0.5, 0.5, 1]}]})
    response = web.get(f"/library/{pose.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'src="/media/{reference}" alt="Confident hands on hips: reference mannequin"' in html
    assert f'src="/media/{openpose_map}" alt="Confident hands on hips: OpenPose skeleton map"' in html
    crumbs = re.findall(r'<li><a href="/library/\?category=([a-z-]+)">', html)
    assert crumbs == ["standing", "standing-casual"]
    assert re.findall(r'href="/library/\?q=([^"]+)" data-testid="pose-tag"', html) == ["confident", "power%20pose"]
    assert f'href="/api/apps/pose-generator/library/{pose.pk}/openpose.json" download' in html
    assert 'data-testid="pose-difficulty">Beginner<' in html
    pose.refresh_from_db()
    assert (pose.usage_count, pose.popularity_score) == (6, 6)


def test_pose_page_without_openpose_data_has_no_download(web, tree):
    html = web.get(f"/library/{tree['chair'].pk}/").content.decode()
    assert 'data-testid="download-openpose"' not in html


def test_unknown_or_hidden_pose_is_404_and_counts_nothing(web, tree):
    assert web.get(f"/library/{uuid.uuid4()}/").status_code == 404
    PoseLibrary.objects.filter(pk=tree["chair"].pk).update(is_public=False)
    assert web.get(f"/library/{tree['chair'].pk}/").status_code == 404
    assert PoseLibrary.objects.get(pk=tree["chair"].pk).usage_count == 1


# ---- favourites -----------------------------------------------------------------------------------


def test_favourite_toggle_changes_counts_exactly_once(web, tree):
    pose, url = tree["chair"], f"/library/{tree['chair'].pk}/favorite/"
    first = web.post(url, {"favorite": "1", "variant": "card"}, **HTMX)
    assert first.status_code == 200
    assert 'aria-pressed="true"' in first.content.decode() and 'data-favorite-count="1"' in first.content.decode()
    web.post(url, {"favorite": "1"}, **HTMX)  # a double tap: still one favourite
    pose.refresh_from_db()
    assert (pose.favorite_count, pose.popularity_score) == (1, 2)
    assert PoseFavorite.objects.filter(user=web.user, pose=pose).count() == 1

    off = web.post(url, {"favorite": "0", "next": "/library/?favorites=1"})  # without JavaScript
    assert (off.status_code, off["Location"]) == (302, "/library/?favorites=1")
    web.post(url, {"favorite": "0"})
    pose.refresh_from_db()
    assert (pose.favorite_count, pose.popularity_score) == (0, 1)
    assert not PoseFavorite.objects.filter(pose=pose).exists()


def test_favourite_of_unknown_or_hidden_pose_is_404_and_changes_nothing(web, tree):
    assert web.post(f"/library/{uuid.uuid4()}/favorite/", {"favorite": "1"}).status_code == 404
    PoseLibrary.objects.filter(pk=tree["chair"].pk).update(is_public=False)
    assert web.post(f"/library/{tree['chair'].pk}/favorite/", {"favorite": "1"}).status_code == 404
    assert PoseFavorite.objects.count() == 0
    assert PoseLibrary.objects.get(pk=tree["chair"].pk).favorite_count == 0


def test_favourite_redirect_never_leaves_the_site(web, tree):
    response = web.post(f"/library/{tree['chair'].pk}/favorite/", {"favorite": "1", "next": "https://evil.example/"})
    assert response["Location"] == f"/library/{tree['chair'].pk}/"


# ---- the tray -------------------------------------------------------------------------------------


def test_tray_add_with_htmx_returns_the_bar_and_flips_the_card_button(web, tree):
    response = web.post("/library/tray/add/", {"pose_id": tree["hips"].pk}, **HTMX)
    html = response.content.decode()
    assert tray(web) == ids(tree["hips"])
    assert '<strong data-testid="tray-count">1</strong>' in html
    toggle = re.search(rf'<form id="tray-toggle-{tree["hips"].pk}".*?</form>', html, re.S).group(0)
    assert 'hx-swap-oob="true"' in toggle and 'action="/library/tray/remove/"' in toggle
    assert 'aria-pressed="true"' in toggle
    web.post("/library/tray/add/", {"pose_id": tree["hips"].pk}, **HTMX)  # already there: still one
    web.post("/library/tray/add/", {"pose_id": tree["chair"].pk}, **HTMX)
    assert tray(web) == ids(tree["hips"], tree["chair"])


def test_tray_add_without_js_redirects_back_safely(web, tree):
    response = web.post("/library/tray/add/", {"pose_id": tree["hips"].pk, "next": "/library/?q=hips"})
    assert (response.status_code, response["Location"]) == (302, "/library/?q=hips")
    response = web.post("/library/tray/add/", {"pose_id": tree["chair"].pk, "next": "//evil.example/x"})
    assert response["Location"] == "/library/"
    assert tray(web) == ids(tree["hips"], tree["chair"])


def test_tray_refuses_unknown_hidden_and_malformed_poses(web, tree):
    PoseLibrary.objects.filter(pk=tree["chair"].pk).update(is_public=False)
    for pose_id in (uuid.uuid4(), tree["chair"].pk, "not-a-uuid", ""):
        assert web.post("/library/tray/add/", {"pose_id": pose_id}).status_code == 404
    assert tray(web) == []


def test_tray_limit_refuses_the_next_pose_with_a_message_and_keeps_the_tray(web, tree):
    full = [uuid.uuid4() for _ in range(TRAY_MAX)]
    set_tray(web, full)
    response = web.post("/library/tray/add/", {"pose_id": tree["hips"].pk}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="tray-error">Your tray holds up to 50 poses. Remove some before adding more.' in html
    assert 'aria-pressed="false"' in re.search(rf'id="tray-toggle-{tree["hips"].pk}".*?</form>', html, re.S).group(0)
    assert tray(web) == [str(i) for i in full]
    plain = web.post("/library/tray/add/", {"pose_id": tree["hips"].pk}, follow=True)
    assert "Your tray holds up to 50 poses." in plain.content.decode()
    assert tray(web) == [str(i) for i in full]


def test_tray_remove_and_clear(web, tree):
    set_tray(web, [tree["hips"].pk, tree["chair"].pk, tree["crouch"].pk])
    response = web.post("/library/tray/remove/", {"pose_id": tree["chair"].pk}, **HTMX)
    assert tray(web) == ids(tree["hips"], tree["crouch"])
    assert '<strong data-testid="tray-count">2</strong>' in response.content.decode()
    cleared = web.post("/library/tray/clear/", **HTMX)
    html = cleared.content.decode()
    assert tray(web) == []
    assert 'data-testid="tray-count"' not in html  # the bar hides when empty
    assert html.count('hx-swap-oob="true"') == 2  # both cards flip back to "Add to tray"


def test_tray_bar_shows_public_poses_only(web, tree):
    set_tray(web, [tree["hips"].pk, tree["chair"].pk])
    PoseLibrary.objects.filter(pk=tree["chair"].pk).update(is_public=False)
    html = web.get("/library/").content.decode()
    assert '<strong data-testid="tray-count">1</strong>' in html
    assert html.count('data-testid="tray-remove"') == 1
    assert 'href="/library/tray/continue/" data-testid="tray-continue"' in html


def test_tray_continue_goes_to_new_project_or_project_picker(web, tree, other_user):
    assert web.get("/library/tray/continue/")["Location"] == "/library/"  # nothing to generate yet
    set_tray(web, [tree["hips"].pk])
    ProjectFactory(user=other_user)  # someone else's project does not count
    ProjectFactory(user=web.user, status="archived")
    assert web.get("/library/tray/continue/")["Location"] == "/projects/new/?next=wizard"
    only = ProjectFactory(user=web.user)
    assert web.get("/library/tray/continue/")["Location"] == f"/projects/{only.pk}/generate/"  # no pick of one
    ProjectFactory(user=web.user)
    assert web.get("/library/tray/continue/")["Location"] == "/projects/?pick=1"
    assert tray(web) == ids(tree["hips"])  # continuing does not empty the tray; the wizard does
