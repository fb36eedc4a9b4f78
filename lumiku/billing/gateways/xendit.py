"""Xendit Invoices, as documented by Xendit (https://github.com/xendit/xendit-php/blob/master/docs/InvoiceApi.md,
https://github.com/xendit/xendit-node/blob/master/docs/Invoice.md, https://docs.xendit.co/apidocs/set-webhook-url.md):

- Create: POST {api}/v2/invoices, Basic auth (secret key + ":"), body {external_id, amount, description,
  payer_email, success_redirect_url, failure_redirect_url, currency} -> {id, invoice_url, status "PENDING"}.
- Callback ("invoice" webhook: paid or expired): POST JSON {id, external_id, status PAID | SETTLED |
  EXPIRED, amount, paid_amount, ...} with the header `x-callback-token` = the account's callback
  verification token (compared in constant time, as the official SDKs do).
- Status: GET {api}/v2/invoices/{invoice id} -> the same invoice object.
Refunds are not part of the invoice protocol: an operator records them (admin action "Record refund").
"""

from __future__ import annotations

from lumiku.billing.gateways.base import (
    Checkout,
    Gateway,
    GatewayError,
    ProviderState,
    checked_redirect,
    parse_amount,
)

_OUTCOMES = {"PENDING": "pending", "PAID": "paid", "SETTLED": "paid", "EXPIRED": "expired"}


class XenditGateway(Gateway):
    provider = "xendit"

    def __init__(self, *, secret_key: str, api_url: str) -> None:
        super().__init__(key=secret_key)
        self.api_url = api_url.rstrip("/")

    def create_checkout(self, *, order, finish_url: str) -> Checkout:
        body = {
            "external_id": str(order.id),
            "amount": order.amount_idr,
            "currency": "IDR",
            "description": order.reader_product_name,  # the buyer's language (checkout)
            "payer_email": order.user.email,
            "success_redirect_url": finish_url,
            "failure_redirect_url": finish_url,
        }
        response = self._request("POST", f"{self.api_url}/v2/invoices", json_body=body)
        data = self._json(response, "xendit invoice")
        if response.status_code not in (200, 201) or not data.get("id") or not data.get("invoice_url"):
            raise GatewayError(f"xendit invoice: HTTP {response.status_code} {data.get('error_code', '')}")
        return Checkout(reference=str(data["id"]),
                        redirect_url=checked_redirect(str(data["invoice_url"]), origin=self.api_url,
                                                      domain="xendit.co"))

    def fetch_state(self, *, order) -> ProviderState:
        if not order.provider_reference:
            return ProviderState(outcome="unknown", raw_status="", amount=None)
        response = self._request("GET", f"{self.api_url}/v2/invoices/{order.provider_reference}")
        data = self._json(response, "xendit invoice status")
        if response.status_code == 404:
            return ProviderState(outcome="unknown", raw_status="", amount=None)
        if response.status_code != 200 or "status" not in data:
            raise GatewayError(f"xendit invoice status: HTTP {response.status_code} {data.get('error_code', '')}")
        if str(data.get("external_id")) != str(order.id):
            raise GatewayError("xendit invoice status: the invoice belongs to another order")
        status = str(data["status"])
        return ProviderState(outcome=_OUTCOMES.get(status, "pending"), raw_status=status,
                             amount=parse_amount(data.get("amount")), reference=str(data.get("id") or ""))
