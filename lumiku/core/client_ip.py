"""The client's address for per-IP limits: the socket peer, unless that peer is a configured proxy.

`X-Forwarded-For` is whatever the client wrote, plus one address per proxy that appended to it. Only
the entries added by proxies we run are trustworthy, so the header is read from the right and only
while the hop that handed it over is one of ours:

- TRUSTED_PROXIES (comma-separated IPs or CIDR networks): skip trusted hops from the right; the first
  address that is not a trusted proxy is the client.
- NUM_PROXIES (an integer): exactly that many proxies stand in front and nothing else can reach the app;
  the client is the NUM_PROXIES-th address from the right.
- Neither (the default): the header is ignored and the peer address is the client.

uvicorn (Procfile) gets the same TRUSTED_PROXIES list for `--forwarded-allow-ips`; when it has already
replaced the peer with the client, the walk below stops at once at that (untrusted) address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec if item)


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _forwarded_chain(meta) -> list[str]:
    raw = meta.get("HTTP_X_FORWARDED_FOR", "")
    return [part.strip() for part in raw.split(",") if part.strip()]


def client_ip(request) -> str:
    meta = request.META
    peer = meta.get("REMOTE_ADDR", "") or ""
    num_proxies = settings.NUM_PROXIES
    if num_proxies:
        chain = _forwarded_chain(meta)
        return chain[-min(num_proxies, len(chain))] if chain else peer
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _is_trusted(peer, networks):
        return peer
    chain = _forwarded_chain(meta)
    address = peer
    while chain and _is_trusted(address, networks):
        address = chain.pop()
    return address
