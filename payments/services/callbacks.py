"""Results a payment provider reports later: signed provider callbacks (cards, top-ups) and
WhatsApp Pay statuses. Verified, de-duplicated (a unique ProviderEvent per provider event id),
and applied once whatever their order: only a legal step of the payment is applied.

Locks (DESIGN.md): the order row first, then the payment row, then the ledger accounts; a
top-up's row, then the wallet. A payment completed for an order that expired or was cancelled
meanwhile is counted and given straight back; the order stays as it is.
"""
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from orders import queries as order_queries
from orders.models import Order
from shopchat.conflicts import retry_conflicts
from shopchat.models import Business
from shopchat.outbox import english, notify_staff
from shopchat.uow import UnitOfWork, unit_of_work

from .. import ledger
from ..errors import BadCallback, UnknownProviderName, UnknownReference
from ..ledger import Kind
from ..models import Payment, PaymentProviderConfig, ProviderEvent, TopUp
from ..providers import CallbackEvent, InvalidCallback, Provider, UnknownProvider, get_provider, stored_events
from .capturing import capture_payment, fail_payment
from .links import PAID_TWICE, apply_link_payment, link_card_from_event
from .refunds import refund_payment, sales_account
from .wallet import complete_top_up

log = logging.getLogger(__name__)
WHATSAPP = "whatsapp"
LIVE = (Payment.Status.PENDING, Payment.Status.AUTHORIZED)


@dataclass
class CallbackOutcome:
    event: ProviderEvent
    duplicate: bool


@retry_conflicts
def handle_provider_callback(*, provider_name: str, body: bytes, headers: Mapping[str, str],
                             webhook_key: str = "") -> CallbackOutcome:
    """Verify, de-duplicate and apply a provider callback.

    `webhook_key` (the last part of a business's webhook URL) names the business's provider
    settings: the signature is checked with its webhook secret and only its payments are
    looked at. Without it, the platform's own provider settings (the sandbox).
    A bad signature raises BadCallback and writes nothing; an unknown reference raises
    UnknownReference and records nothing, so the provider's retry is applied once our own
    transaction has committed."""
    business_id = None
    try:
        if webhook_key:
            config = (PaymentProviderConfig.objects.select_related("business")
                      .filter(webhook_key=webhook_key, provider=provider_name).first())
            if config is None:
                raise UnknownProviderName()
            provider, business_id = get_provider(provider_name, config=config), config.business_id
        else:
            provider = get_provider(provider_name)
    except UnknownProvider:
        raise UnknownProviderName() from None
    try:
        event = provider.parse_callback(body=body, headers=headers)
    except InvalidCallback as exc:
        raise BadCallback(f"Callback rejected: {exc}.") from None
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = ProviderEvent.objects.create(provider=provider.name, event_id=event.event_id,
                                                      event_type=event.type, reference=event.reference,
                                                      payload=stored_events.stored(event.payload))
        except IntegrityError:
            return CallbackOutcome(ProviderEvent.objects.get(provider=provider.name, event_id=event.event_id), True)
        outcome = _apply_other_event(provider, business_id, event)
        if outcome is not None:
            ProviderEvent.objects.filter(pk=record.pk).update(outcome=outcome)
            record.outcome = outcome
            return CallbackOutcome(record, False)
        payments = Payment.objects.select_related("business").only("pk", "order_id", "business").filter(
            provider=provider.name, **({"business_id": business_id} if business_id else {}))
        found = payments.filter(provider_reference=event.reference).first() if event.reference else None
        if found is None and event.payment_key:  # charged, but the answer was lost before we stored it
            found = payments.filter(idempotency_key=event.payment_key).first()
        if found is not None:
            with unit_of_work(business=found.business) as unit:
                order = order_queries.lock_order(unit, order_id=found.order_id)  # the order before its payment
                payment = (Payment.objects.select_for_update().select_related("order", "customer", "business")
                           .get(pk=found.pk))
                outcome = _apply_payment_event(unit, order, payment, event)
        else:
            tops = TopUp.objects.select_for_update(of=("self",)).select_related("customer", "business").filter(
                provider=provider.name, **({"business_id": business_id} if business_id else {}))
            top = tops.filter(provider_reference=event.reference).first() if event.reference else None
            if top is None and event.payment_key:
                top = tops.filter(idempotency_key=event.payment_key).first()
            if top is None:
                raise UnknownReference()
            outcome = _apply_top_up_event(top, event)
        ProviderEvent.objects.filter(pk=record.pk).update(outcome=outcome)
        record.outcome = outcome
        return CallbackOutcome(record, False)


CHARGE_EVENTS = ("charge.succeeded", "charge.authorized", "charge.failed", "charge.pending")


def _apply_other_event(provider: Provider, business_id: int | None, event: CallbackEvent) -> str | None:
    """Events about something else than a payment or top-up we sent; None: not one of those."""
    if event.type in CHARGE_EVENTS:
        return None
    if business_id is None:
        return "ignored: needs the business's webhook URL"
    business = Business.objects.get(pk=business_id)
    if event.type == "link.paid":
        with unit_of_work(business=business) as unit:
            return apply_link_payment(unit, provider, business, event)
    if event.type == "card.linked":
        return link_card_from_event(provider, business_id, event)
    if event.type.startswith("dispute."):
        from .disputes import apply_dispute_event

        return apply_dispute_event(provider, business, event)
    if event.type in ("refund.failed", "refund.succeeded"):
        from .refund_events import apply_refund_event

        return apply_refund_event(provider, business, event)
    if event.type == "payout.failed":
        from .payouts import fail_payout_by_reference

        return fail_payout_by_reference(business_id=business_id, reference=event.reference,
                                        reason=event.failure_reason)
    return "ignored: unhandled event type"


def _apply_payment_event(unit: UnitOfWork, order: Order, payment: Payment, event: CallbackEvent) -> str:
    if event.reference and not payment.provider_reference and payment.status in LIVE:
        payment.provider_reference = event.reference
        unit.change(Payment, payment.pk, provider_reference=event.reference)
    if event.type == "charge.succeeded":
        if payment.status not in LIVE:
            return f"ignored: payment already {payment.status}"
        if order.status == Order.Status.PENDING_PAYMENT:
            capture_payment(unit, payment)
            return "captured"
        capture_and_give_back(unit, payment, order.status)
        return "captured_and_refunded"
    if event.type == "charge.authorized":
        if payment.status != Payment.Status.PENDING:
            return f"ignored: payment already {payment.status}"
        Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.AUTHORIZED, updated_at=timezone.now())
        return "authorized"
    if event.type == "charge.failed":
        if payment.status not in LIVE:
            return f"ignored: payment already {payment.status}"
        fail_payment(unit, payment, event.failure_code or "card_declined",
                     event.failure_reason or "The payment failed.")
        return "failed"
    return "ignored: unhandled event type"


def capture_and_give_back(unit: UnitOfWork, payment: Payment, order_status: str) -> None:
    """The money was taken for an order no longer waiting for it: count it, give it back."""
    capture_payment(unit, payment, pay_order=False)
    accounts = ledger.lock(business=payment.business,
                           kinds=(sales_account(payment.customer), Kind.PROVIDER_CLEARING))
    refund_payment(unit, payment, payment.amount_minor, accounts, update_order=False,
                   reason=f"Order was {order_status} when the payment completed")


def _apply_top_up_event(top: TopUp, event: CallbackEvent) -> str:
    if top.status != TopUp.Status.PENDING:
        return f"ignored: top-up already {top.status}"
    if event.type == "charge.succeeded":
        complete_top_up(top)
        return "succeeded"
    if event.type == "charge.failed":
        TopUp.objects.filter(pk=top.pk).update(status=TopUp.Status.FAILED, failure_code=event.failure_code[:40],
                                               failure_reason=event.failure_reason[:200], updated_at=timezone.now())
        return "failed"
    return "ignored: unhandled event type"


# --- WhatsApp Pay ----------------------------------------------------------------------------

@retry_conflicts
def handle_whatsapp_payment_status(*, business: Business, reference_id: str, status: str, transaction_id: str,
                                   error: Any = None) -> Payment | None:
    """Settle a WhatsApp Pay result (a `statuses[]` item of `type: payment`, parsed by the
    chat adapter) for the order whose number is the `reference_id` of its order_details.

    `captured`: a captured payment posted like a card capture (provider clearing -> merchant
    payable, then the commission) and the order paid. `failed`: a failed payment and
    `payment.failed`. `pending`: nothing yet. Each transaction and status is applied once
    (unique ProviderEvent; the payment's transaction id is unique too). An unknown reference is
    logged and nothing is written. Returns the payment or None.
    """
    if status not in ("captured", "failed"):
        return None
    event_id = f"{transaction_id or 'order:' + reference_id}:{status}"[:100]
    with transaction.atomic():
        order = (Order.objects.select_for_update().select_related("business", "customer")
                 .filter(business=business, number=reference_id).first())
        if order is None:
            log.warning("payments: WhatsApp Pay %s for unknown order %r of %s (transaction %s) ignored",
                        status, reference_id, business.slug, transaction_id)
            return None
        try:
            with transaction.atomic():
                record = ProviderEvent.objects.create(
                    provider=WHATSAPP, event_id=event_id, event_type=f"payment.{status}", reference=reference_id,
                    payload={"transaction_id": transaction_id, "error": error or None})
        except IntegrityError:  # a repeated status
            return Payment.objects.filter(order=order, provider=WHATSAPP, provider_reference=transaction_id).first()
        with unit_of_work(business=order.business) as unit:
            unit.hold(order)
            payment, outcome = _apply_whatsapp_status(unit, order, status, transaction_id, error)
        ProviderEvent.objects.filter(pk=record.pk).update(outcome=outcome)
        return payment


def _apply_whatsapp_status(unit: UnitOfWork, order: Order, status: str, transaction_id: str,
                           error: Any) -> tuple[Payment | None, str]:
    existing = None
    if transaction_id:
        existing = (Payment.objects.select_for_update().select_related("order", "customer", "business")
                    .filter(provider=WHATSAPP, provider_reference=transaction_id).first())
        if existing is not None and existing.order_id != order.pk:
            log.error("payments: WhatsApp transaction %s is already on order %s, not %s",
                      transaction_id, existing.order.number, order.number)
            return None, "ignored: transaction belongs to another order"
    if existing is not None and existing.status == Payment.Status.CAPTURED:
        return existing, "ignored: payment already captured"
    if status == "failed":
        if existing is not None:
            return existing, f"ignored: payment already {existing.status}"
        error = error if isinstance(error, dict) else {}
        payment = Payment(business=order.business, order=order, customer=order.customer, method=Payment.Method.WHATSAPP,
                          provider=WHATSAPP, provider_reference=transaction_id, amount_minor=order.total_minor,
                          currency=order.currency)
        reason = str(error.get("reason") or error.get("message") or "The payment failed.").replace("_", " ")
        return fail_payment(unit, payment, str(error.get("code") or "payment_failed")[:40], reason), "failed"
    other = Payment.objects.filter(order=order, status__in=Payment.ACTIVE).first()
    if other is not None:
        # The customer paid twice (e.g. wallet, then WhatsApp Pay): one live payment per order,
        # so the staff return this one in their gateway.
        notify_staff(business=order.business, subject=PAID_TWICE,  # in each recipient's language
                     body=gettext_noop("Order %(number)s already has payment #%(payment)s (%(method)s); WhatsApp Pay "
                                       "transaction %(transaction)s of %(amount)s also succeeded. Please refund that "
                                       "transaction in your payment gateway."),
                     params={"number": order.number, "payment": other.pk,
                             "method": {"text": english(Payment.Method(other.method).label)},
                             "transaction": transaction_id,
                             "amount": {"money": [order.total_minor, order.currency]}})
        return None, f"ignored: order already has payment {other.pk}"
    if existing is None:
        payment = Payment.objects.create(
            business=order.business, order=order, customer=order.customer, method=Payment.Method.WHATSAPP,
            provider=WHATSAPP, provider_reference=transaction_id, amount_minor=order.total_minor,
            currency=order.currency)
    else:  # a failure reported for this transaction, then its success
        payment = existing
        unit.change(Payment, payment.pk, failure_code="", failure_reason="")
        payment.failure_code = payment.failure_reason = ""
    if order.status == Order.Status.PENDING_PAYMENT:
        capture_payment(unit, payment)
        return payment, "captured"
    capture_and_give_back(unit, payment, order.status)
    return payment, "captured_and_refunded"
