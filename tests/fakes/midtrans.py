"""A fake Midtrans: Snap `POST /snap/v1/transactions` and Core API `GET /v2/<order_id>/status`, both with
Basic auth (server key + ":"), plus the HTTP notifications Midtrans would send (signed like Midtrans:
SHA-512 of order_id + status_code + gross_amount + server key).

Tests move a transaction with `settle()`, `expire()`, `deny()`, `refund()`, ... and get the notification
body to deliver; `notification(..., signature=..., gross_amount=...)` forges a wrong one.
"""

from __future__ import annotations

import base64
import hashlib
import uuid

from tests.fakes.server import FakeServer, Recorded, Reply

# transaction_status -> the status_code Midtrans reports with it
STATUS_CODES = {"capture": "200", "settlement": "200", "pending": "201", "deny": "202", "cancel": "200",
                "expire": "407", "refund": "200", "partial_refund": "200", "chargeback": "200"}


class FakeMidtrans(FakeServer):
    def __init__(self, *, server_key: str) -> None:
        super().__init__()
        self.server_key = server_key
        self.transactions: dict[str, dict] = {}
        self.notify_url = ""  # set by browser journeys: where the payment page sends its notification

    def _authorised(self, rec: Recorded) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.server_key}:".encode()).decode()
        return rec.headers.get("authorization") == expected

    def handle(self, rec: Recorded, handler) -> Reply:
        if rec.path.startswith("/snap/v4/redirection/"):
            return self._payment_page(rec)
        if not self._authorised(rec):
            return Reply(401, {"error_messages": ["Access denied due to unauthorized transaction, please check "
                                                  "client or server key"]})
        if rec.method == "POST" and rec.path == "/snap/v1/transactions":
            details = (rec.json or {}).get("transaction_details") or {}
            order_id, amount = details.get("order_id"), details.get("gross_amount")
            if not order_id or not isinstance(amount, int) or amount < 1:
                return Reply(400, {"error_messages": ["transaction_details.gross_amount is required"]})
            if order_id in self.transactions:
                return Reply(400, {"error_messages": ["transaction_details.order_id has already been taken"]})
            token = str(uuid.uuid4())
            self.transactions[order_id] = {"gross_amount": f"{amount}.00", "transaction_status": "pending",
                                           "fraud_status": "", "transaction_id": str(uuid.uuid4()),
                                           "token": token,
                                           "finish": ((rec.json or {}).get("callbacks") or {}).get("finish")}
            return Reply(201, {"token": token, "redirect_url": f"{self.url}/snap/v4/redirection/{token}"})
        if rec.method == "GET" and rec.path.startswith("/v2/") and rec.path.endswith("/status"):
            order_id = rec.path[len("/v2/"):-len("/status")]
            tx = self.transactions.get(order_id)
            if tx is None:
                return Reply(200, {"status_code": "404", "status_message": "Transaction doesn't exist."})
            status = tx["transaction_status"]
            return Reply(200, {"status_code": STATUS_CODES.get(status, "200"), "order_id": order_id,
                               "transaction_id": tx["transaction_id"], "gross_amount": tx["gross_amount"],
                               "currency": "IDR", "payment_type": "qris", "transaction_status": status,
                               "fraud_status": tx["fraud_status"], "status_message": "Success, transaction is found"})
        return Reply(404, {"status_code": "404", "status_message": "Not found"})

    # --- the hosted payment page (browser journeys): paying settles, notifies, then returns --------
    def _payment_page(self, rec: Recorded) -> Reply:
        token = rec.path.split("/")[4]
        order_id = next((o for o, tx in self.transactions.items() if tx["token"] == token), None)
        if order_id is None:
            return Reply(404, "<h1>Transaction not found</h1>", content_type="text/html")
        tx = self.transactions[order_id]
        if rec.method == "GET":
            return Reply(200, f"""<!doctype html><html><head><title>Fake Midtrans</title></head><body>
<h1>Fake Midtrans Snap</h1><p>Order {order_id}</p><p data-testid="fake-amount">IDR {tx['gross_amount']}</p>
<form method="post" action="/snap/v4/redirection/{token}/pay">
<button data-testid="fake-pay">Pay with QRIS</button></form>
</body></html>""", content_type="text/html")
        body = self.settle(order_id)
        if self.notify_url:  # Midtrans posts the notification to the merchant's URL before the buyer returns
            import httpx

            httpx.post(self.notify_url, json=body, timeout=10)
        query = f"order_id={order_id}&status_code=200&transaction_status=settlement"
        return Reply(302, b"", headers={"Location": f"{tx['finish']}?{query}"})

    # --- scripting: move a transaction as the payer/bank would, and get the notification ----------
    def set_status(self, order_id: str, status: str, *, fraud_status: str = "") -> dict:
        tx = self.transactions[str(order_id)]
        tx["transaction_status"], tx["fraud_status"] = status, fraud_status
        return self.notification(order_id)

    def settle(self, order_id) -> dict:
        return self.set_status(order_id, "settlement")

    def capture(self, order_id, *, fraud_status: str = "accept") -> dict:
        return self.set_status(order_id, "capture", fraud_status=fraud_status)

    def expire(self, order_id) -> dict:
        return self.set_status(order_id, "expire")

    def deny(self, order_id) -> dict:
        return self.set_status(order_id, "deny")

    def refund(self, order_id) -> dict:
        return self.set_status(order_id, "refund")

    def notification(self, order_id, *, transaction_status: str | None = None, gross_amount: str | None = None,
                     signature: str | None = None, key: str | None = None) -> dict:
        """The HTTP notification body for the transaction's current state (or as overridden)."""
        order_id = str(order_id)
        tx = self.transactions.get(order_id, {"gross_amount": "10000.00", "transaction_status": "settlement",
                                              "fraud_status": "", "transaction_id": str(uuid.uuid4())})
        status = transaction_status or tx["transaction_status"]
        status_code = STATUS_CODES.get(status, "200")
        amount = gross_amount or tx["gross_amount"]
        raw = f"{order_id}{status_code}{amount}{key or self.server_key}"
        return {
            "transaction_time": "2026-12-06 09:00:00", "transaction_status": status,
            "transaction_id": tx["transaction_id"], "status_message": "midtrans payment notification",
            "status_code": status_code, "signature_key": signature or hashlib.sha512(raw.encode()).hexdigest(),
            "payment_type": "qris", "order_id": order_id, "merchant_id": "G000000000", "gross_amount": amount,
            "fraud_status": tx["fraud_status"] or "accept", "currency": "IDR",
        }
