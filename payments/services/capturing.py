"""Capturing a payment: the money in, the commission out, the order paid, one unit of work.

Shared by every way a payment completes (wallet and card payments, provider callbacks,
WhatsApp Pay statuses)."""
from typing import Any

from django.utils import timezone

from orders import services as order_services
from shopchat import sql
from shopchat.models import Business
from shopchat.money import format_major, percent_of
from shopchat.outbox import Event, customer_ref
from shopchat.uow import UnitOfWork

from .. import ledger
from ..ledger import Kind, move
from ..models import LedgerAccount, LedgerTransaction, Payment

Txn = LedgerTransaction.Kind


def commission_for(business: Business, amount_minor: int) -> int:
    """The platform's cut of one payment: percent + fixed, never more than the payment."""
    return min(amount_minor, percent_of(amount_minor, business.commission_percent) + business.commission_fixed_minor)


def payment_event(payment: Payment, event_type: str, **extra: Any) -> Event:
    return Event(event_type, {
        "payment": payment.pk, "order": payment.order.number,
        "amount": format_major(payment.amount_minor, payment.currency),
        "currency": payment.currency, "method": payment.method, "status": payment.status,
        "customer": customer_ref(payment.customer), **extra,
    })


def fail_payment(unit: UnitOfWork, payment: Payment, code: str, reason: str) -> Payment:
    """Record a failed payment with its reason, and `payment.failed`."""
    payment.status, payment.failure_code, payment.failure_reason = Payment.Status.FAILED, code, reason[:200]
    payment.save(force_insert=payment._state.adding)
    unit.emit(payment_event(payment, "payment.failed", reason=reason, code=code))
    return payment


def capture_payment(unit: UnitOfWork, payment: Payment, *, source: LedgerAccount | None = None,
                    pay_order: bool = True) -> None:
    """Money in: `source` (the customer's locked wallet account; None: provider clearing) ->
    merchant payable, then the commission to the platform; with `pay_order`, the order is paid
    (`orders.services.mark_paid`, joining this unit of work: the order must be locked by it).

    A payment not saved yet is created captured: numbered already (the wallet payment's first
    query draws its id), it is written with the order's update and the events; otherwise by an
    INSERT of its own first, since its id names the ledger transactions. Those writes go out
    as one statement, then the posting locks the business's busy accounts, last, so concurrent
    payments of one merchant wait on them as briefly as possible."""
    business = payment.business
    now = timezone.now()
    test = payment.order.customer.is_test  # the order was locked with its customer
    payment.status, payment.captured_at = Payment.Status.CAPTURED, now
    payment.commission_minor = commission = 0 if test else commission_for(business, payment.amount_minor)
    numbered = payment._state.adding and payment.pk is not None
    if payment.pk is None:
        sql.insert([payment])
    elif not payment._state.adding:
        unit.change(Payment, payment.pk, status=Payment.Status.CAPTURED, captured_at=now, commission_minor=commission,
                    updated_at=now)
    if pay_order:
        order_services.mark_paid(order=payment.order, note=f"payment {payment.pk}")
    if numbered:
        unit.add(payment)
    unit.emit(payment_event(payment, "payment.captured"))
    unit.flush()
    ref, number = f"payment:{payment.pk}", payment.order.number
    if test:  # a merchant's test chat: kept apart, never settled nor paid out, no commission
        ledger.post(business=business, postings=[
            move(Txn.PAYMENT, source or Kind.PROVIDER_CLEARING, Kind.TEST_SALES, payment.amount_minor, ref,
                 f"Test order {number}")])
        return
    ledger.post(business=business, postings=[
        move(Txn.PAYMENT, source or Kind.PROVIDER_CLEARING, Kind.MERCHANT_PAYABLE, payment.amount_minor, ref,
             f"Order {number}"),
        move(Txn.COMMISSION, Kind.MERCHANT_PAYABLE, Kind.PLATFORM_REVENUE, commission, ref,
             f"Commission on order {number}"),
    ])
