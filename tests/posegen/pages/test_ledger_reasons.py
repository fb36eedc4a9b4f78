"""The credit history says each row's reason in the reader's language, from the row's code (kind and
reference type) and the counts in its stored text; old rows read the same, unknown reasons stay."""

import re

import pytest
from django.utils import translation

from lumiku.credits.services import credits_charge, credits_grant, credits_refund
from posegen.ledger_reasons import ledger_reason
from tests.posegen.pages.helpers import signed_in

pytestmark = pytest.mark.django_db


def _reasons(html: str) -> list[str]:
    rows = re.findall(r'<tr data-testid="ledger-row">(.*?)</tr>', html, re.S)
    return [re.findall(r"<td>(.*?)</td>", row, re.S)[1].strip() for row in rows]  # after the kind badge


def test_the_account_page_says_ledger_reasons_in_the_users_language(client, user):
    user.language = "id"
    user.save(update_fields=["language"])
    credits_grant(user_id=user.pk, amount=300, idempotency_key="t:welcome", description="Welcome credits")
    credits_grant(user_id=user.pk, amount=50, idempotency_key="t:ops", description="Invoice 2026-11 top-up")
    credits_charge(user_id=user.pk, amount=150, idempotency_key="t:charge", reference_type="pose_generation",
                   description="Pose generation: 5 image(s)")
    credits_refund(user_id=user.pk, amount=30, idempotency_key="t:refund", reference_type="pose_generation",
                   description="Image failed: 1 image(s)")
    html = signed_in(client, user).get("/account/").content.decode()
    assert _reasons(html) == ["Kredit dikembalikan: 1 foto tidak dapat dibuat", "5 foto pose dibuat",
                              "Invoice 2026-11 top-up", "Kredit selamat datang"]


@pytest.mark.parametrize(("kind", "reference_type", "stored", "english"), [
    ("charge", "pose_generation", "Pose generation: 1 image(s)", "1 pose photo made"),
    ("refund", "pose_generation", "Cancelled: 3 image(s)", "Refund: 3 photos cancelled"),
    ("refund", "pose_generation", "Timed out: 2 image(s)", "Refund: 2 photos"),
    ("refund", "background_change", "Background change failed: refund", "Refund: the background change failed"),
    ("charge", "", "Pose generation: 5 image(s)", "Pose generation: 5 image(s)"),  # not a generation's row
])
def test_reasons_in_english(kind, reference_type, stored, english):
    with translation.override("en"):
        assert ledger_reason(kind=kind, reference_type=reference_type, description=stored) == english


def _fund_with_every_reason(user):
    credits_grant(user_id=user.pk, amount=300, idempotency_key="t:welcome", description="Welcome credits")
    credits_grant(user_id=user.pk, amount=50, idempotency_key="t:ops", description="Invoice 2026-11 top-up")
    credits_charge(user_id=user.pk, amount=150, idempotency_key="t:charge", reference_type="pose_generation",
                   description="Pose generation: 5 image(s)")
    credits_refund(user_id=user.pk, amount=30, idempotency_key="t:refund", reference_type="pose_generation",
                   description="Image failed: 1 image(s)")
    credits_charge(user_id=user.pk, amount=10, idempotency_key="t:bg", reference_type="background_change",
                   description="Background change: 1 image")


@pytest.mark.parametrize(("language", "expected"), [
    ("id", ["Ganti latar: 1 foto", "Kredit dikembalikan: 1 foto tidak dapat dibuat", "5 foto pose dibuat",
            "Invoice 2026-11 top-up", "Kredit selamat datang"]),
    ("en", ["Background change: 1 photo", "Refund: 1 photo could not be made", "5 pose photos made",
            "Invoice 2026-11 top-up", "Welcome credits"]),
])
def test_the_credit_history_api_says_each_reason_in_the_readers_language(auth_client, language, expected):
    """The API reads through the same function as the account page; amounts and codes are unchanged."""
    _fund_with_every_reason(auth_client.user)
    rows = auth_client.get("/api/credits/history", HTTP_ACCEPT_LANGUAGE=language).json()["transactions"]
    assert [row["description"] for row in rows] == expected
    assert [(row["kind"], row["referenceType"], row["amount"]) for row in rows] == [
        ("charge", "background_change", -10), ("refund", "pose_generation", 30), ("charge", "pose_generation", -150),
        ("grant", "grant", 50), ("grant", "grant", 300)]
