"""Refunds: money back to the wallet (wallet payments) or to the card through the provider, never
more than was captured, recorded with who made it.

Locks (DESIGN.md): the order row first, then the customer's wallet, then the business's ledger
accounts, then the captured payment row. The order's own record of it
(`orders.services.mark_refunded`) joins this unit of work, with the order already held.
"""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from orders import queries as order_queries
from orders import services as order_services
from orders.models import Order
from shopchat.actors import Actor, staff_user
from shopchat.conflicts import retry_conflicts
from shopchat.errors import InvalidInput
from shopchat.models import Customer
from shopchat.money import display, format_major
from shopchat.outbox import notify_staff
from shopchat.uow import UnitOfWork, unit_of_work

from .. import ledger, refund_channels
from ..errors import NotRefundable
from ..ledger import Kind, move
from ..models import LedgerTransaction, Payment, Refund
from ..providers import ProviderError, provider_for
from .capturing import payment_event

Txn = LedgerTransaction.Kind


@retry_conflicts
def refund_order(*, order: Order, amount_minor: int | None = None, actor: Actor = None, reason: str = "") -> Refund:
    """Refund all that is left of the order's captured payment (amount None) or part of it."""
    with transaction.atomic(), unit_of_work(business=order.business) as unit:
        locked = order_queries.lock_order(unit, order_id=order.pk)
        return refund_locked_order(unit, locked, amount_minor=amount_minor, actor=actor, reason=reason)


def refund_locked_order(unit: UnitOfWork, order: Order, *, amount_minor: int | None, actor: Actor,
                        reason: str) -> Refund:
    """`refund_order` for a change that holds the order's lock in `unit` (a cancellation)."""
    accounts = ledger.lock(business=order.business, kinds=(sales_account(order.customer), Kind.PROVIDER_CLEARING),
                           customers=[order.customer_id])
    payment = (Payment.objects.select_for_update().select_related("order", "customer", "business")
               .filter(order=order, status=Payment.Status.CAPTURED).first())
    if payment is None:
        raise NotRefundable(f"Order {order.number} has no captured payment to refund.", field=None)
    left = payment.amount_minor - payment.refunded_minor
    amount = left if amount_minor is None else int(amount_minor)
    if left <= 0:
        raise NotRefundable(f"Order {order.number} is already refunded in full.", field=None)
    if amount <= 0:
        raise InvalidInput("amount", "The refund must be more than zero.")
    if amount > left:
        raise NotRefundable(f"At most {display(left, payment.currency)} can still be refunded.")
    return refund_payment(unit, payment, amount, accounts, actor=actor, reason=reason)


def sales_account(customer: Customer) -> str:
    """The account a customer's payments were credited to: the merchant's payable, or for the
    merchant's own test chat the test sales account (never settled)."""
    return Kind.TEST_SALES if customer.is_test else Kind.MERCHANT_PAYABLE


def refund_payment(unit: UnitOfWork, payment: Payment, amount: int, accounts: ledger.Accounts, *, actor: Actor = None,
                   reason: str = "", update_order: bool = True) -> Refund:
    """Money back: merchant payable -> the wallet, or -> provider clearing with the card refunded
    through the provider. `accounts` are locked by the caller (wallet, payable, clearing); with
    `update_order`, the order (held by the unit) records it."""
    business = payment.business
    status = Refund.Status.SUCCEEDED
    if payment.method == Payment.Method.CARD:
        status = Refund.Status.PENDING  # sent once this commits, with nothing locked (`send_refund`)
        target = accounts[Kind.PROVIDER_CLEARING]
    elif payment.method == Payment.Method.WHATSAPP and payment.method in refund_channels.SENDERS:
        # through Meta's payments_refund (the chat adapter), once this commits
        status = Refund.Status.PENDING
        target = accounts[Kind.PROVIDER_CLEARING]
    elif payment.method == Payment.Method.WHATSAPP:
        # No WhatsApp adapter to call Meta: the ledger records the refund and the staff are
        # asked to return the money in their gateway.
        target = accounts[Kind.PROVIDER_CLEARING]
        notify_staff(business=business,  # in each recipient's language
                     subject=gettext_noop("Refund %(amount)s of order %(number)s in your gateway"),
                     body=gettext_noop("Order %(number)s was paid with WhatsApp Pay (transaction %(transaction)s). "
                                       "Please refund %(amount)s to the customer in your payment gateway's "
                                       "dashboard.\nReason: %(reason)s"),
                     params={"number": payment.order.number, "transaction": payment.provider_reference,
                             "amount": {"money": [amount, payment.currency]}, "reason": reason or "-"})
    else:
        wallet = accounts.wallet(payment.customer_id)
        assert wallet is not None  # the payment came from it
        target = wallet
    refund = Refund.objects.create(business=business, payment=payment, amount_minor=amount,
                                   currency=payment.currency, reason=reason[:200],
                                   status=status, created_by=staff_user(actor))
    if status == Refund.Status.PENDING:
        transaction.on_commit(lambda: _queue_refund(refund.pk))
    ledger.post(business=business, actor=refund.created_by, postings=[
        move(Txn.REFUND, accounts[sales_account(payment.customer)], target, amount, f"refund:{refund.pk}",
             f"Refund of order {payment.order.number}"),
    ])
    payment.refunded_minor += amount
    unit.change(Payment, payment.pk, refunded_minor=payment.refunded_minor, updated_at=timezone.now())
    if update_order:
        order_services.mark_refunded(order=payment.order, refunded_minor=payment.refunded_minor,
                                     actor=refund.created_by)
    unit.emit(payment_event(payment, "payment.refunded", refund=refund.pk, reason=reason,
                            refunded=format_major(amount, payment.currency),
                            refunded_total=format_major(payment.refunded_minor, payment.currency)))
    return refund


def _queue_refund(refund_id: int) -> None:
    from ..tasks import send_refund as task

    task.delay(refund_id)


def send_refund(*, refund_id: int) -> Refund:
    """Send a booked card refund to the provider, outside any transaction, with the refund's own
    idempotency key (`refund_<id>`: sent twice, refunded once). Raises ProviderUnavailable for the
    task to retry; a refusal marks it failed and asks the staff to refund by hand (the ledger
    keeps it booked: the customer is owed it)."""
    refund = Refund.objects.select_related("payment__order", "business").get(pk=refund_id)
    if refund.status != Refund.Status.PENDING:
        return refund
    payment = refund.payment
    sender = refund_channels.SENDERS.get(payment.method)
    provider_name = payment.provider if sender is None else payment.method
    try:
        if sender is not None:
            reference = sender(refund)
        else:
            reference = provider_for(refund.business, payment.provider).refund(
                reference=payment.provider_reference, amount_minor=refund.amount_minor, currency=refund.currency,
                idempotency_key=f"refund_{refund.pk}").reference
    except ProviderError as exc:
        with transaction.atomic():
            if Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(status=Refund.Status.FAILED):
                notify_staff(business=refund.business,  # in each recipient's language
                             subject=gettext_noop("Refund of order %(number)s failed at %(provider)s"),
                             body=gettext_noop("%(provider)s refused the refund of %(amount)s (%(reason)s). Please "
                                               "refund it in your provider's dashboard."),
                             params={"number": payment.order.number, "provider": provider_name,
                                     "amount": {"money": [refund.amount_minor, refund.currency]},
                                     "reason": str(exc)})
        refund.status = Refund.Status.FAILED
        return refund
    Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
        status=Refund.Status.SUCCEEDED, provider_reference=reference)
    refund.status, refund.provider_reference = Refund.Status.SUCCEEDED, reference
    return refund

