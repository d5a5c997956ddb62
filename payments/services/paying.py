"""Paying an order from the customer's wallet or a linked card, and the card payment link.

Locks (DESIGN.md): the order row and the customer's wallet, by one query
(`payments.queries.lock_payable_order`), then the business's ledger accounts, last. A card
payment is only recorded (pending, with its idempotency key) under these locks; the provider is
called after that transaction, with nothing locked (`charging`). Every
refusal is decided before anything is written and raised after the block, so the block needs
no savepoint of its own inside a caller's transaction (the API's idempotency block) and a
caller that catches the refusal (the chat) can go on using its transaction.
"""
import uuid
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction

from orders.models import Order
from shopchat import sql
from shopchat.conflicts import retry_conflicts
from shopchat.errors import DomainError, InvalidInput, NotFound
from shopchat.models import Business, Customer
from shopchat.uow import UnitOfWork, unit_of_work

from .. import queries
from ..errors import OrderNotPayable
from ..ledger import Kind
from ..models import FundingSource, LedgerAccount, Payment
from .capturing import capture_payment, fail_payment
from .charging import send_charge
from .wallet import usable_source

Outcome = tuple[Payment | None, DomainError | None]


@retry_conflicts
def pay_order(*, order: Order, method: str, funding_source: FundingSource | None = None) -> Payment:
    """Pay a pending order from the customer's wallet or a linked card.

    Returns the Payment: `captured` (the order is paid), `pending` (the provider confirms
    later by callback) or `failed` (declined, insufficient funds: recorded with its reason
    and a `payment.failed` event). Raises OrderNotPayable when the order is not waiting for
    payment or already has a live payment (also enforced by a unique index). The order's
    status and amount are read again under its row lock; the caller's object is left as it was.
    A card is charged after the recording transaction, outside any row lock (`charging`): called
    inside a caller's transaction, that transaction still holds the order's lock meanwhile.
    """
    business = order.business
    with transaction.atomic(savepoint=False), unit_of_work(business=business) as unit:
        payable = queries.lock_payable_order(business_id=business.pk, currency=business.currency, order_id=order.pk,
                                             wallet=method == Payment.Method.WALLET)
        payment, refusal = _pay(unit, business, payable, method, funding_source)
    if refusal is not None:
        raise refusal
    return _send_if_recorded(payment)  # type: ignore[arg-type]


@retry_conflicts
def pay_order_by_number(*, business: Business, number: str, method: str,
                        funding_source_id: int | None = None) -> Payment:
    """`pay_order` for the gateway API: the business's order `number` (NotFound when it has
    none), paid with the customer's card `funding_source_id` (InvalidInput when the customer has
    no such card). The order and the wallet are locked and read by the call's first query."""
    with transaction.atomic(savepoint=False), unit_of_work(business=business) as unit:
        payable = queries.lock_payable_order(business_id=business.pk, currency=business.currency, number=number,
                                             wallet=method == Payment.Method.WALLET)
        source: FundingSource | None = None
        refusal: DomainError | None = None
        if payable is None:
            refusal = NotFound()
        elif funding_source_id is not None:
            source = FundingSource.objects.filter(business=business, customer=payable.customer_id,
                                                  pk=funding_source_id).first()
            if source is None:
                refusal = InvalidInput("funding_source", "No such card on this customer's wallet.")
        payment = None
        if refusal is None:
            payment, refusal = _pay(unit, business, payable, method, source)
    if refusal is not None:
        raise refusal
    return _send_if_recorded(payment)  # type: ignore[arg-type]


def _send_if_recorded(payment: Payment) -> Payment:
    """A card payment just recorded is charged now, its transaction committed."""
    if payment.method == Payment.Method.CARD and payment.status == Payment.Status.PENDING and \
            not payment.provider_reference:
        return send_charge(payment=payment)
    return payment


def _pay(unit: UnitOfWork, business: Business, payable: queries.PayableOrder | None, method: str,
         funding_source: FundingSource | None) -> Outcome:
    if payable is None:
        return None, NotFound()
    order = _held_order(unit, business, payable)
    if order.status != Order.Status.PENDING_PAYMENT:
        return None, OrderNotPayable(f"Order {order.number} is {order.get_status_display().lower()}, "
                                     "not awaiting payment.")
    if payable.expired:
        return None, OrderNotPayable(f"Order {order.number} has expired.")
    if order.total_minor <= 0:
        return None, OrderNotPayable(f"Order {order.number} has nothing to pay.")
    if payable.has_live_payment:
        return None, OrderNotPayable(f"Order {order.number} already has a payment in progress or captured.")
    payment = Payment(business=business, order=order, customer=order.customer, method=method,
                      amount_minor=order.total_minor, currency=order.currency)
    if method == Payment.Method.WALLET:
        payment.pk, payment.provider = payable.next_payment_id, "wallet"  # numbered by the lock's query, if it did
        wallet = _wallet(business, payable)
        if wallet is None or wallet.balance_minor < payment.amount_minor:
            failed = fail_payment(unit, payment, "insufficient_funds", "The wallet balance is too low for this order.")
            return failed, None
        capture_payment(unit, payment, source=wallet)
        return payment, None
    if method != Payment.Method.CARD:
        return None, InvalidInput("method", "Use 'wallet' or 'card'.")
    try:
        source = usable_source(funding_source, order.customer)
    except InvalidInput as exc:
        return None, exc
    # recorded pending with the key the provider de-duplicates on; charged once this commits
    payment.funding_source, payment.provider = source, source.provider
    payment.idempotency_key = f"pay_{uuid.uuid4().hex}"
    payment.save()
    return payment, None


def _held_order(unit: UnitOfWork, business: Business, payable: queries.PayableOrder) -> Order:
    """The order as the lock read it, held by the unit of work (so `mark_paid` does not lock it
    again), with its business and customer."""
    order = sql.partial(Order, id=payable.order_id, business_id=business.pk, customer_id=payable.customer_id,
                        number=payable.number, status=payable.status, currency=payable.currency,
                        total_minor=payable.total_minor)
    order.business = business
    order.customer = sql.partial(Customer, id=payable.customer_id, business_id=business.pk, wa_id=payable.wa_id,
                                 name=payable.customer_name, is_test=bool(payable.customer_is_test))
    return unit.hold(order)


def _wallet(business: Business, payable: queries.PayableOrder) -> LedgerAccount | None:
    """The customer's wallet account, locked after the order (by the same query when it could)."""
    if payable.wallet_id is None:
        return None
    return sql.partial(LedgerAccount, id=payable.wallet_id, business_id=business.pk, kind=Kind.CUSTOMER_WALLET,
                       customer_id=payable.customer_id, currency=business.currency,
                       balance_minor=payable.wallet_balance_minor)


# --- the card payment link -------------------------------------------------------------------

def card_payment_link(*, order: Order) -> str:
    """A URL the customer opens to pay the order by card: the business's provider's page (Stripe
    Checkout, a Razorpay Payment Link), else the platform's hosted page (the sandbox)."""
    from .links import provider_payment_link

    url = provider_payment_link(order=order)
    if url:
        return url
    token = signing.dumps({"o": order.pk, "b": order.business_id}, salt="payments.pay-link")
    return f"{settings.SITE_URL.rstrip('/')}/pay/{token}/"


def order_for_payment_link(token: str, max_age: int = 7 * 24 * 3600) -> Order | None:
    try:
        data: dict[str, Any] = signing.loads(token, salt="payments.pay-link", max_age=max_age)
    except signing.BadSignature:
        return None
    return Order.objects.select_related("business", "customer").filter(pk=data["o"], business_id=data["b"]).first()
