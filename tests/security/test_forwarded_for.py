"""Per-IP limits: X-Forwarded-For counts only when a configured proxy handed it over (issue 18 §1)."""

import pytest
from django.test import RequestFactory

from lumiku.core.client_ip import client_ip

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/token"


@pytest.fixture
def limits(settings):
    def set_limits(**rates):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}

    return set_limits


def _login(api_client, *, forwarded: str, peer: str = "203.0.113.9"):
    return api_client.post(LOGIN, {"email": "nobody@shop.id", "password": "wrong-password"}, format="json",
                           HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=peer)


def test_rotating_the_header_does_not_reset_the_login_limit(api_client, limits):
    limits(login="3/minute")
    codes = [_login(api_client, forwarded=f"198.51.100.{i}").status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]


def test_rotating_the_header_does_not_reset_the_password_reset_page_limit(client, limits, mailoutbox, user):
    limits(password_reset="2/hour")
    codes = [client.post("/accounts/password-reset/", {"email": user.email}, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
                         REMOTE_ADDR="203.0.113.9").status_code for i in range(4)]
    assert codes == [302, 302, 429, 429]
    assert len(mailoutbox) == 2


def test_a_trusted_proxys_forwarded_address_is_honoured(api_client, limits, settings):
    limits(login="2/minute")
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    first = [_login(api_client, forwarded="198.51.100.1", peer="10.0.0.5").status_code for _ in range(3)]
    # Another client behind the same proxy has its own counter...
    second = _login(api_client, forwarded="198.51.100.2", peer="10.0.0.5").status_code
    # ...and a client cannot escape by prepending addresses: the proxy appended the real one last.
    spoofed = _login(api_client, forwarded="1.2.3.4, 198.51.100.1", peer="10.0.0.5").status_code
    assert first == [401, 401, 429]
    assert second == 401
    assert spoofed == 429


def _request(peer: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **extra)


@pytest.mark.parametrize(("trusted", "num", "peer", "forwarded", "expected"), [
    ([], 0, "203.0.113.9", "1.1.1.1", "203.0.113.9"),                          # default: header ignored
    (["10.0.0.0/8"], 0, "203.0.113.9", "1.1.1.1", "203.0.113.9"),              # peer is not our proxy
    (["10.0.0.0/8"], 0, "10.0.0.5", "1.1.1.1", "1.1.1.1"),
    (["10.0.0.0/8"], 0, "10.0.0.5", "6.6.6.6, 1.1.1.1, 10.0.0.7", "1.1.1.1"),  # two hops of ours
    (["10.0.0.0/8"], 0, "10.0.0.5", None, "10.0.0.5"),
    (["10.0.0.0/8", "::1"], 0, "::1", "2001:db8::5", "2001:db8::5"),
    ([], 1, "10.0.0.5", "6.6.6.6, 1.1.1.1", "1.1.1.1"),
    ([], 2, "10.0.0.5", "6.6.6.6, 1.1.1.1, 10.0.0.7", "1.1.1.1"),
    ([], 1, "10.0.0.5", None, "10.0.0.5"),
])
def test_client_ip(settings, trusted, num, peer, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    settings.NUM_PROXIES = num
    assert client_ip(_request(peer, forwarded)) == expected


def test_the_procfile_web_server_trusts_only_configured_proxies():
    from tests.paths import REPO

    web = next(line for line in (REPO / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert "--forwarded-allow-ips=\"${TRUSTED_PROXIES:-}\"" in web
    assert "'*'" not in web
