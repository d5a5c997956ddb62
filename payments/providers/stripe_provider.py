"""Stripe, through the official `stripe` library (a `StripeClient` per business, pointed at the
business's API base URL when it set one: regional endpoints, test doubles).

    a linked card        SetupIntent through a Checkout Session in `setup` mode (a link sent
                         into the chat); `setup_intent.succeeded` links the card: the token we
                         keep is `<customer id>/<payment method id>`
    pay by link          a Checkout Session in `payment` mode per order (its URL is the chat's
                         payment link); `checkout.session.completed` pays the order
    pay by linked card   an off-session PaymentIntent, confirmed at once; a card that asks for
                         3-D Secure is confirmed again on-session and the customer is sent the
                         authentication link (`next_action.redirect_to_url`)
    refunds, payouts     Refunds of the PaymentIntent; Stripe Connect transfers
    webhooks             `Stripe-Signature` checked by the library (5 minutes' tolerance: an old
                         replay is refused), de-duplicated by event id by the services

Every POST carries an `Idempotency-Key` (the payment's, refund's or settlement's own key)."""
from typing import Any

import stripe

from shopchat.outbound import OutboundRefused

from .base import (
    CallbackEvent,
    CardDetails,
    CardSetup,
    ChargeResult,
    InvalidCallback,
    PaymentLink,
    PayoutResult,
    Provider,
    ProviderError,
    ProviderUnavailable,
    RefundResult,
)
from .transport import check_base_url, stripe_http_client

TOLERANCE_SECONDS = 300
SIGNATURE_HEADER = "Stripe-Signature"


def _plain(value: Any) -> Any:
    """The library's objects as plain dicts (they are not dicts any more)."""
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def _failure(exc: stripe.StripeError) -> tuple[str, str]:
    return (getattr(exc, "code", "") or "card_declined"), (getattr(exc, "user_message", "") or "The card was declined.")


class StripeProvider(Provider):
    name = "stripe"

    def client(self) -> stripe.StripeClient:
        if self.config is None or not self.config.secret_key:
            raise ProviderError("Stripe is not configured for this business.", code="provider_not_configured")
        base = self.config.api_base_url.rstrip("/")
        check_base_url(base)
        return stripe.StripeClient(self.config.secret_key, base_addresses={"api": base} if base else {},
                                   max_network_retries=0, http_client=stripe_http_client())

    def _call(self, fn, *args, **kwargs) -> Any:
        """One library call; transport failures and 5xx become ProviderUnavailable (outcome
        unknown), the provider's refusals ProviderError."""
        try:
            return _plain(fn(*args, **kwargs))
        except stripe.APIConnectionError as exc:
            if isinstance(exc.__cause__, OutboundRefused):  # the guard refused the address dialled
                raise ProviderError(exc.__cause__.message, field="api_base_url", code="outbound_refused") from None
            raise ProviderUnavailable(str(exc)) from None
        except (stripe.APIError, stripe.RateLimitError) as exc:
            raise ProviderUnavailable(str(exc)) from None
        except stripe.CardError:
            raise
        except stripe.StripeError as exc:
            raise ProviderError(getattr(exc, "user_message", "") or "Stripe refused the request.",
                                code=getattr(exc, "code", "") or "provider_error") from None

    # --- cards -------------------------------------------------------------------------------

    def tokenize(self, *, card_number, exp_month, exp_year):
        raise ProviderError("Card numbers are entered on Stripe's page, never here: send the card link.",
                            field="card_number", code="use_card_link")

    def describe_token(self, *, token):
        customer, _, method = str(token).rpartition("/")
        if not method.startswith("pm_"):
            raise ProviderError("Unknown card token.", field="token", code="invalid_token")
        pm = self._call(self.client().v1.payment_methods.retrieve, method)
        customer = customer or (pm.get("customer") or "")
        card = pm.get("card") or {}
        if not customer or not card:
            raise ProviderError("This payment method is not a card saved to a customer.", field="token",
                                code="invalid_token")
        return CardDetails(token=f"{customer}/{method}", brand=str(card.get("brand", "card")),
                           last4=str(card.get("last4", "")), exp_month=int(card.get("exp_month", 0)),
                           exp_year=int(card.get("exp_year", 0)))

    def card_setup(self, *, customer_ref, idempotency_key, return_url):
        client = self.client()
        customer = self._call(client.v1.customers.create, {"metadata": {"shopchat_customer": customer_ref}},
                              {"idempotency_key": f"{idempotency_key}:customer"})
        session = self._call(client.v1.checkout.sessions.create, {
            "mode": "setup", "customer": customer["id"], "currency": self._currency_hint(),
            "success_url": return_url, "setup_intent_data": {"metadata": {"shopchat_customer": customer_ref}},
        }, {"idempotency_key": idempotency_key})
        return CardSetup(reference=session["id"], url=session["url"])

    def _currency_hint(self) -> str:
        return str(getattr(getattr(self.config, "business", None), "currency", "usd")).lower()

    def charge(self, *, token, amount_minor, currency, description, idempotency_key, metadata=None):
        customer, _, method = str(token).rpartition("/")
        client = self.client()
        params: dict[str, Any] = {
            "amount": amount_minor, "currency": currency.lower(), "customer": customer, "payment_method": method,
            "off_session": True, "confirm": True, "description": description, "metadata": metadata or {},
        }
        try:
            intent = self._call(client.v1.payment_intents.create, params, {"idempotency_key": idempotency_key})
        except stripe.CardError as exc:
            intent = _plain(getattr(exc.error, "payment_intent", None)) or {}
            if exc.code == "authentication_required" and intent.get("id"):
                return self._authenticate(client, intent["id"], method, idempotency_key, metadata or {})
            code, reason = _failure(exc)
            return ChargeResult("failed", intent.get("id", ""), code, reason)
        return self._result(intent)

    def _authenticate(self, client, intent_id: str, method: str, idempotency_key: str,
                      metadata: dict[str, str]) -> ChargeResult:
        """3-D Secure: confirm on-session; the customer gets the authentication link in the chat."""
        return_url = metadata.get("return_url") or "https://stripe.com"
        intent = self._call(client.v1.payment_intents.confirm, intent_id,
                            {"payment_method": method, "return_url": return_url},
                            {"idempotency_key": f"{idempotency_key}:3ds"})
        return self._result(intent)

    @staticmethod
    def _result(intent: Any) -> ChargeResult:
        status = intent.get("status")
        if status == "succeeded":
            return ChargeResult("captured", intent["id"])
        if status == "requires_action":
            url = ((intent.get("next_action") or {}).get("redirect_to_url") or {}).get("url", "")
            return ChargeResult("requires_action", intent["id"], action_url=url)
        if status in ("requires_payment_method", "canceled"):
            error = intent.get("last_payment_error") or {}
            return ChargeResult("failed", intent["id"], str(error.get("code") or "card_declined"),
                                str(error.get("message") or "The card was declined."))
        if status == "requires_capture":
            return ChargeResult("pending", intent["id"])
        return ChargeResult("pending", intent["id"])

    def lookup_charge(self, *, reference, idempotency_key, token=""):
        client = self.client()
        if reference:
            return self._result(self._call(client.v1.payment_intents.retrieve, reference))
        found = self._call(client.v1.payment_intents.search,
                           {"query": f"metadata['payment_key']:'{idempotency_key}'"})
        data = list(found.get("data") or [])
        return self._result(data[0]) if data else None

    # --- pay by link ------------------------------------------------------------------------

    def payment_link(self, *, amount_minor, currency, description, idempotency_key, metadata, return_url):
        session = self._call(self.client().v1.checkout.sessions.create, {
            "mode": "payment", "success_url": return_url, "client_reference_id": metadata.get("order", ""),
            "line_items": [{"quantity": 1, "price_data": {
                "currency": currency.lower(), "unit_amount": amount_minor, "product_data": {"name": description}}}],
            "metadata": metadata, "payment_intent_data": {"metadata": metadata},
        }, {"idempotency_key": idempotency_key})
        return PaymentLink(reference=session["id"], url=session["url"])

    # --- refunds and payouts -----------------------------------------------------------------

    def refund(self, *, reference, amount_minor, currency, idempotency_key=""):
        params: dict[str, Any] = {"payment_intent": reference, "amount": amount_minor}
        if idempotency_key:  # names the refund in its later webhooks (refund.failed)
            params["metadata"] = {"refund_key": idempotency_key}
        refund = self._call(self.client().v1.refunds.create, params,
                            {"idempotency_key": idempotency_key} if idempotency_key else None)
        return RefundResult(refund["id"])

    def payout(self, *, account, amount_minor, currency, description, idempotency_key=""):
        destination = getattr(self.config, "payout_destination", "") or account
        try:
            transfer = self._call(self.client().v1.transfers.create, {
                "amount": amount_minor, "currency": currency.lower(), "destination": destination,
                "description": description}, {"idempotency_key": idempotency_key} if idempotency_key else None)
        except ProviderError as exc:
            return PayoutResult("", status="failed", failure=str(exc))
        return PayoutResult(transfer["id"])

    # --- webhooks ----------------------------------------------------------------------------

    def parse_callback(self, *, body, headers):
        secret = getattr(self.config, "webhook_secret", "")
        header = headers.get(SIGNATURE_HEADER, "")
        if not secret or not header:
            raise InvalidCallback("bad or missing signature")
        try:
            stripe.WebhookSignature.verify_header(body.decode(), header, secret, TOLERANCE_SECONDS)
        except (stripe.SignatureVerificationError, UnicodeDecodeError):
            raise InvalidCallback("bad or missing signature") from None
        try:
            import json

            data = json.loads(body)
            obj = data["data"]["object"]
            return self._event(str(data["id"]), str(data["type"]), obj, data)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise InvalidCallback("malformed callback body") from None

    @staticmethod
    def _event(event_id: str, kind: str, obj: dict, data: dict) -> CallbackEvent:
        metadata = obj.get("metadata") or {}
        key = str(metadata.get("payment_key", ""))
        if kind == "payment_intent.succeeded" and not key and metadata.get("order"):  # a Checkout link's
            return CallbackEvent(event_id, "link.paid", obj["id"], payload=data, amount_minor=int(obj["amount"]))
        if kind == "payment_intent.succeeded":
            return CallbackEvent(event_id, "charge.succeeded", obj["id"], payload=data, payment_key=key)
        if kind == "payment_intent.amount_capturable_updated":
            return CallbackEvent(event_id, "charge.authorized", obj["id"], payload=data, payment_key=key)
        if kind == "payment_intent.payment_failed":
            error = obj.get("last_payment_error") or {}
            return CallbackEvent(event_id, "charge.failed", obj["id"], str(error.get("code") or "card_declined"),
                                 str(error.get("message") or "The payment failed."), payload=data, payment_key=key)
        if kind == "checkout.session.completed" and obj.get("mode") == "payment" and \
                obj.get("payment_status") == "paid":
            return CallbackEvent(event_id, "link.paid", str(obj.get("payment_intent") or obj["id"]), payload=data,
                                 amount_minor=int(obj.get("amount_total") or 0))
        if kind == "setup_intent.succeeded":
            return CallbackEvent(event_id, "card.linked", obj["id"], payload=data,
                                 payment_key=f"{obj.get('customer', '')}/{obj.get('payment_method', '')}")
        if kind.startswith("charge.dispute."):
            status = str(obj.get("status", ""))
            outcome = {"won": "dispute.won", "lost": "dispute.lost"}.get(status, "dispute.opened")
            if kind == "charge.dispute.created":
                outcome = "dispute.opened"
            return CallbackEvent(event_id, outcome, str(obj.get("payment_intent") or obj.get("charge", "")),
                                 payload=data, amount_minor=int(obj.get("amount") or 0),
                                 failure_reason=str(obj.get("reason", "")), failure_code=str(obj["id"]))
        if kind in ("refund.failed", "refund.updated", "charge.refund.updated", "refund.created"):
            status = "refund.failed" if kind == "refund.failed" else {
                "failed": "refund.failed", "succeeded": "refund.succeeded"}.get(str(obj.get("status", "")), "")
            if status:
                return CallbackEvent(event_id, status, str(obj.get("id", "")), payload=data,
                                     payment_key=str(metadata.get("refund_key", "")),
                                     amount_minor=int(obj.get("amount") or 0),
                                     failure_reason=str(obj.get("failure_reason") or ""))
        if kind == "transfer.reversed":
            return CallbackEvent(event_id, "payout.failed", obj["id"], payload=data,
                                 amount_minor=int(obj.get("amount") or 0))
        return CallbackEvent(event_id, f"stripe.{kind}", str(obj.get("id", "")), payload=data)
