"""Payment provider clients. Each speaks its provider's HTTP protocol; keys come only from settings."""

from __future__ import annotations

from django.conf import settings

from lumiku.billing.gateways.base import Gateway, GatewayError, GatewayNotConfigured, ProviderState


def gateway_for(provider: str) -> Gateway:
    from lumiku.billing.gateways.midtrans import MidtransGateway
    from lumiku.billing.gateways.xendit import XenditGateway

    if provider == "midtrans":
        return MidtransGateway(server_key=settings.MIDTRANS_SERVER_KEY, snap_url=settings.MIDTRANS_SNAP_URL,
                               api_url=settings.MIDTRANS_API_URL)
    if provider == "xendit":
        return XenditGateway(secret_key=settings.XENDIT_SECRET_KEY, api_url=settings.XENDIT_API_URL)
    raise GatewayNotConfigured(f"unknown payment provider {provider!r}")


__all__ = ["Gateway", "GatewayError", "GatewayNotConfigured", "ProviderState", "gateway_for"]
