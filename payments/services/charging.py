"""Card charges in three steps, so no row is locked while the provider is called:

    1  record   (short transaction, order + wallet locked)  payment `pending`, its idempotency key
    2  call     (no transaction, nothing locked)             provider.charge(..., idempotency_key)
    3  apply    (short transaction, order then payment)      `captured` / `failed` / still `pending`
                                                             (`requires_action`: the 3-D Secure link)

A crash between 2 and 3 leaves the payment `pending` with the provider's answer lost. Two paths
repair it, whichever comes first, and neither doubles it (step 3 applies only to a pending
payment, under its order's lock): the provider's signed callback (found by the reference, or by
the idempotency key echoed in its metadata when the reference was never stored), and
`repair_pending_payments` (beat), which asks the provider about each payment pending for longer
than PAYMENT_REPAIR_AFTER_SECONDS by the same key: the provider answers with the first charge
(never a second one), or says it never saw it, and the payment fails as `not_sent`.

Locks (DESIGN.md): the order row, then the payment row, then the ledger accounts (capture).
"""
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orders import queries as order_queries
from orders.models import Order
from shopchat.uow import UnitOfWork, unit_of_work

from ..models import Payment, Refund, TopUp
from ..providers import ChargeResult, ProviderError, ProviderUnavailable, provider_for
from .capturing import capture_payment, fail_payment, payment_event

log = logging.getLogger(__name__)


def _after_provider_call(payment: Payment, result: ChargeResult) -> None:
    """Called between the provider's answer and its commit (a seam for tests that crash there)."""


def send_charge(*, payment: Payment) -> Payment:
    """Step 2 and 3 for a recorded pending card payment: charge the card through the business's
    provider with the payment's idempotency key, outside any row lock, then apply the answer.
    A provider that cannot be reached leaves the payment pending (the repair job asks later)."""
    provider = provider_for(payment.business, payment.provider)
    assert payment.funding_source is not None
    try:
        result = provider.charge(
            token=payment.funding_source.token, amount_minor=payment.amount_minor, currency=payment.currency,
            description=f"{payment.business.name} order {payment.order.number}",
            idempotency_key=payment.idempotency_key,
            metadata={"payment_key": payment.idempotency_key, "order": payment.order.number},
        )
    except ProviderError as exc:
        result = ChargeResult("failed", "", exc.code, str(exc))
    except ProviderUnavailable:
        log.warning("payments: %s unreachable charging payment %s; left pending for the repair job",
                    provider.name, payment.pk)
        return payment
    _after_provider_call(payment, result)
    return apply_charge_result(payment_id=payment.pk, result=result)


def apply_charge_result(*, payment_id: int, result: ChargeResult) -> Payment:
    """Step 3: the provider's answer about a pending payment, applied once in a short transaction
    (order row, then payment row, then the ledger). A payment no longer pending (a callback or the
    repair job was first) is left as it is; so is one the answer leaves pending."""
    with transaction.atomic():
        found = Payment.objects.only("pk", "order_id", "business").select_related("business").get(pk=payment_id)
        with unit_of_work(business=found.business) as unit:
            order = order_queries.lock_order(unit, order_id=found.order_id)
            payment = (Payment.objects.select_for_update(of=("self",)).select_related("order", "customer", "business",
                                                                          "funding_source").get(pk=payment_id))
            if payment.status == Payment.Status.PENDING:
                apply_to_pending(unit, order, payment, result)
    return payment


def apply_to_pending(unit: UnitOfWork, order: Order, payment: Payment, result: ChargeResult) -> str:
    """The provider's answer applied to a payment locked pending in `unit`; returns the outcome."""
    from .callbacks import capture_and_give_back

    if result.reference and not payment.provider_reference:
        payment.provider_reference = result.reference
        unit.change(Payment, payment.pk, provider_reference=result.reference)
    if result.status == "failed":
        fail_payment(unit, payment, result.failure_code or "card_declined",
                     result.failure_reason or "The payment failed.")
        return "failed"
    if result.status == "captured":
        if order.status == Order.Status.PENDING_PAYMENT:
            capture_payment(unit, payment)
            return "captured"
        capture_and_give_back(unit, payment, order.status)
        return "captured_and_refunded"
    if result.status == "requires_action" and result.action_url and result.action_url != payment.action_url:
        payment.action_url = result.action_url
        unit.change(Payment, payment.pk, action_url=result.action_url, updated_at=timezone.now())
        unit.emit(payment_event(payment, "payment.action_required", url=result.action_url))
        unit.flush()
        return "action_required"
    unit.flush()
    return "pending"


def repair_pending_payments(*, older_than: timedelta | None = None, limit: int = 500) -> dict[str, int]:
    """Beat: ask the provider about card payments pending for longer than `older_than`, by their
    idempotency key, and apply the answer (the crash-between-call-and-commit repair). A provider
    that never received the charge: the payment fails `not_sent` (the order can be paid again).
    Returns a count per outcome."""
    age = older_than if older_than is not None else timedelta(seconds=settings.PAYMENT_REPAIR_AFTER_SECONDS)
    cutoff = timezone.now() - age
    counts: dict[str, int] = {}
    stale = (Payment.objects.filter(status=Payment.Status.PENDING, method=Payment.Method.CARD, created_at__lt=cutoff)
             .exclude(idempotency_key="").select_related("business", "order", "funding_source").order_by("pk"))
    for payment in stale[:limit]:
        provider = provider_for(payment.business, payment.provider)
        try:
            result = provider.lookup_charge(reference=payment.provider_reference,
                                            idempotency_key=payment.idempotency_key,
                                            token=payment.funding_source.token if payment.funding_source else "")
        except (ProviderUnavailable, ProviderError):
            counts["unreachable"] = counts.get("unreachable", 0) + 1
            continue
        if result is None:
            result = ChargeResult("failed", "", "not_sent", "The payment did not reach the provider.")
        before = payment.status
        repaired = apply_charge_result(payment_id=payment.pk, result=result)
        outcome = repaired.status if repaired.status != before else "still_pending"
        counts[outcome] = counts.get(outcome, 0) + 1
    _repair_top_ups(cutoff, limit, counts)
    _resend_refunds(cutoff, limit, counts)
    return counts


def _resend_refunds(cutoff: datetime, limit: int, counts: dict[str, int]) -> None:
    """Card refunds booked but never answered by the provider (their task lost): sent again with
    the same key, so the provider refunds once."""
    from .refunds import send_refund

    for refund_id in (Refund.objects.filter(status=Refund.Status.PENDING, created_at__lt=cutoff)
                      .order_by("pk").values_list("pk", flat=True)[:limit]):
        try:
            refund = send_refund(refund_id=refund_id)
        except ProviderUnavailable:
            counts["unreachable"] = counts.get("unreachable", 0) + 1
            continue
        counts[f"refund_{refund.status}"] = counts.get(f"refund_{refund.status}", 0) + 1


def _repair_top_ups(cutoff: datetime, limit: int, counts: dict[str, int]) -> None:
    from .wallet import apply_top_up_result

    stale = (TopUp.objects.filter(status=TopUp.Status.PENDING, created_at__lt=cutoff).exclude(idempotency_key="")
             .select_related("business", "funding_source").order_by("pk"))
    for top in stale[:limit]:
        provider = provider_for(top.business, top.provider)
        try:
            result = provider.lookup_charge(reference=top.provider_reference, idempotency_key=top.idempotency_key,
                                            token=top.funding_source.token)
        except (ProviderUnavailable, ProviderError):
            counts["unreachable"] = counts.get("unreachable", 0) + 1
            continue
        if result is None:
            result = ChargeResult("failed", "", "not_sent", "The top-up did not reach the provider.")
        repaired = apply_top_up_result(top_up_id=top.pk, result=result)
        key = f"top_up_{repaired.status}" if repaired.status != TopUp.Status.PENDING else "top_up_still_pending"
        counts[key] = counts.get(key, 0) + 1
