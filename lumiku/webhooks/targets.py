"""Where a webhook may be sent, and the one way it is sent.

A receiver's URL is user input pointing our servers at the network, so: https only (http only for the
operator's WEBHOOK_ALLOWED_PRIVATE_HOSTS), no credentials in the URL, and every address the name
resolves to must be public (not loopback, private, link-local, shared, reserved, multicast or a cloud
metadata address). The check runs at registration and again at every send, and the request then
connects to the very address that passed (no second lookup a rebinding DNS server could answer
differently). Redirects are never followed: a 3xx is a failed attempt like any other non-2xx.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from lumiku.core.errors import ValidationFailed

# Cloud metadata services; link-local anyway, and refused even for an allowed private host.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200"))
RESPONSE_PEEK_BYTES = 512


class TargetRefused(Exception):
    """The URL (or what its name resolves to now) is not a place webhooks may go."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path + query, as sent on the request line
    addresses: tuple[str, ...]


def _allowed_private(host: str) -> bool:
    return host.lower() in {h.strip().lower() for h in settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS if h.strip()}


def _public(address: ipaddress._BaseAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast and address not in METADATA_ADDRESSES


def target_resolve(url: str) -> Target:
    """The URL's parts and the addresses it may be sent to now; TargetRefused says why not."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused("the URL cannot be parsed") from exc
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetRefused("the URL has no host")
    if parts.username or parts.password:
        raise TargetRefused("credentials in the URL are not accepted")
    private_ok = _allowed_private(host)
    if parts.scheme != "https" and not (parts.scheme == "http" and private_ok):
        raise TargetRefused("the URL must use https")
    if port == 0:
        raise TargetRefused("the URL's port is not valid")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused("the host name does not resolve") from exc
    addresses: list[str] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address in METADATA_ADDRESSES or not (private_ok or _public(address)):
            raise TargetRefused("the host resolves to a private, loopback, link-local or metadata address")
        if str(address) not in addresses:
            addresses.append(str(address))
    if not addresses:
        raise TargetRefused("the host name does not resolve")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=parts.scheme, host=host, port=port, path=path, addresses=tuple(addresses))


def webhook_url_validate(*, url: str) -> str:
    """Registration's check, as the API's 400 naming the field."""
    if len(url) > 2000:
        raise ValidationFailed(_("url: at most 2000 characters."), code="WEBHOOK_URL_REFUSED", field="url")
    try:
        target_resolve(url)
    except TargetRefused as exc:
        raise ValidationFailed(_("url: webhooks need an https URL whose host resolves to a public address."),
                               code="WEBHOOK_URL_REFUSED", field="url", reason=str(exc)) from exc
    return url


class _PinnedConnectionMixin:
    """Connects to the address that passed the check; the Host header and TLS (SNI, certificate) use the
    name."""

    pinned_address: str

    def _create_connection(self, address, timeout, source_address=None):
        return socket.create_connection((self.pinned_address, address[1]), timeout, source_address)


class _PinnedHTTPConnection(_PinnedConnectionMixin, http.client.HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, http.client.HTTPSConnection):
    pass


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    error: str


def target_post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> SendResult:
    """One POST, checked and pinned as above. Never raises for network trouble: it is the attempt's result."""
    try:
        target = target_resolve(url)
    except TargetRefused as exc:
        return SendResult(status_code=None, error=f"refused: {exc}")
    last_error = ""
    for address in target.addresses:
        if target.scheme == "https":
            conn = _PinnedHTTPSConnection(target.host, target.port, timeout=timeout,
                                          context=ssl.create_default_context())
        else:
            conn = _PinnedHTTPConnection(target.host, target.port, timeout=timeout)
        conn.pinned_address = address
        try:
            conn.request("POST", target.path, body=body, headers=headers)
            response = conn.getresponse()
            response.read(RESPONSE_PEEK_BYTES)
            return SendResult(status_code=response.status, error="")
        except TimeoutError:
            return SendResult(status_code=None, error="timeout")  # the receiver got it, maybe: no 2nd address
        except (OSError, http.client.HTTPException) as exc:
            last_error = f"{type(exc).__name__}: {exc}"[:300]
        finally:
            conn.close()
    return SendResult(status_code=None, error=last_error)
