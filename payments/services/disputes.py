"""Disputes (chargebacks) from the providers' webhooks (Stripe `charge.dispute.*`, Razorpay
`payment.dispute.*`), applied once whatever their order:

    opened   merchant payable -> disputes held   (the amount no longer paid out)
    won      disputes held    -> merchant payable
    lost     disputes held    -> provider clearing (the money went back to the card holder)

A `won`/`lost` that arrives before its `opened` records the dispute and applies both steps.
Locks: the business's ledger accounts (by id, `ledger.post`), then the dispute row."""
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from shopchat.models import Business
from shopchat.money import format_major
from shopchat.outbox import emit_event, notify_staff

from .. import ledger
from ..ledger import Kind, move
from ..models import Dispute, LedgerTransaction, Payment
from ..providers import CallbackEvent, Provider

Txn = LedgerTransaction.Kind
OUTCOMES = {"dispute.won": Dispute.Status.WON, "dispute.lost": Dispute.Status.LOST}
NO_REASON = gettext_noop("no reason given")


def apply_dispute_event(provider: Provider, business: Business, event: CallbackEvent) -> str:
    """Record or resolve the dispute `event.failure_code` (its id) on the payment `event.reference`."""
    payment = Payment.objects.filter(business=business, provider=provider.name,
                                     provider_reference=event.reference).select_related("order").first()
    if payment is None:
        return "ignored: unknown payment"
    dispute_id = event.failure_code
    with transaction.atomic():
        dispute = _open(provider, business, payment, dispute_id, event)
        if dispute is None:
            return "ignored: dispute already recorded"
        if event.type in OUTCOMES:
            return _resolve(business, dispute, OUTCOMES[event.type])
        return "dispute_opened"


def _open(provider: Provider, business: Business, payment: Payment, dispute_id: str,
          event: CallbackEvent) -> Dispute | None:
    """The dispute row, locked; created (and its amount held) when it is new. None: an `opened`
    repeated under another event id."""
    existing = (Dispute.objects.select_for_update(of=("self",)).select_related("payment__order")
                .filter(provider=provider.name, provider_dispute_id=dispute_id).first())
    if existing is not None:
        return existing if event.type in OUTCOMES else None
    amount = min(event.amount_minor or payment.amount_minor, payment.amount_minor)
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(business=business, payment=payment, provider=provider.name,
                                             provider_dispute_id=dispute_id, amount_minor=amount,
                                             currency=payment.currency, reason=event.failure_reason[:100])
    except IntegrityError:  # a twin webhook recorded it meanwhile
        return None
    ledger.post(business=business, postings=[
        move(Txn.DISPUTE, Kind.MERCHANT_PAYABLE, Kind.DISPUTES_HELD, amount, f"dispute:{dispute.pk}",
             f"Dispute on order {payment.order.number}"),
    ])
    emit_event(business=business, event_type="payment.disputed", data={
        "payment": payment.pk, "order": payment.order.number, "dispute": dispute.pk,
        "amount": format_major(amount, payment.currency), "currency": payment.currency, "reason": dispute.reason})
    notify_staff(business=business,  # in each recipient's language
                 subject=gettext_noop("Dispute on order %(number)s"),
                 body=gettext_noop("The card holder disputes %(amount)s of order %(number)s (%(reason)s). The amount "
                                   "is held from your payouts until the dispute is resolved; answer it in your "
                                   "provider's dashboard."),
                 params={"number": payment.order.number, "amount": {"money": [amount, payment.currency]},
                         "reason": dispute.reason or {"text": NO_REASON}})
    dispute.payment = payment
    return dispute


def _resolve(business: Business, dispute: Dispute, status: str) -> str:
    if dispute.status != Dispute.Status.OPEN:
        return f"ignored: dispute already {dispute.status}"
    target = Kind.MERCHANT_PAYABLE if status == Dispute.Status.WON else Kind.PROVIDER_CLEARING
    ledger.post(business=business, postings=[
        move(Txn.DISPUTE, Kind.DISPUTES_HELD, target, dispute.amount_minor, f"dispute:{dispute.pk}:{status}",
             f"Dispute on order {dispute.payment.order.number} {status}"),
    ])
    Dispute.objects.filter(pk=dispute.pk).update(status=status, resolved_at=timezone.now())
    emit_event(business=business, event_type=f"payment.dispute_{status}", data={
        "payment": dispute.payment_id, "order": dispute.payment.order.number, "dispute": dispute.pk,
        "amount": format_major(dispute.amount_minor, dispute.currency), "currency": dispute.currency})
    return f"dispute_{status}"
