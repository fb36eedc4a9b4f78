from datetime import timedelta

import pytest
from django.utils import timezone

from lumiku.credits.services import credits_charge, credits_grant

pytestmark = pytest.mark.django_db


def test_credits_balance_and_unlimited_tier(auth_client):
    user = auth_client.user
    credits_grant(user_id=user.pk, amount=120, idempotency_key="g")
    expires = timezone.now() + timedelta(days=30)
    user.unlimited_pose_active = True
    user.unlimited_pose_expires_at = expires
    user.save()
    body = auth_client.get("/api/credits").json()
    assert body == {
        "balance": 120,
        "unlimitedTier": {
            "active": True, "dailyQuota": 100, "quotaUsed": 0, "quotaResetAt": None,
            "expiresAt": expires.isoformat(),
        },
    }


def test_credits_history_paginates_newest_first(auth_client):
    uid = auth_client.user.pk
    credits_grant(user_id=uid, amount=100, idempotency_key="g")
    for i in range(3):
        credits_charge(user_id=uid, amount=10, idempotency_key=f"c{i}", reference_type="pose_generation",
                       reference_id=f"gen{i}")
    body = auth_client.get("/api/credits/history?limit=2&page=1").json()
    assert body["pagination"] == {"page": 1, "limit": 2, "total": 4, "totalPages": 2}
    assert [t["referenceId"] for t in body["transactions"]] == ["gen2", "gen1"]
    assert body["transactions"][0]["balanceAfter"] == 70
    assert body["transactions"][0]["amount"] == -10
    page2 = auth_client.get("/api/credits/history?limit=2&page=2").json()
    assert [t["kind"] for t in page2["transactions"]] == ["charge", "grant"]


def test_history_is_only_your_own(auth_client, other_user):
    credits_grant(user_id=other_user.pk, amount=100, idempotency_key="other")
    assert auth_client.get("/api/credits/history").json()["pagination"]["total"] == 0


@pytest.mark.parametrize("query", ["limit=101", "limit=0", "page=0", "page=abc"])
def test_history_rejects_bad_paging(auth_client, query):
    response = auth_client.get(f"/api/credits/history?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_credits_need_authentication(api_client):
    response = api_client.get("/api/credits")
    assert response.status_code == 401
    assert response.json() == {
        "error": {"message": "Authentication credentials were not provided.", "code": "UNAUTHORIZED",
                  "statusCode": 401}
    }
