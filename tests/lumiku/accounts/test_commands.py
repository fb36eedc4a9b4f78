import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance

pytestmark = pytest.mark.django_db


def test_grant_credits_command(user, capsys):
    call_command("grant_credits", user.email.upper(), "250")
    assert credits_balance(user_id=user.pk) == 250
    assert "balance 250" in capsys.readouterr().out


def test_grant_credits_with_key_is_idempotent(user):
    call_command("grant_credits", user.email, "100", "--key", "invoice-42")
    call_command("grant_credits", user.email, "100", "--key", "invoice-42")
    assert credits_balance(user_id=user.pk) == 100


@pytest.mark.parametrize(("email", "amount"), [("nobody@example.com", "10"), (None, "0"), (None, "-5")])
def test_grant_credits_refuses_bad_input(user, email, amount):
    with pytest.raises(CommandError):
        call_command("grant_credits", email or user.email, amount)
    assert LedgerEntry.objects.count() == 0


@override_settings(DEMO_USER_EMAIL="demo@test.local", DEMO_USER_PASSWORD="demo-pass-123!", DEMO_USER_CREDITS=5000,
                   CREDITS_WELCOME_GRANT=300)
def test_ensure_demo_user_is_idempotent(capsys, client):
    call_command("ensure_demo_user")
    call_command("ensure_demo_user")
    out = capsys.readouterr().out
    assert "demo@test.local" in out and "demo-pass-123!" in out
    assert "credits:  5300" in out
    assert client.login(username="demo@test.local", password="demo-pass-123!")
