"""A fake of Razorpay's REST API answering with the documented response bodies
(https://razorpay.com/docs/api/): Payment Links (create, list by reference_id), payments (fetch,
refund), RazorpayX payouts (fund account `fa_closed` is rejected)."""
import hashlib
import hmac
import itertools
import json
import time

from .server import FakeServer

_ids = itertools.count(1)
KEY_ID, KEY_SECRET = "rzp_test_fake", "rzp_secret_fake"


def _id(prefix):
    return f"{prefix}_Fake{next(_ids):08d}"


def _error(status, code, description, field=None):
    return status, {"error": {"code": code, "description": description, "source": "business", "step": "NA",
                              "reason": "input_validation_failed", "metadata": {}, "field": field}}


class FakeRazorpay:
    def __init__(self):
        self.links: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.idempotent: dict[str, tuple[int, dict]] = {}
        self.server = FakeServer(self.answer)

    def __enter__(self):
        self.server.__enter__()
        self.url = self.server.url
        return self

    def __exit__(self, *exc):
        self.server.__exit__(*exc)

    def answer(self, method, path, query, body, headers):
        import base64

        expected = "Basic " + base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()
        if headers.get("authorization") != expected:
            return _error(401, "BAD_REQUEST_ERROR", "The api key provided is invalid")
        key = headers.get("x-refund-idempotency") or headers.get("x-payout-idempotency")
        if key and key in self.idempotent:
            return self.idempotent[key]
        status, data = self.route(method, path, query, body)
        if key:
            self.idempotent[key] = (status, data)
        return status, data

    def route(self, method, path, query, body):
        parts = path.strip("/").split("/")[1:]
        if parts == ["payment_links"] and method == "POST":
            if any(link["reference_id"] == body.get("reference_id") for link in self.links.values()):
                return _error(400, "BAD_REQUEST_ERROR", "payment link with given reference_id already exists")
            link_id = _id("plink")
            link = {"id": link_id, "entity": "payment_link", "amount": body["amount"], "amount_paid": 0,
                    "currency": body["currency"], "accept_partial": False, "description": body.get("description"),
                    "reference_id": body.get("reference_id"), "notes": body.get("notes") or {},
                    "short_url": f"https://rzp.io/i/{link_id[-8:]}", "status": "created",
                    "callback_url": body.get("callback_url"), "created_at": int(time.time())}
            self.links[link_id] = link
            return 200, link
        if parts == ["payment_links"] and method == "GET":
            found = [link for link in self.links.values() if link["reference_id"] == query.get("reference_id")]
            return 200, {"payment_links": found}
        if parts[:1] == ["payments"] and len(parts) == 2 and method == "GET":
            payment = self.payments.get(parts[1])
            return (200, payment) if payment else _error(400, "BAD_REQUEST_ERROR", "The id provided does not exist")
        if parts[:1] == ["payments"] and len(parts) == 3 and parts[2] == "refund" and method == "POST":
            payment = self.payments.get(parts[1])
            if payment is None:
                return _error(400, "BAD_REQUEST_ERROR", "The id provided does not exist")
            return 200, {"id": _id("rfnd"), "entity": "refund", "amount": body["amount"], "currency": "INR",
                         "payment_id": parts[1], "receipt": body.get("receipt"), "status": "processed",
                         "speed_processed": "normal", "created_at": int(time.time())}
        if parts == ["payouts"] and method == "POST":
            failed = body.get("fund_account_id") == "fa_closed"
            return 200, {"id": _id("pout"), "entity": "payout", "fund_account_id": body["fund_account_id"],
                         "amount": body["amount"], "currency": body["currency"], "mode": body["mode"],
                         "purpose": body["purpose"], "reference_id": body.get("reference_id"),
                         "status": "rejected" if failed else "processing",
                         "status_details": {"reason": "beneficiary_bank_rejected",
                                            "description": "The beneficiary account is closed.",
                                            "source": "beneficiary_bank"} if failed else None}
        return _error(400, "BAD_REQUEST_ERROR", "The requested URL was not found on the server.")

    def pay_link(self, link_id: str) -> dict:
        """The customer pays on Razorpay's page: a captured payment, and the webhook body."""
        link = self.links[link_id]
        payment = {"id": _id("pay"), "entity": "payment", "amount": link["amount"], "currency": link["currency"],
                   "status": "captured", "method": "upi", "captured": True, "notes": link["notes"],
                   "vpa": "success@razorpay", "email": "gaurav.kumar@example.com", "contact": "+919000090000",
                   "created_at": int(time.time())}
        self.payments[payment["id"]] = payment
        link.update(status="paid", amount_paid=link["amount"])
        return {"entity": "event", "account_id": "acc_FakeAccount01", "event": "payment_link.paid",
                "contains": ["payment_link", "order", "payment"],
                "payload": {"payment_link": {"entity": link}, "payment": {"entity": payment},
                            "order": {"entity": {"id": _id("order"), "entity": "order", "amount": link["amount"],
                                                 "status": "paid"}}},
                "created_at": int(time.time())}


def signature(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_of(event: dict) -> bytes:
    return json.dumps(event).encode()
