"""Razorpay, through the official `razorpay` library (a `Client` per business with its key id
and secret, pointed at the business's API base URL when it set one).

    pay by link   a Payment Link per order (UPI, cards, netbanking on Razorpay's page), its
                  `reference_id` our unique key (Razorpay refuses a second link with it, so a
                  repeated request finds the first); `payment_link.paid` pays the order
    refunds       `POST /payments/{id}/refund` with `X-Refund-Idempotency`
    payouts       RazorpayX `POST /payouts` to the merchant's fund account, `X-Payout-Idempotency`
    webhooks      `X-Razorpay-Signature` (HMAC-SHA256 of the raw body with the webhook secret),
                  de-duplicated by `X-Razorpay-Event-Id`

Razorpay charges a saved card only through its own recurring flow, so linked cards are not
charged here (the payment link is the way)."""
import hashlib
import json
from typing import Any

import httpx
import razorpay  # type: ignore[import-untyped]  # the official client ships no types
import requests

from shopchat.outbound import OutboundRefused

from .base import (
    CallbackEvent,
    ChargeResult,
    InvalidCallback,
    PaymentLink,
    PayoutResult,
    Provider,
    ProviderError,
    ProviderUnavailable,
    RefundResult,
)
from .transport import GuardedSession, check_base_url

SIGNATURE_HEADER = "X-Razorpay-Signature"
EVENT_ID_HEADER = "X-Razorpay-Event-Id"
TIMEOUT = 15


class RazorpayProvider(Provider):
    name = "razorpay"

    def client(self) -> razorpay.Client:
        if self.config is None or not (self.config.key_id and self.config.secret_key):
            raise ProviderError("Razorpay is not configured for this business.", code="provider_not_configured")
        options: dict[str, Any] = {}
        if self.config.api_base_url:
            options["base_url"] = self.config.api_base_url.rstrip("/")
            check_base_url(options["base_url"])
        return razorpay.Client(session=GuardedSession(), auth=(self.config.key_id, self.config.secret_key), **options)

    @staticmethod
    def _call(fn, *args, **kwargs) -> Any:
        try:
            return fn(*args, timeout=TIMEOUT, **kwargs)
        except OutboundRefused as exc:  # the address dialled is not public (checked at connect time)
            raise ProviderError(exc.message, field="api_base_url", code="outbound_refused") from None
        except (razorpay.errors.ServerError, requests.RequestException, httpx.HTTPError) as exc:
            raise ProviderUnavailable(type(exc).__name__) from None
        except (razorpay.errors.BadRequestError, razorpay.errors.GatewayError) as exc:
            raise ProviderError(str(exc) or "Razorpay refused the request.") from None

    def tokenize(self, *, card_number, exp_month, exp_year):
        raise ProviderError("Card numbers are entered on Razorpay's page, never here: send the payment link.",
                            field="card_number", code="use_payment_link")

    def describe_token(self, *, token):
        raise ProviderError("Razorpay cards are not linked to the wallet; pay by link.", field="token",
                            code="use_payment_link")

    def charge(self, *, token, amount_minor, currency, description, idempotency_key, metadata=None):
        return ChargeResult("failed", "", "use_payment_link", "Pay through the Razorpay payment link.")

    def lookup_charge(self, *, reference, idempotency_key, token=""):
        if not reference:
            return None
        payment = self._call(self.client().payment.fetch, reference)
        status = payment.get("status")
        if status == "captured":
            return ChargeResult("captured", reference)
        if status == "failed":
            return ChargeResult("failed", reference, str(payment.get("error_code") or "payment_failed"),
                                str(payment.get("error_description") or "The payment failed."))
        return ChargeResult("pending", reference)

    def payment_link(self, *, amount_minor, currency, description, idempotency_key, metadata, return_url):
        client = self.client()
        reference_id = idempotency_key[:40]
        try:
            link = self._call(client.payment_link.create, {
                "amount": amount_minor, "currency": currency, "accept_partial": False, "description": description,
                "reference_id": reference_id, "notes": metadata, "callback_url": return_url,
                "callback_method": "get", "reminder_enable": False,
            })
        except ProviderError:  # the same reference: the link made before
            found = self._call(client.payment_link.all, {"reference_id": reference_id})
            links = found.get("payment_links") or []
            if not links:
                raise
            link = links[0]
        return PaymentLink(reference=link["id"], url=link["short_url"])

    def refund(self, *, reference, amount_minor, currency, idempotency_key=""):
        headers = {"X-Refund-Idempotency": idempotency_key} if idempotency_key else {}
        refund = self._call(self.client().payment.refund, reference,
                            {"amount": amount_minor, "receipt": idempotency_key[:40]}, headers=headers)
        return RefundResult(refund["id"])

    def payout(self, *, account, amount_minor, currency, description, idempotency_key=""):
        """RazorpayX: money from the platform's current account to the merchant's fund account."""
        destination = getattr(self.config, "payout_destination", "") or account
        try:
            payout = self._call(self.client().post, "/v1/payouts", {
                "account_number": getattr(self.config, "key_id", ""), "fund_account_id": destination,
                "amount": amount_minor, "currency": currency, "mode": "IMPS", "purpose": "payout",
                "queue_if_low_balance": True, "reference_id": idempotency_key[:40], "narration": description[:30],
            }, headers={"X-Payout-Idempotency": idempotency_key})
        except ProviderError as exc:
            return PayoutResult("", status="failed", failure=str(exc))
        status = payout.get("status", "")
        if status in ("rejected", "failed", "reversed", "cancelled"):
            return PayoutResult(payout.get("id", ""), status="failed",
                                failure=str((payout.get("status_details") or {}).get("description") or status))
        return PayoutResult(payout["id"], status="paid" if status == "processed" else "pending")

    def parse_callback(self, *, body, headers):
        secret = getattr(self.config, "webhook_secret", "")
        signature = headers.get(SIGNATURE_HEADER, "")
        if not secret or not signature:
            raise InvalidCallback("bad or missing signature")
        try:
            razorpay.Utility().verify_webhook_signature(body.decode(), signature, secret)
        except (razorpay.errors.SignatureVerificationError, UnicodeDecodeError):
            raise InvalidCallback("bad or missing signature") from None
        try:
            data = json.loads(body)
            event_id = headers.get(EVENT_ID_HEADER, "") or hashlib.sha256(body).hexdigest()[:40]
            return self._event(event_id, str(data["event"]), data.get("payload") or {}, data)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise InvalidCallback("malformed callback body") from None

    @staticmethod
    def _event(event_id: str, kind: str, payload: dict, data: dict) -> CallbackEvent:
        def entity(name: str) -> dict:
            return (payload.get(name) or {}).get("entity") or {}

        payment = entity("payment")
        if kind == "payment_link.paid":
            link = entity("payment_link")
            # the link's notes are the metadata apply_link_payment reads
            shaped = {**data, "data": {"object": {"metadata": link.get("notes") or {}}}}
            return CallbackEvent(event_id, "link.paid", str(payment["id"]), payload=shaped,
                                 amount_minor=int(payment.get("amount") or link.get("amount_paid") or 0))
        if kind == "payment.failed":
            return CallbackEvent(event_id, "charge.failed", str(payment.get("id", "")),
                                 str(payment.get("error_code") or "payment_failed"),
                                 str(payment.get("error_description") or "The payment failed."), payload=data)
        if kind.startswith("payment.dispute."):
            dispute = entity("dispute")
            outcome = {"payment.dispute.won": "dispute.won", "payment.dispute.lost": "dispute.lost"}.get(
                kind, "dispute.opened")
            return CallbackEvent(event_id, outcome, str(dispute.get("payment_id") or payment.get("id", "")),
                                 failure_code=str(dispute.get("id", "")),
                                 failure_reason=str(dispute.get("reason_code", "")), payload=data,
                                 amount_minor=int(dispute.get("amount") or 0))
        if kind in ("refund.failed", "refund.processed"):
            refund = entity("refund")
            return CallbackEvent(event_id, "refund.failed" if kind == "refund.failed" else "refund.succeeded",
                                 str(refund.get("id", "")), payload=data, payment_key=str(refund.get("receipt") or ""),
                                 amount_minor=int(refund.get("amount") or 0),
                                 failure_reason=str(refund.get("status_details", {}).get("description", "")
                                                    if isinstance(refund.get("status_details"), dict) else ""))
        if kind in ("payout.failed", "payout.reversed", "payout.rejected"):
            payout = entity("payout")
            return CallbackEvent(event_id, "payout.failed", str(payout.get("id", "")), payload=data,
                                 amount_minor=int(payout.get("amount") or 0),
                                 failure_reason=str((payout.get("status_details") or {}).get("description", "")))
        return CallbackEvent(event_id, f"razorpay.{kind}", str(payment.get("id", "")), payload=data)
