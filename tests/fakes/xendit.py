"""A fake Xendit Invoices API: `POST /v2/invoices` and `GET /v2/invoices/<id>` with Basic auth (secret key +
":"), and the invoice callbacks Xendit would send (JSON, header `x-callback-token`).

Tests move an invoice with `pay()`, `settle()`, `expire()` and get the callback body to deliver.
"""

from __future__ import annotations

import base64
import uuid

from tests.fakes.server import FakeServer, Recorded, Reply


class FakeXendit(FakeServer):
    def __init__(self, *, secret_key: str) -> None:
        super().__init__()
        self.secret_key = secret_key
        self.invoices: dict[str, dict] = {}

    def _authorised(self, rec: Recorded) -> bool:
        return rec.headers.get("authorization") == "Basic " + base64.b64encode(f"{self.secret_key}:".encode()).decode()

    def handle(self, rec: Recorded, handler) -> Reply:
        if not self._authorised(rec):
            return Reply(401, {"error_code": "INVALID_API_KEY", "message": "API key is not authorized"})
        if rec.method == "POST" and rec.path == "/v2/invoices":
            body = rec.json or {}
            if not body.get("external_id") or not isinstance(body.get("amount"), int):
                return Reply(400, {"error_code": "API_VALIDATION_ERROR", "message": "external_id and amount"})
            invoice_id = uuid.uuid4().hex[:24]
            invoice = {"id": invoice_id, "external_id": body["external_id"], "user_id": "fake-business",
                       "status": "PENDING", "merchant_name": "Lumiku", "amount": body["amount"],
                       "payer_email": body.get("payer_email"), "description": body.get("description"),
                       "currency": body.get("currency", "IDR"), "invoice_url": f"{self.url}/web/{invoice_id}"}
            self.invoices[invoice_id] = invoice
            return Reply(200, invoice)
        if rec.method == "GET" and rec.path.startswith("/v2/invoices/"):
            invoice = self.invoices.get(rec.path.rsplit("/", 1)[1])
            if invoice is None:
                return Reply(404, {"error_code": "INVOICE_NOT_FOUND_ERROR", "message": "Invoice not found"})
            return Reply(200, invoice)
        return Reply(404, {"error_code": "NOT_FOUND", "message": "not found"})

    def invoice_for(self, order_id) -> dict:
        return next(i for i in self.invoices.values() if i["external_id"] == str(order_id))

    def _move(self, order_id, status: str) -> dict:
        invoice = self.invoice_for(order_id)
        invoice["status"] = status
        if status in ("PAID", "SETTLED"):
            invoice.update(paid_amount=invoice["amount"], payment_method="QR_CODE", payment_channel="QRIS",
                           paid_at="2026-12-06T02:00:00.000Z")
        return self.callback(order_id)

    def pay(self, order_id) -> dict:
        return self._move(order_id, "PAID")

    def settle(self, order_id) -> dict:
        return self._move(order_id, "SETTLED")

    def expire(self, order_id) -> dict:
        return self._move(order_id, "EXPIRED")

    def callback(self, order_id, **overrides) -> dict:
        """The invoice callback body for the invoice's current state (or as overridden)."""
        invoice = self.invoice_for(order_id)
        body = {k: invoice[k] for k in ("id", "external_id", "user_id", "status", "merchant_name", "amount",
                                        "payer_email", "description", "currency") if k in invoice}
        body.update({k: invoice[k] for k in ("paid_amount", "payment_method", "payment_channel", "paid_at")
                     if k in invoice})
        body.update(created="2026-12-06T01:59:00.000Z", updated="2026-12-06T02:00:00.000Z", is_high=False)
        body.update(overrides)
        return body
