"""The built-in sandbox PSP: it behaves like a real one in test mode, with the card numbers
processors use there.

    4242424242424242  succeeds
    4000000000000002  declined (card_declined)
    4000000000009995  insufficient funds (insufficient_funds)
    4000000000003220  pending; succeeds later through a signed callback delivered by Celery
    any other number passing the Luhn check succeeds.

A token is `tok_sandbox_<last4>_<random>`: the sandbox keeps no state, so the behaviour of a
card is told by its last four digits. Callbacks are signed like the platform's own webhooks
(`Sandbox-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.body">` with SANDBOX_WEBHOOK_SECRET).
"""
import hashlib
import json
import secrets
import time

from django.conf import settings
from django.db import transaction

from shopchat.outbox import sign, verify_signature

from .base import (
    CallbackEvent,
    CardDetails,
    ChargeResult,
    InvalidCallback,
    PayoutResult,
    Provider,
    ProviderError,
    RefundResult,
)

SIGNATURE_HEADER = "Sandbox-Signature"
DECLINED, INSUFFICIENT, PENDING = "0002", "9995", "3220"
OUTCOMES = {
    DECLINED: ("card_declined", "The card was declined."),
    INSUFFICIENT: ("insufficient_funds", "The card has insufficient funds."),
}


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def brand_of(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] <= "2720":
        return "mastercard"
    if number[:2] in {"34", "37"}:
        return "amex"
    if number.startswith("6"):
        return "rupay" if number[:2] in {"60", "65", "81", "82"} else "discover"
    return "card"


class SandboxProvider(Provider):
    name = "sandbox"

    def tokenize(self, *, card_number, exp_month, exp_year):
        number = "".join(ch for ch in str(card_number) if not ch.isspace() and ch != "-")
        if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_ok(number):
            raise ProviderError("This is not a valid card number.", field="card_number", code="invalid_card")
        return CardDetails(
            token=f"tok_sandbox_{number[-4:]}_{secrets.token_hex(8)}", brand=brand_of(number), last4=number[-4:],
            exp_month=int(exp_month), exp_year=int(exp_year),
        )

    def describe_token(self, *, token):
        parts = str(token).split("_")
        if len(parts) != 4 or parts[:2] != ["tok", "sandbox"] or not parts[2].isdigit() or len(parts[2]) != 4:
            raise ProviderError("Unknown card token.", field="token", code="invalid_token")
        return CardDetails(token=token, brand="visa", last4=parts[2], exp_month=12, exp_year=2099)

    def charge(self, *, token, amount_minor, currency, description, idempotency_key="", metadata=None):
        result = self._outcome(token, idempotency_key)
        if result.status == "pending":
            key = idempotency_key
            transaction.on_commit(lambda: schedule_callback(result.reference, "charge.succeeded", key))
        return result

    def lookup_charge(self, *, reference, idempotency_key, token=""):
        """Stateless: the same key and card answer as the charge did (a pending card has
        succeeded by the time anybody asks again)."""
        result = self._outcome(token, idempotency_key)
        return ChargeResult("captured", result.reference) if result.status == "pending" else result

    def _outcome(self, token: str, idempotency_key: str) -> ChargeResult:
        last4 = self.describe_token(token=token).last4
        # like a PSP's idempotency: the same key is the same charge
        reference = (f"ch_sandbox_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]}" if idempotency_key
                     else f"ch_sandbox_{secrets.token_hex(10)}")
        if last4 in OUTCOMES:
            code, reason = OUTCOMES[last4]
            return ChargeResult("failed", reference, code, reason)
        if last4 == PENDING:
            return ChargeResult("pending", reference)
        return ChargeResult("captured", reference)

    def refund(self, *, reference, amount_minor, currency, idempotency_key=""):
        return RefundResult(f"re_sandbox_{secrets.token_hex(10)}")

    def payout(self, *, account, amount_minor, currency, description, idempotency_key=""):
        return PayoutResult(f"po_sandbox_{secrets.token_hex(10)}")

    def parse_callback(self, *, body, headers):
        header = headers.get(SIGNATURE_HEADER, "")
        secret = self.config.webhook_secret if self.config is not None else settings.SANDBOX_WEBHOOK_SECRET
        if not header or not secret or not verify_signature(secret, body, header):
            raise InvalidCallback("bad or missing signature")
        try:
            data = json.loads(body)
            return CallbackEvent(
                event_id=str(data["id"]), type=str(data["type"]), reference=str(data["data"]["reference"]),
                failure_code=str(data["data"].get("failure_code", "")),
                failure_reason=str(data["data"].get("failure_reason", "")), payload=data,
                payment_key=str(data["data"].get("payment_key", "")),
            )
        except (ValueError, KeyError, TypeError):
            raise InvalidCallback("malformed callback body") from None


def callback_body(reference: str, event_type: str, **data) -> bytes:
    """The JSON the sandbox POSTs; its id is stable per (reference, type) like a PSP's event id."""
    event = {"id": f"evt_{reference}_{event_type.replace('.', '_')}", "type": event_type,
             "created": int(time.time()), "data": {"reference": reference, **data}}
    return json.dumps(event, separators=(",", ":")).encode()


def signed_headers(body: bytes) -> dict:
    return {SIGNATURE_HEADER: sign(settings.SANDBOX_WEBHOOK_SECRET, body, int(time.time())),
            "Content-Type": "application/json"}


def schedule_callback(reference: str, event_type: str, payment_key: str = "") -> None:
    from ..tasks import deliver_sandbox_callback

    deliver_sandbox_callback.apply_async((reference, event_type, payment_key),
                                         countdown=settings.SANDBOX_CALLBACK_DELAY_SECONDS)
