"""Midtrans Snap (checkout) and Core API (status), as documented by Midtrans:

- Create a Snap transaction: POST {snap host}/snap/v1/transactions, Basic auth (server key + ":"),
  body `transaction_details` {order_id, gross_amount (IDR, no decimals)}; 201 -> {token, redirect_url}.
  https://docs.midtrans.com/docs/snap-snap-integration-guide ,
  https://docs.midtrans.com/reference/json-object (order_id: up to 50 of letters, digits, - _ ~ .),
  https://docs.midtrans.com/reference/window-redirection (redirect_url; the finish URL gets order_id,
  status_code and transaction_status as query parameters, which we never trust). The per-transaction
  finish URL is `callbacks.finish` (https://docs.midtrans.com/changelog/june-9th-2023-custom-finish-url-in-snap ;
  the field name as in Midtrans' own Go client, snap.Callbacks; Kredivo ignores it).
  Production host https://app.midtrans.com, sandbox https://app.sandbox.midtrans.com.
- HTTP notification: POST JSON with order_id, status_code, gross_amount ("50000.00"), transaction_status,
  fraud_status, signature_key = SHA-512 hex of order_id + status_code + gross_amount + server key.
  https://docs.midtrans.com/docs/https-notification-webhooks ,
  https://docs.midtrans.com/reference/handle-async-payment
- Status: GET {api host}/v2/{order_id}/status, Basic auth; the body carries its own status_code ("404"
  for an unknown order). https://docs.midtrans.com/docs/get-status-api-requests
  Production host https://api.midtrans.com, sandbox https://api.sandbox.midtrans.com.
"""

from __future__ import annotations

import hashlib
import hmac

from lumiku.billing.gateways.base import (
    Checkout,
    Gateway,
    GatewayError,
    ProviderState,
    checked_redirect,
    parse_amount,
)

# transaction_status -> our outcome. `capture` is a card payment: paid only when the fraud check accepted it.
_OUTCOMES = {
    "settlement": "paid",
    "pending": "pending",
    "authorize": "pending",
    "deny": "failed",
    "cancel": "failed",
    "failure": "failed",
    "expire": "expired",
    "refund": "refunded",
    "chargeback": "refunded",
    "partial_refund": "partial_refund",
    "partial_chargeback": "partial_refund",
}


def midtrans_signature(*, order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{server_key}".encode()).hexdigest()


def midtrans_outcome(*, transaction_status: str, fraud_status: str) -> str:
    if transaction_status == "capture":
        return {"accept": "paid", "": "paid", "challenge": "pending"}.get(fraud_status, "failed")
    return _OUTCOMES.get(transaction_status, "pending")


class MidtransGateway(Gateway):
    provider = "midtrans"

    def __init__(self, *, server_key: str, snap_url: str, api_url: str) -> None:
        super().__init__(key=server_key)
        self._server_key = server_key
        self.snap_url = snap_url.rstrip("/")
        self.api_url = api_url.rstrip("/")

    def signature_valid(self, body: dict) -> bool:
        fields = [body.get(k) for k in ("order_id", "status_code", "gross_amount", "signature_key")]
        if not all(isinstance(v, str) and v for v in fields):
            return False
        expected = midtrans_signature(order_id=fields[0], status_code=fields[1], gross_amount=fields[2],
                                      server_key=self._server_key)
        return hmac.compare_digest(expected, fields[3].lower())

    def create_checkout(self, *, order, finish_url: str) -> Checkout:
        body = {
            "transaction_details": {"order_id": str(order.id), "gross_amount": order.amount_idr},
            "item_details": [{"id": str(order.product_id), "price": order.amount_idr, "quantity": 1,
                              "name": order.reader_product_name[:50]}],  # the buyer's language (checkout)
            "customer_details": {"email": order.user.email},
            "callbacks": {"finish": finish_url},
        }
        response = self._request("POST", f"{self.snap_url}/snap/v1/transactions", json_body=body)
        data = self._json(response, "midtrans snap")
        if response.status_code != 201 or not data.get("token") or not data.get("redirect_url"):
            raise GatewayError(f"midtrans snap: HTTP {response.status_code} {data.get('error_messages', '')}")
        return Checkout(reference=str(data["token"]),
                        redirect_url=checked_redirect(str(data["redirect_url"]), origin=self.snap_url,
                                                      domain="midtrans.com"))

    def fetch_state(self, *, order) -> ProviderState:
        response = self._request("GET", f"{self.api_url}/v2/{order.id}/status")
        data = self._json(response, "midtrans status")
        if str(data.get("status_code")) == "404" or response.status_code == 404:
            return ProviderState(outcome="unknown", raw_status="", amount=None)
        if response.status_code != 200 or "transaction_status" not in data:
            raise GatewayError(f"midtrans status: HTTP {response.status_code} status_code {data.get('status_code')}")
        if str(data.get("order_id")) != str(order.id):
            raise GatewayError("midtrans status: the answer is about another order")
        status = str(data["transaction_status"])
        return ProviderState(
            outcome=midtrans_outcome(transaction_status=status, fraud_status=str(data.get("fraud_status") or "")),
            raw_status=status, amount=parse_amount(data.get("gross_amount")),
            reference=str(data.get("transaction_id") or ""),
        )
