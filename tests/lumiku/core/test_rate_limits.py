import pytest

from lumiku.credits.selectors import credits_balance
from posegen.models import PoseGeneration
from tests.factories import ProjectFactory, library_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    def set_limits(**rates):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}

    return set_limits


def test_generate_is_rate_limited_with_retry_after_and_no_charge(auth_client, limits):
    limits(generate="2/minute")
    fund(auth_client.user, 1000)
    project, pose = ProjectFactory(user=auth_client.user), library_pose()
    statuses = [auth_client.post(GENERATE_URL, gallery_body(project, [pose]), format="json").status_code
                for _ in range(2)]
    refused = auth_client.post(GENERATE_URL, gallery_body(project, [pose]), format="json")
    assert statuses == [202, 202]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert refused.json()["error"]["statusCode"] == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert PoseGeneration.objects.count() == 2
    assert credits_balance(user_id=auth_client.user.pk) == 940


def test_limits_are_per_user(auth_client, other_client, limits):
    limits(generate="1/minute")
    for client in (auth_client, other_client):
        fund(client.user, 100)
        project = ProjectFactory(user=client.user)
        assert client.post(GENERATE_URL, gallery_body(project, [library_pose()]), format="json").status_code == 202


def test_registration_is_limited_per_client_address(api_client, limits):
    limits(register="2/hour")
    codes = [api_client.post("/api/auth/register", {"email": f"u{i}@shop.id", "password": "rendang-pedas-99"},
                             format="json").status_code for i in range(3)]
    assert codes == [201, 201, 429]


def test_login_lockout_after_repeated_failures(api_client, user, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert api_client.post("/api/auth/token", {"email": user.email, "password": "wrong"},
                               format="json").status_code == 401
    locked = api_client.post("/api/auth/token", {"email": user.email, "password": "correct-horse-battery"},
                             format="json")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "LOGIN_LOCKED"
    assert int(locked["Retry-After"]) == settings.LOGIN_LOCKOUT_SECONDS
    other = api_client.post("/api/auth/token", {"email": "someone@else.id", "password": "x"}, format="json")
    assert other.status_code == 401


def test_successful_login_clears_failures(api_client, user, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        api_client.post("/api/auth/token", {"email": user.email, "password": "wrong"}, format="json")
    assert api_client.post("/api/auth/token", {"email": user.email, "password": "correct-horse-battery"},
                           format="json").status_code == 200
    for _ in range(2):
        api_client.post("/api/auth/token", {"email": user.email, "password": "wrong"}, format="json")
    assert api_client.post("/api/auth/token", {"email": user.email, "password": "correct-horse-battery"},
                           format="json").status_code == 200


def test_login_page_shares_the_lockout(client, user, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        client.post("/accounts/login/", {"username": user.email, "password": "wrong"})
    page = client.post("/accounts/login/", {"username": user.email, "password": "correct-horse-battery"})
    assert page.status_code == 200
    assert b"Too many failed logins" in page.content
    assert "_auth_user_id" not in client.session
