"""A fake of Stripe's REST API answering with the documented response bodies
(https://docs.stripe.com/api): customers, Checkout Sessions (payment and setup), payment methods,
PaymentIntents (off-session confirm, 3-D Secure on-session confirm, retrieve, search), refunds,
transfers. Honours `Idempotency-Key` like Stripe: the same key answers the first response.

Payment methods follow Stripe's test ones: `pm_card_visa` succeeds, `pm_card_chargeDeclined` is
declined, `pm_card_authenticationRequired` needs 3-D Secure; connected account `acct_closed`
refuses transfers."""
import hashlib
import itertools
import json
import time

from .server import FakeServer

_ids = itertools.count(1)


def _id(prefix):
    return f"{prefix}_test{next(_ids):06d}"


def _error(status, type_, code, message, **extra):
    return status, {"error": {"type": type_, "code": code, "message": message, **extra}}


def _metadata(body, prefix="metadata"):
    return {k[len(prefix) + 1:-1]: v for k, v in body.items() if k.startswith(f"{prefix}[")}


CARDS = {
    "pm_card_visa": ("visa", "4242"),
    "pm_card_chargeDeclined": ("visa", "0002"),
    "pm_card_authenticationRequired": ("visa", "3184"),
}


class FakeStripe:
    def __init__(self):
        self.intents: dict[str, dict] = {}
        self.idempotent: dict[str, tuple[int, dict]] = {}
        self.server = FakeServer(self.answer)

    def __enter__(self):
        self.server.__enter__()
        self.url = self.server.url
        return self

    def __exit__(self, *exc):
        self.server.__exit__(*exc)

    @property
    def requests(self):
        return self.server.requests

    def answer(self, method, path, query, body, headers):
        if headers.get("authorization") != "Bearer sk_test_fake":
            return _error(401, "invalid_request_error", "", "Invalid API Key provided.")
        key = headers.get("idempotency-key")
        if method == "POST" and key and key in self.idempotent:
            return self.idempotent[key]
        status, data = self.route(method, path, query, body)
        if method == "POST" and key:
            self.idempotent[key] = (status, data)
        return status, data

    def route(self, method, path, query, body):
        parts = path.strip("/").split("/")[1:]  # after v1
        if parts == ["customers"] and method == "POST":
            return 200, {"id": _id("cus"), "object": "customer", "metadata": _metadata(body)}
        if parts == ["checkout", "sessions"] and method == "POST":
            session_id = _id("cs")
            data = {"id": session_id, "object": "checkout.session", "mode": body.get("mode"), "status": "open",
                    "payment_status": "unpaid", "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                    "client_reference_id": body.get("client_reference_id"), "customer": body.get("customer"),
                    "amount_total": int(body.get("line_items[0][price_data][unit_amount]", 0) or 0) or None,
                    "currency": body.get("currency") or body.get("line_items[0][price_data][currency]"),
                    "metadata": _metadata(body), "payment_intent": None, "setup_intent": None,
                    "expires_at": int(body.get("expires_at", time.time() + 86400))}
            return 200, data
        if parts[:1] == ["payment_methods"] and len(parts) == 2 and method == "GET":
            brand, last4 = CARDS.get(parts[1], ("visa", "4242"))
            return 200, {"id": parts[1], "object": "payment_method", "type": "card", "customer": "cus_test_card",
                         "card": {"brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2034}}
        if parts == ["payment_intents", "search"] and method == "GET":
            wanted = query.get("query", "")
            found = [pi for pi in self.intents.values()
                     if f"metadata['payment_key']:'{pi['metadata'].get('payment_key')}'" == wanted]
            return 200, {"object": "search_result", "data": found, "has_more": False, "next_page": None,
                         "url": "/v1/payment_intents/search"}
        if parts == ["payment_intents"] and method == "POST":
            return self.create_intent(body)
        if parts[:1] == ["payment_intents"] and len(parts) == 2 and method == "GET":
            intent = self.intents.get(parts[1])
            if intent is None:
                return _error(404, "invalid_request_error", "resource_missing", f"No such payment_intent: '{parts[1]}'")
            return 200, intent
        if parts[:1] == ["payment_intents"] and len(parts) == 3 and parts[2] == "confirm" and method == "POST":
            intent = self.intents[parts[1]]
            intent.update(status="requires_action", next_action={"type": "redirect_to_url", "redirect_to_url": {
                "url": f"https://hooks.stripe.com/3d_secure_2/hosted?payment_intent={intent['id']}",
                "return_url": body.get("return_url")}})
            return 200, intent
        if parts == ["refunds"] and method == "POST":
            intent = self.intents.get(body.get("payment_intent", ""))
            if intent is None:
                return _error(400, "invalid_request_error", "resource_missing", "No such payment_intent")
            return 200, {"id": _id("re"), "object": "refund", "amount": int(body["amount"]), "status": "succeeded",
                         "currency": intent["currency"], "payment_intent": intent["id"], "metadata": _metadata(body)}
        if parts == ["transfers"] and method == "POST":
            if body.get("destination") == "acct_closed":
                return _error(400, "invalid_request_error", "account_invalid",
                              "The destination account is closed.")
            return 200, {"id": _id("tr"), "object": "transfer", "amount": int(body["amount"]),
                         "currency": body["currency"], "destination": body["destination"], "reversed": False,
                         "metadata": _metadata(body)}
        return _error(404, "invalid_request_error", "", f"Unrecognized request URL ({method}: {path}).")

    def create_intent(self, body):
        pm = body.get("payment_method", "")
        intent = {"id": _id("pi"), "object": "payment_intent", "amount": int(body["amount"]),
                  "currency": body["currency"], "customer": body.get("customer"), "payment_method": pm,
                  "metadata": _metadata(body), "status": "succeeded", "next_action": None,
                  "latest_charge": _id("ch"), "last_payment_error": None}
        self.intents[intent["id"]] = intent
        if pm == "pm_card_chargeDeclined":
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {"code": "card_declined", "decline_code": "generic_decline",
                                            "message": "Your card was declined."}
            return _error(402, "card_error", "card_declined", "Your card was declined.",
                          decline_code="generic_decline", payment_intent=intent)
        if pm == "pm_card_authenticationRequired" and body.get("off_session") == "true":
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {"code": "authentication_required",
                                            "message": "Your card requires authentication."}
            return _error(402, "card_error", "authentication_required",
                          "This payment required an authentication action to complete, but `error_on_requires_action`"
                          " was set.", payment_intent=intent)
        return 200, intent


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """`Stripe-Signature` as Stripe computes it: t=<unix>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""
    import hmac

    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event(event_type: str, obj: dict, event_id: str | None = None) -> bytes:
    """An Event object as Stripe POSTs it (https://docs.stripe.com/api/events/object)."""
    return json.dumps({"id": event_id or _id("evt"), "object": "event", "api_version": "2025-09-30.clover",
                       "created": int(time.time()), "type": event_type, "livemode": False, "pending_webhooks": 1,
                       "data": {"object": obj}}).encode()
