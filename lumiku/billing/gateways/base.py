from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import httpx
from django.conf import settings


class GatewayError(Exception):
    """The provider could not be reached or answered something we cannot use. Never carries a key."""


class GatewayNotConfigured(GatewayError):
    """This server has no key for the chosen provider (a local `make run`, a half-done setup)."""


@dataclass(frozen=True)
class Checkout:
    reference: str  # Midtrans: the Snap token; Xendit: the invoice id
    redirect_url: str


@dataclass(frozen=True)
class ProviderState:
    """The provider's own answer about one order, mapped onto our statuses.

    `outcome` is one of: paid, pending, expired, failed, refunded, partial_refund (recorded, no automatic
    reversal), unknown (the provider does not know the order).
    """

    outcome: str
    raw_status: str
    amount: Decimal | None
    reference: str = ""


def basic_auth(key: str) -> str:
    # Both providers: HTTP Basic with the key as the user name and an empty password.
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


def parse_amount(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def checked_redirect(url: str, *, origin: str, domain: str) -> str:
    """The payment page from the provider's reply: https on the provider's domain, or the exact origin
    configured (a sandbox or a test fake). Anything else is refused rather than sent to the buyer."""
    parts = urlsplit(url)
    if url.startswith(origin.rstrip("/") + "/"):
        return url
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and (host == domain or host.endswith("." + domain)):
        return url
    raise GatewayError(f"payment page outside {domain} refused")


class Gateway:
    provider = ""

    def __init__(self, *, key: str) -> None:
        if not key:
            raise GatewayNotConfigured(f"{self.provider}: the key is not configured")
        self._auth = basic_auth(key)

    def _request(self, method: str, url: str, *, json_body=None) -> httpx.Response:
        headers = {"Accept": "application/json", "Content-Type": "application/json", "Authorization": self._auth}
        try:
            with httpx.Client(timeout=settings.PAYMENT_HTTP_TIMEOUT, follow_redirects=False) as client:
                return client.request(method, url, headers=headers, json=json_body)
        except httpx.HTTPError as exc:
            # The exception text names the URL only; headers (the key) never reach a message or a log.
            raise GatewayError(f"{self.provider}: {type(exc).__name__} calling {url}") from None

    @staticmethod
    def _json(response: httpx.Response, what: str) -> dict:
        try:
            data = response.json()
        except ValueError:
            raise GatewayError(f"{what}: HTTP {response.status_code}, not JSON") from None
        if not isinstance(data, dict):
            raise GatewayError(f"{what}: HTTP {response.status_code}, not a JSON object")
        return data

    def create_checkout(self, *, order, finish_url: str) -> Checkout:  # pragma: no cover - interface
        raise NotImplementedError

    def fetch_state(self, *, order) -> ProviderState:  # pragma: no cover - interface
        raise NotImplementedError
