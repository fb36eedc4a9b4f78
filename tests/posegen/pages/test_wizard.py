"""Generation wizard (G3): the same validation and `generation_start` as the API, from a form."""

import uuid

import pytest

from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance
from posegen.models import GeneratedPose, PoseGeneration
from posegen.pages.tray import TRAY_SESSION_KEY
from posegen.services.pricing import generation_cost
from tests.factories import ProjectFactory, library_pose
from tests.images import upload
from tests.posegen.pages.helpers import signed_in
from tests.posegen.pipeline_helpers import fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client, user):
    return signed_in(client, user)


@pytest.fixture
def project(web):
    return ProjectFactory(user=web.user)


def _tray(client, ids) -> None:
    session = client.session
    session[TRAY_SESSION_KEY] = [str(i) for i in ids]
    session.save()


def _gallery(poses, **extra) -> dict:
    return {"generation_type": "GALLERY_REFERENCE", "pose_ids": [str(p.pk) for p in poses], "batch_size": 1,
            "variation_count": 4, "background": "none", "idempotency_key": str(uuid.uuid4()), **extra}


def _charges(user) -> int:
    return LedgerEntry.objects.filter(wallet_id=user.pk, kind="charge").count()


def test_login_required(client, other_user):
    project = ProjectFactory(user=other_user)
    response = client.get(f"/projects/{project.pk}/generate/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(f"/projects/{project.pk}/generate/cost/").status_code == 302
    assert client.post("/generate/text-preview/", {"text_prompt": "standing"}).status_code == 302


def test_another_users_project_is_404_and_charges_nothing(web, other_user):
    fund(web.user, 100)
    theirs = ProjectFactory(user=other_user)
    pose = library_pose()
    assert web.get(f"/projects/{theirs.pk}/generate/").status_code == 404
    assert web.post(f"/projects/{theirs.pk}/generate/", _gallery([pose])).status_code == 404
    assert web.post(f"/projects/{theirs.pk}/generate/cost/", _gallery([pose])).status_code == 404
    assert PoseGeneration.objects.count() == 0
    assert credits_balance(user_id=web.user.pk) == 100


def test_gallery_is_prefilled_from_the_tray(web, project):
    poses = [library_pose(name="Hands on hips"), library_pose(name="Walking")]
    _tray(web, [p.pk for p in poses])
    response = web.get(f"/projects/{project.pk}/generate/")
    assert response.status_code == 200
    assert [row["id"] for row in response.context["poses"]] == [p.pk for p in poses]
    html = response.content.decode()
    assert html.count('data-testid="wizard-pose"') == 2
    assert 'name="idempotency_key"' in html
    assert "Hands on hips" in html and "Walking" in html


def test_empty_tray_shows_a_clear_prompt(web, project):
    html = web.get(f"/projects/{project.pk}/generate/").content.decode()
    assert 'data-testid="wizard-tray-empty"' in html
    assert 'href="/library/"' in html


def test_remove_pose_from_the_tray(web, project):
    keep, drop = library_pose(), library_pose()
    _tray(web, [keep.pk, drop.pk])
    response = web.post(f"/projects/{project.pk}/generate/remove-pose/", {"remove_pose": str(drop.pk)})
    assert response["Location"] == f"/projects/{project.pk}/generate/"
    assert web.session[TRAY_SESSION_KEY] == [str(keep.pk)]
    fetched = web.post(f"/projects/{project.pk}/generate/remove-pose/", {"pose_id": str(keep.pk)},
                       HTTP_X_REQUESTED_WITH="fetch")
    assert fetched.status_code == 204
    assert web.session[TRAY_SESSION_KEY] == []


def test_success_creates_one_generation_charges_its_cost_clears_the_tray(web, project):
    fund(web.user, 1000)
    poses = [library_pose(), library_pose()]
    _tray(web, [p.pk for p in poses])
    body = _gallery(poses, batch_size=3, background="solid_color", background_color="#ffffff",
                    output_formats=["instagram_story", "shopee_product"])
    response = web.post(f"/projects/{project.pk}/generate/", body)
    generation = PoseGeneration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/generations/{generation.pk}/"
    expected = generation_cost(generation_type="GALLERY_REFERENCE", images=6, use_background_changer=True)
    assert expected == 240
    assert (generation.total_expected_poses, generation.credit_charged) == (6, expected)
    assert (generation.background_mode, generation.background_color) == ("solid_color", "#FFFFFF")
    assert generation.export_formats == ["instagram_story", "shopee_product"]
    assert generation.idempotency_key == f"web:{body['idempotency_key']}"
    assert GeneratedPose.objects.filter(generation=generation).count() == 6
    assert credits_balance(user_id=web.user.pk) == 1000 - expected
    assert TRAY_SESSION_KEY not in web.session


def test_backdrop_choice_is_the_ai_generate_mode_with_its_prompt(web, project):
    fund(web.user, 1000)
    response = web.post(f"/projects/{project.pk}/generate/",
                        _gallery([library_pose()], background="backdrop", backdrop_id="warm_beige"))
    assert response.status_code == 302
    generation = PoseGeneration.objects.get()
    assert (generation.background_mode, generation.background_prompt) == (
        "ai_generate", "warm beige backdrop, soft window light from the left")


def test_double_submit_with_the_same_key_charges_once(web, project):
    fund(web.user, 200)
    body = _gallery([library_pose()])
    first = web.post(f"/projects/{project.pk}/generate/", body)
    again = web.post(f"/projects/{project.pk}/generate/", body)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert PoseGeneration.objects.count() == 1
    assert _charges(web.user) == 1
    assert credits_balance(user_id=web.user.pk) == 170


def test_insufficient_credits_is_shown_in_place_and_nothing_changes(web, project):
    fund(web.user, 50)
    poses = [library_pose(), library_pose()]
    _tray(web, [p.pk for p in poses])
    body = _gallery(poses, batch_size=1)
    response = web.post(f"/projects/{project.pk}/generate/", body)
    assert response.status_code == 402
    html = response.content.decode()
    assert "You need 60 credits for these 2 photos; you have 50. Top up or choose fewer poses." in html
    assert 'data-code="INSUFFICIENT_CREDITS"' in html
    assert 'href="/pricing">Top up credits</a>' in html
    assert f'value="{body["idempotency_key"]}"' in html  # the inputs (and the key) are kept
    assert html.count('data-testid="wizard-pose"') == 2
    assert PoseGeneration.objects.count() == 0
    assert _charges(web.user) == 0
    assert credits_balance(user_id=web.user.pk) == 50
    assert web.session[TRAY_SESSION_KEY] == [str(p.pk) for p in poses]


def test_forbidden_words_are_refused_in_place(web, project):
    from posegen.services.validation import forbidden_keywords

    fund(web.user, 500)
    prompt = f"standing {forbidden_keywords()[0]}"
    response = web.post(f"/projects/{project.pk}/generate/", {
        "generation_type": "TEXT_DESCRIPTION", "text_prompt": prompt, "variation_count": 2, "background": "none",
        "idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 400
    assert response.context["form"].errors["text_prompt"] == [
        "This description contains content we can't generate. Please describe a different pose."]
    assert prompt in response.content.decode()
    assert PoseGeneration.objects.count() == 0
    assert credits_balance(user_id=web.user.pk) == 500


@pytest.mark.parametrize(("changes", "field"), [
    ({"batch_size": 11}, "batch_size"),
    ({"background": "solid_color", "background_color": "white"}, "background_color"),
    ({"background": "upload"}, "background_image"),
    ({"output_formats": ["instagram_story", "bogus"]}, "output_formats"),
])
def test_validation_errors_are_on_their_field_and_charge_nothing(web, project, changes, field):
    fund(web.user, 500)
    response = web.post(f"/projects/{project.pk}/generate/", _gallery([library_pose()], **changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert PoseGeneration.objects.count() == 0
    assert credits_balance(user_id=web.user.pk) == 500


def test_bad_reference_photo_is_refused_by_content(web, project):
    fund(web.user, 500)
    response = web.post(f"/projects/{project.pk}/generate/", {
        "generation_type": "POSE_FROM_PHOTO", "variation_count": 2, "background": "none",
        "reference_image": upload("pose.jpg", b"this is not a jpeg"), "idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 400
    assert response.context["form"].errors["reference_image"] == ["The file is not a valid image."]
    assert PoseGeneration.objects.count() == 0
    assert credits_balance(user_id=web.user.pk) == 500


def test_archived_project_refuses_in_place(web):
    fund(web.user, 500)
    project = ProjectFactory(user=web.user, status="archived")
    response = web.post(f"/projects/{project.pk}/generate/", _gallery([library_pose()]))
    assert response.status_code == 409
    assert "This project is archived; restore it to generate." in response.content.decode()
    assert credits_balance(user_id=web.user.pk) == 500


def test_cost_endpoint_returns_the_pricing_services_figure(web, project):
    fund(web.user, 100)
    poses = [library_pose(), library_pose()]
    response = web.post(f"/projects/{project.pk}/generate/cost/", _gallery(poses, batch_size=2, background="blur"))
    expected = generation_cost(generation_type="GALLERY_REFERENCE", images=4, use_background_changer=True)
    assert response.status_code == 200
    assert (response.context["images"], response.context["cost"], response.context["balance"]) == (4, expected, 100)
    html = response.content.decode()
    assert f'data-cost="{expected}"' in html
    assert 'data-testid="cost-warning"' in html  # 160 > 100

    text = web.post(f"/projects/{project.pk}/generate/cost/", {
        "generation_type": "TEXT_DESCRIPTION", "variation_count": 2, "batch_size": 1, "background": "none"})
    text_cost = generation_cost(generation_type="TEXT_DESCRIPTION", images=2, use_background_changer=False)
    assert text.context["cost"] == text_cost
    assert ('data-testid="cost-warning"' in text.content.decode()) == (text_cost > 100)


def test_cost_shows_quota_for_unlimited_tier_users(web, project):
    web.user.unlimited_pose_active = True
    web.user.unlimited_pose_daily_quota = 3
    web.user.save()
    response = web.post(f"/projects/{project.pk}/generate/cost/", _gallery([library_pose()], batch_size=5))
    html = response.content.decode()
    assert response.context["quota_left"] == 3
    assert 'data-testid="quota-left"' in html and "3 / 3" in html
    assert 'data-testid="cost-warning"' in html


def test_text_preview_returns_the_pose_map_and_understood_phrases(web):
    response = web.post("/generate/text-preview/", {"text_prompt": "standing, hands on hips, looking left"})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.understood
    html = response.content.decode()
    assert 'src="data:image/png;base64,' in html
    for phrase in result.understood:
        assert phrase in html


def test_text_preview_lists_example_phrases_when_not_understood(web):
    response = web.post("/generate/text-preview/", {"text_prompt": "a lovely red handbag"})
    assert response.status_code == 200
    assert response.context["error"].code == "PROMPT_NOT_UNDERSTOOD"
    examples = response.context["examples"]
    assert examples
    html = response.content.decode()
    assert 'data-testid="text-preview-error"' in html
    assert examples[0] in html


def test_cost_ignores_fields_that_do_not_change_the_price_and_flags_out_of_range_counts(web, project):
    poses = [library_pose()]
    backdrop_missing = web.post(f"/projects/{project.pk}/generate/cost/",
                                _gallery(poses, background="backdrop", backdrop_id="", output_formats=["bogus"]))
    assert backdrop_missing.context["cost"] == generation_cost(generation_type="GALLERY_REFERENCE", images=1,
                                                               use_background_changer=True)
    too_many = web.post(f"/projects/{project.pk}/generate/cost/", _gallery(poses, batch_size=11))
    assert too_many.context["out_of_range"] is True
    assert "Choose a number of photos within the limits shown." in too_many.content.decode()
    unreadable = web.post(f"/projects/{project.pk}/generate/cost/", _gallery(poses, batch_size="many"))
    assert unreadable.context["valid"] is False
    assert "cost" not in unreadable.context
