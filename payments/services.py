"""Payments, wallet, refunds, settlement and reconciliation: every rule that moves money.

Money flows, each one balanced ledger transaction (see `payments.ledger`):
    top-up           provider clearing -> customer wallet
    wallet payment   customer wallet   -> merchant payable
    card payment     provider clearing -> merchant payable   (also WhatsApp Pay captures)
    commission       merchant payable  -> platform revenue   (taken at capture, kept on refund)
    refund           merchant payable  -> wallet (wallet payments) / provider clearing (cards)
    transfer         sender wallet     -> recipient wallet
    settlement       merchant payable  -> payouts            (paid out through the provider)

Locks are always taken in the same order: the order row (paying) or a pending payment row
(callbacks), then customer wallets, then the business's accounts (each group by primary key;
the busy merchant accounts as late as possible), then captured payment rows (refunds,
settlement). Provider calls run inside the transaction after the local locks, so a decline
or an error leaves nothing half written.
"""
import copy
import logging
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from orders import services as order_services
from orders.models import Order
from shopchat.api.errors import ApiError
from shopchat.models import Business, Customer
from shopchat.money import display, format_major, percent_of
from shopchat.outbox import Event, customer_ref, emit_event, emit_events, notify_staff
from shopchat.rows import insert_rows, loaded
from shopchat.services import upsert_customer
from shopchat.validators import normalize_wa_id, validate_wa_id

from . import ledger
from .ledger import Kind, move
from .models import (
    FundingSource,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    ProviderEvent,
    Refund,
    Settlement,
    SettlementLine,
    TopUp,
    Transfer,
)
from .providers import InvalidCallback, ProviderError, UnknownProvider, get_provider

log = logging.getLogger(__name__)
Txn = LedgerTransaction.Kind


# --- errors (the same for the API, the admin, tasks and the chat engine) ------------------
class OrderNotPayable(ApiError):
    def __init__(self, message):
        super().__init__(409, "order_not_payable", message)


class InsufficientFunds(ApiError):
    def __init__(self, message="The wallet balance is too low for this amount."):
        super().__init__(409, "insufficient_funds", message, fields={"amount": [message]})


class NotRefundable(ApiError):
    def __init__(self, message, field="amount"):
        super().__init__(409, "not_refundable", message, fields={field: [message]} if field else None)


class TransferLimitExceeded(ApiError):
    def __init__(self, message):
        super().__init__(409, "transfer_limit_exceeded", message, fields={"amount": [message]})


class InvalidPaymentInput(ApiError):
    def __init__(self, field, message, code="validation_error"):
        super().__init__(400, code, message, fields={field: [message]})


class NoPayoutAccount(ApiError):
    def __init__(self, business):
        super().__init__(409, "no_payout_account", f"{business.name} has no payout account to settle to.")


class BadCallback(ApiError):
    def __init__(self, message):
        super().__init__(400, "invalid_callback", message)


def _payment_event_data(payment: Payment, event_type: str, **extra) -> Event:
    return Event(event_type, {
        "payment": payment.pk, "order": payment.order.number, "amount": format_major(payment.amount_minor, payment.currency),
        "currency": payment.currency, "method": payment.method, "status": payment.status,
        "customer": customer_ref(payment.customer), **extra,
    })


def _payment_event(payment: Payment, event_type: str, **extra) -> None:
    emit_events(business=payment.business, events=[_payment_event_data(payment, event_type, **extra)])


def commission_for(business: Business, amount_minor: int) -> int:
    """The platform's cut of one payment: percent + fixed, never more than the payment."""
    return min(amount_minor, percent_of(amount_minor, business.commission_percent) + business.commission_fixed_minor)


# --- funding sources ------------------------------------------------------------------------
def add_funding_source(*, customer: Customer, token: str = "", card_number: str = "", exp_month=None,
                       exp_year=None, provider_name: str | None = None) -> FundingSource:
    """Link a card to the customer's wallet from a provider token or (sandbox) a test card
    number, tokenized at once: only token, brand, last four and expiry are stored."""
    provider = get_provider(provider_name)
    try:
        if token:
            card = provider.describe_token(token=token)
        else:
            if exp_month is None or exp_year is None:
                field = "exp_month" if exp_month is None else "exp_year"
                raise InvalidPaymentInput(field, "Give the card's expiry month and year.")
            _check_expiry(int(exp_month), int(exp_year))
            card = provider.tokenize(card_number=card_number, exp_month=exp_month, exp_year=exp_year)
    except ProviderError as exc:
        raise InvalidPaymentInput(exc.field or "token", str(exc), code=exc.code) from None
    with transaction.atomic():
        existing = FundingSource.objects.filter(provider=provider.name, token=card.token).first()
        if existing is not None:
            if existing.customer_id != customer.pk:
                raise InvalidPaymentInput("token", "This token belongs to another customer.")
            return existing
        return FundingSource.objects.create(
            business_id=customer.business_id, customer=customer, provider=provider.name, token=card.token,
            brand=card.brand, last4=card.last4, exp_month=card.exp_month, exp_year=card.exp_year,
        )


def _check_expiry(month: int, year: int) -> None:
    if not 1 <= month <= 12:
        raise InvalidPaymentInput("exp_month", "The month must be 1 to 12.")
    today = timezone.now().date()
    if not today.year <= year <= today.year + 30 or (year == today.year and month < today.month):
        raise InvalidPaymentInput("exp_year", "This card has expired or the year is not valid.")


def _usable_source(funding_source, customer) -> FundingSource:
    if funding_source is None:
        raise InvalidPaymentInput("funding_source", "Choose a linked card to pay with.")
    if funding_source.customer_id != customer.pk or not funding_source.is_active:
        raise InvalidPaymentInput("funding_source", "This card is not linked to the customer's wallet.")
    return funding_source


# --- paying an order ----------------------------------------------------------------------
def pay_order(*, order: Order, method: str, funding_source: FundingSource | None = None) -> Payment:
    """Pay a pending order from the customer's wallet or a linked card.

    Returns the Payment: `captured` (the order is paid), `pending` (the provider confirms
    later by callback) or `failed` (declined, insufficient funds: recorded with its reason
    and a `payment.failed` event). Raises OrderNotPayable when the order is not waiting for
    payment or already has a live payment (also enforced by a unique index).

    The order's business and customer are the ones it was loaded with (the API loads them
    with it); its status and amount are read again under its row lock. Every refusal is
    decided before anything is written and raised after the block, so the block needs no
    savepoint of its own inside a caller's transaction (the API's idempotency block) and a
    caller that catches the refusal (the chat) can go on using its transaction.
    """
    with transaction.atomic(savepoint=False):
        payment, refusal = _pay(order, method, funding_source)
    if refusal is not None:
        raise refusal
    return payment


def _pay(order: Order, method: str, funding_source) -> tuple[Payment | None, Exception | None]:
    order, wallet = _lock_for_payment(order, wallet=method == Payment.Method.WALLET)
    if order.status != Order.Status.PENDING_PAYMENT:
        return None, OrderNotPayable(f"Order {order.number} is {order.get_status_display().lower()}, not awaiting payment.")
    if order.expired:
        return None, OrderNotPayable(f"Order {order.number} has expired.")
    if order.total_minor <= 0:
        return None, OrderNotPayable(f"Order {order.number} has nothing to pay.")
    if order.has_live:
        return None, OrderNotPayable(f"Order {order.number} already has a payment in progress or captured.")
    business, customer = order.business, order.customer
    payment = Payment(business=business, order=order, customer=customer, method=method,
                      amount_minor=order.total_minor, currency=order.currency)
    if method == Payment.Method.WALLET:
        payment.pk = getattr(order, "next_payment_id", None)  # numbered by the order's query, if it did
        payment.provider = "wallet"
        if wallet is None or wallet.balance_minor < payment.amount_minor:
            return _fail(payment, "insufficient_funds", "The wallet balance is too low for this order."), None
        _capture(payment, source=wallet, order_locked=True)
        return payment, None
    if method != Payment.Method.CARD:
        return None, InvalidPaymentInput("method", "Use 'wallet' or 'card'.")
    try:
        source = _usable_source(funding_source, customer)
    except InvalidPaymentInput as exc:
        return None, exc
    provider = get_provider(source.provider)
    result = provider.charge(token=source.token, amount_minor=payment.amount_minor, currency=payment.currency,
                             description=f"{business.name} order {order.number}")
    payment.funding_source, payment.provider, payment.provider_reference = source, provider.name, result.reference
    if result.status == "failed":
        return _fail(payment, result.failure_code, result.failure_reason), None
    if result.status == "captured":
        _capture(payment, order_locked=True)
    else:
        payment.save()
    return payment, None


def order_for_payment(*, business: Business, number: str, with_wallet: bool = False) -> Order | None:
    """The business's order `number` with its customer, row-locked and read for paying it, or
    None when the business has no such order. For a caller that pays the order in the same
    transaction right after (the API): `pay_order` then reads and locks nothing again. With
    `with_wallet`, the customer's wallet account is locked by the same query (after the order,
    as `pay_order` would). One written-out query instead of a lookup and two locking reads."""
    if with_wallet:
        order = _order_for_payment(business, number, wallet=True)
        if order is not None:
            return order
    # no wallet yet (or not asked for): the order alone
    return _order_for_payment(business, number, wallet=False)


def _order_for_payment(business, number, *, wallet: bool):
    columns, joins, params, lock = "", "", [], ""
    if connection.features.has_select_for_update_of:
        lock = " FOR UPDATE OF o"
    if wallet:
        columns = ", a.id, a.balance_minor"
        if connection.vendor == "postgresql":  # the payment's id, drawn now to save a round trip later
            columns += f", nextval(pg_get_serial_sequence('{Payment._meta.db_table}', 'id'))"
        joins = (f" JOIN {LedgerAccount._meta.db_table} a ON a.customer_id = o.customer_id AND a.kind = %s "
                 "AND a.currency = %s")
        params = [Kind.CUSTOMER_WALLET, business.currency]
        if lock:
            lock += " FOR NO KEY UPDATE OF a" if connection.features.has_select_for_no_key_update else ", a"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT o.id, o.customer_id, o.status, o.total_minor, o.currency, c.wa_id, c.name, {_PAYABLE_CHECKS}"
            f"{columns} FROM {Order._meta.db_table} o JOIN {Customer._meta.db_table} c ON c.id = o.customer_id"
            f"{joins} WHERE o.business_id = %s AND o.number = %s{lock}",
            [*_payable_params(), *params, business.pk, number],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    order_id, customer_id, status, total, currency, wa_id, name, expired, has_live = row[:9]
    order = loaded(Order, id=order_id, business_id=business.pk, customer_id=customer_id, number=number,
                   status=status, currency=currency, total_minor=total)
    order.business = business
    order.customer = loaded(Customer, id=customer_id, business_id=business.pk, wa_id=wa_id, name=name)
    order.expired, order.has_live, order.locked_for_payment = bool(expired), bool(has_live), True
    if wallet:
        order.locked_wallet = loaded(LedgerAccount, id=row[9], business_id=business.pk, kind=Kind.CUSTOMER_WALLET,
                                     customer_id=customer_id, currency=business.currency, balance_minor=row[10])
        order.next_payment_id = row[11] if len(row) > 11 else None
    return order


# whether the order has expired, and whether it has a live payment, as of now
_PAYABLE_CHECKS = (f"o.expires_at IS NOT NULL AND o.expires_at <= %s, EXISTS (SELECT 1 FROM {Payment._meta.db_table} p "
                   f"WHERE p.order_id = o.id AND p.status IN ({', '.join(['%s'] * len(Payment.ACTIVE))}))")


def _payable_params() -> list:
    return [connection.ops.adapt_datetimefield_value(timezone.now()), *Payment.ACTIVE]


def _lock_for_payment(order: Order, *, wallet: bool) -> tuple[Order, LedgerAccount | None]:
    """A copy of the order with its status and amount, and whether it has expired (`expired`)
    or has a live payment (`has_live`), read again under its row lock (unless it came from
    `order_for_payment`); with `wallet`, the customer's wallet account, locked after it (None
    when the customer has no wallet yet). Small written-out queries: every payment makes them."""
    if not getattr(order, "locked_for_payment", False):
        order = copy.copy(order)  # the caller's object stays as it was
        lock = " FOR UPDATE OF o" if connection.features.has_select_for_update_of else ""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT o.status, o.total_minor, o.currency, {_PAYABLE_CHECKS} "
                           f"FROM {Order._meta.db_table} o WHERE o.id = %s{lock}", [*_payable_params(), order.pk])
            order.status, order.total_minor, order.currency, expired, has_live = cursor.fetchone()
        order.expired, order.has_live = bool(expired), bool(has_live)
    if not wallet:
        return order, None
    if getattr(order, "locked_wallet", None) is not None:
        return order, order.locked_wallet
    return order, ledger.lock(business=order.business, customers=[order.customer_id]).wallet(order.customer_id)


def _fail(payment: Payment, code: str, reason: str) -> Payment:
    payment.status, payment.failure_code, payment.failure_reason = Payment.Status.FAILED, code, reason[:200]
    payment.save(force_insert=payment._state.adding)
    _payment_event(payment, "payment.failed", reason=reason, code=code)
    return payment


def _capture(payment: Payment, *, source=None, pay_order: bool = True, order_locked: bool = False) -> None:
    """Money in: `source` (the customer's locked wallet account; None: provider clearing) ->
    merchant payable, then the commission to the platform; the order is paid. A payment not
    saved yet is created captured: by its own INSERT, or, numbered already (`order_for_payment`
    draws its id), written with the order's update and the events. `order_locked`: the caller
    holds the order's row lock and read its status under it (see `orders.services.mark_paid`).

    The business's busy accounts are locked last, by `ledger.post()`, after the order and the
    events are written, so concurrent payments of one merchant wait on them as briefly as
    possible."""
    business = payment.business
    now = timezone.now()
    payment.status, payment.captured_at = Payment.Status.CAPTURED, now
    payment.commission_minor = commission = commission_for(business, payment.amount_minor)
    new = []
    if payment.pk is None:
        insert_rows([payment])
    elif payment._state.adding:
        new = [payment]
    else:
        Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.CAPTURED, captured_at=now,
                                                     commission_minor=commission, updated_at=now)
    captured = _payment_event_data(payment, "payment.captured")
    if pay_order:  # the order's event and the payment's are written together
        order_services.mark_paid(order=payment.order, note=f"payment {payment.pk}", locked=order_locked,
                                 also_emit=[captured], also_insert=new)
    else:
        emit_events(business=business, events=[captured], with_rows=new)
    ref, number = f"payment:{payment.pk}", payment.order.number
    ledger.post(business=business, postings=[
        move(Txn.PAYMENT, source or Kind.PROVIDER_CLEARING, Kind.MERCHANT_PAYABLE, payment.amount_minor, ref,
             f"Order {number}"),
        move(Txn.COMMISSION, Kind.MERCHANT_PAYABLE, Kind.PLATFORM_REVENUE, commission, ref,
             f"Commission on order {number}"),
    ])


def card_payment_link(*, order: Order) -> str:
    """A URL the customer opens to pay the order by card (the sandbox's hosted page)."""
    token = signing.dumps({"o": order.pk, "b": order.business_id}, salt="payments.pay-link")
    return f"{settings.SITE_URL.rstrip('/')}/pay/{token}/"


def order_for_payment_link(token: str, max_age: int = 7 * 24 * 3600) -> Order | None:
    try:
        data = signing.loads(token, salt="payments.pay-link", max_age=max_age)
    except signing.BadSignature:
        return None
    return Order.objects.select_related("business", "customer").filter(pk=data["o"], business_id=data["b"]).first()


# --- refunds --------------------------------------------------------------------------------
def refund_order(*, order: Order, amount_minor: int | None = None, actor=None, reason: str = "") -> Refund:
    """Refund all that is left of the order's captured payment (amount None) or part of it:
    to the wallet for wallet payments, to the card through the provider for cards. Never
    more than captured; the refund is recorded with who made it."""
    with transaction.atomic():
        order = Order.objects.select_related("business", "customer").get(pk=order.pk)
        business = order.business
        accounts = ledger.lock(business=business, kinds=(Kind.MERCHANT_PAYABLE, Kind.PROVIDER_CLEARING),
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
            raise InvalidPaymentInput("amount", "The refund must be more than zero.")
        if amount > left:
            raise NotRefundable(f"At most {display(left, payment.currency)} can still be refunded.")
        return _refund(payment, amount, accounts, actor=actor, reason=reason)


def _refund(payment: Payment, amount: int, accounts, *, actor=None, reason: str = "", update_order: bool = True) -> Refund:
    """Money back: merchant payable -> the wallet, or -> provider clearing with the card refunded
    through the provider. `accounts` are locked by the caller (wallet, payable, clearing)."""
    business = payment.business
    provider_reference = ""
    if payment.method == Payment.Method.CARD:
        provider_reference = get_provider(payment.provider).refund(
            reference=payment.provider_reference, amount_minor=amount, currency=payment.currency
        ).reference
        target = accounts[Kind.PROVIDER_CLEARING]
    elif payment.method == Payment.Method.WHATSAPP:
        # Paid through the merchant's own gateway on WhatsApp, which shopchat cannot call: the
        # ledger records the refund and the staff are asked to return the money there.
        target = accounts[Kind.PROVIDER_CLEARING]
        notify_staff(business=business,
                     subject=f"Refund {display(amount, payment.currency)} of order {payment.order.number} in your gateway",
                     body=f"Order {payment.order.number} was paid with WhatsApp Pay (transaction "
                          f"{payment.provider_reference}). Please refund {display(amount, payment.currency)} to the "
                          f"customer in your payment gateway's dashboard.\nReason: {reason or '-'}")
    else:
        target = accounts.wallet(payment.customer_id)
    refund = Refund.objects.create(business=business, payment=payment, amount_minor=amount,
                                   currency=payment.currency, reason=reason[:200],
                                   provider_reference=provider_reference,
                                   created_by=actor if getattr(actor, "pk", None) else None)
    ledger.post(business=business, actor=refund.created_by, postings=[
        move(Txn.REFUND, accounts[Kind.MERCHANT_PAYABLE], target, amount, f"refund:{refund.pk}",
             f"Refund of order {payment.order.number}"),
    ])
    payment.refunded_minor += amount
    Payment.objects.filter(pk=payment.pk).update(refunded_minor=payment.refunded_minor, updated_at=timezone.now())
    if update_order:
        order_services.mark_refunded(order=payment.order, refunded_minor=payment.refunded_minor,
                                     actor=refund.created_by)
    _payment_event(payment, "payment.refunded", refund=refund.pk, reason=reason,
                   refunded=format_major(amount, payment.currency),
                   refunded_total=format_major(payment.refunded_minor, payment.currency))
    return refund


# --- wallet ---------------------------------------------------------------------------------
def top_up(*, customer: Customer, amount_minor: int, funding_source: FundingSource) -> TopUp:
    """Add money to the customer's wallet from a linked card. Succeeded, pending (a callback
    completes it) or failed (recorded with the reason)."""
    if amount_minor <= 0:
        raise InvalidPaymentInput("amount", "The amount must be more than zero.")
    with transaction.atomic():
        business = customer.business
        source = _usable_source(funding_source, customer)
        ledger.ensure_wallet(customer)
        provider = get_provider(source.provider)
        result = provider.charge(token=source.token, amount_minor=amount_minor, currency=business.currency,
                                 description=f"Wallet top-up at {business.name}")
        top = TopUp.objects.create(
            business=business, customer=customer, funding_source=source, amount_minor=amount_minor,
            currency=business.currency, provider=provider.name, provider_reference=result.reference,
            status=TopUp.Status.FAILED if result.status == "failed" else TopUp.Status.PENDING,
            failure_code=result.failure_code, failure_reason=result.failure_reason[:200],
        )
        if result.status == "captured":
            _complete_top_up(top)
        return top


def _complete_top_up(top: TopUp) -> None:
    business, customer = top.business, top.customer
    accounts = ledger.lock(business=business, kinds=(Kind.PROVIDER_CLEARING,), customers=[customer.pk])
    ledger.post(business=business, postings=[
        move(Txn.TOP_UP, accounts[Kind.PROVIDER_CLEARING], accounts.wallet(customer.pk), top.amount_minor,
             f"top_up:{top.pk}", "Wallet top-up"),
    ])
    TopUp.objects.filter(pk=top.pk).update(status=TopUp.Status.SUCCEEDED, updated_at=timezone.now())
    top.status = TopUp.Status.SUCCEEDED
    emit_event(business=business, event_type="wallet.topped_up", data={
        "top_up": top.pk, "amount": format_major(top.amount_minor, top.currency), "currency": top.currency,
        "balance": format_major(accounts.wallet(customer.pk).balance_minor, top.currency),
        "customer": customer_ref(customer),
    })


def transfer(*, sender: Customer, to_wa_id: str, amount_minor: int, note: str = "") -> Transfer:
    """Send money from the sender's wallet to another customer of the same business by phone
    number; the recipient (and their wallet) is created on first receipt. Per-transfer and
    per-day limits come from the business; the day is the business's local day, counted under
    the sender's wallet lock so two racing transfers cannot pass the limit together.

    Both wallets are locked with one query. Every refusal is decided before anything is
    written (the recipient is created only once the money can move) and raised after the
    block, so the block needs no savepoint of its own inside a caller's transaction.
    """
    business = sender.business
    if amount_minor <= 0:
        raise InvalidPaymentInput("amount", "The amount must be more than zero.")
    if business.transfer_limit_minor is not None and amount_minor > business.transfer_limit_minor:
        raise TransferLimitExceeded(f"At most {display(business.transfer_limit_minor, business.currency)} per transfer.")
    to_wa_id = normalize_wa_id(to_wa_id)
    try:
        validate_wa_id(to_wa_id)
    except DjangoValidationError:
        raise InvalidPaymentInput("to", "Give the recipient's WhatsApp number (country code first).") from None
    if to_wa_id == sender.wa_id:
        raise InvalidPaymentInput("to", "You cannot send money to yourself.")
    with transaction.atomic(savepoint=False):
        sent, refusal = _transfer(business, sender, to_wa_id, amount_minor, note)
    if refusal is not None:
        raise refusal
    return sent


def _transfer(business, sender, to_wa_id, amount_minor, note) -> tuple[Transfer | None, Exception | None]:
    wallets = {account.customer.wa_id: account for account in ledger.lock_wallets_by_phone(
        business=business, wa_ids=[sender.wa_id, to_wa_id])}
    source = wallets.get(sender.wa_id)
    if source is None or source.balance_minor < amount_minor:
        return None, InsufficientFunds()
    if business.daily_transfer_limit_minor is not None:
        tz = ZoneInfo(business.time_zone)
        day_start = datetime.combine(timezone.now().astimezone(tz).date(), time.min, tzinfo=tz)
        sent = Transfer.objects.filter(sender=sender, created_at__gte=day_start).aggregate(
            s=Coalesce(Sum("amount_minor"), 0))["s"]
        if sent + amount_minor > business.daily_transfer_limit_minor:
            left = max(0, business.daily_transfer_limit_minor - sent)
            return None, TransferLimitExceeded(f"Daily limit reached: {display(left, business.currency)} left today.")
    target = wallets.get(to_wa_id)
    if target is None:  # the first receipt: a new wallet comes after the sender's in primary-key order
        recipient = upsert_customer(business=business, wa_id=to_wa_id)
        ledger.ensure_wallet(recipient)
        target = ledger.lock(business=business, customers=[recipient.pk]).wallet(recipient.pk)
        target.customer = recipient
    recipient = target.customer
    sent_transfer, = insert_rows([Transfer(business=business, sender=sender, recipient=recipient,
                                           amount_minor=amount_minor, currency=business.currency, note=note[:140])])
    ledger.post(business=business, postings=[
        move(Txn.TRANSFER, source, target, amount_minor, f"transfer:{sent_transfer.pk}", note[:200]),
    ])
    amount = format_major(amount_minor, business.currency)
    common = {"transfer": sent_transfer.pk, "amount": amount, "currency": business.currency, "note": note}
    emit_events(business=business, events=[
        Event("transfer.sent", {**common, "to": customer_ref(recipient), "customer": customer_ref(sender),
                                "balance": format_major(source.balance_minor, business.currency)}),
        Event("transfer.received", {**common, "from": customer_ref(sender), "customer": customer_ref(recipient),
                                    "balance": format_major(target.balance_minor, business.currency)}),
    ])
    sent_transfer.sender_balance_minor = source.balance_minor
    return sent_transfer, None


# --- provider callbacks ---------------------------------------------------------------------
@dataclass
class CallbackOutcome:
    event: ProviderEvent
    duplicate: bool


def handle_provider_callback(*, provider_name: str, body: bytes, headers) -> CallbackOutcome:
    """Verify, de-duplicate (unique provider event id) and apply a provider callback.

    Safe out of order and against the synchronous path: the payment (or top-up) row is
    locked and only a legal transition is applied, so a capture counts once. A bad signature
    raises BadCallback (400) and writes nothing; an unknown reference raises 404 and records
    nothing, so the provider's retry is applied once our own transaction has committed.
    """
    try:
        provider = get_provider(provider_name)
    except UnknownProvider:
        raise ApiError(404, "not_found", "No such payment provider.") from None
    try:
        event = provider.parse_callback(body=body, headers=headers)
    except InvalidCallback as exc:
        raise BadCallback(f"Callback rejected: {exc}.") from None
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = ProviderEvent.objects.create(provider=provider.name, event_id=event.event_id,
                                                      event_type=event.type, reference=event.reference,
                                                      payload=event.payload)
        except IntegrityError:
            return CallbackOutcome(ProviderEvent.objects.get(provider=provider.name, event_id=event.event_id), True)
        payment = (Payment.objects.select_for_update().select_related("order", "customer", "business")
                   .filter(provider=provider.name, provider_reference=event.reference).first())
        if payment is not None:
            outcome = _apply_payment_event(payment, event)
        else:
            top = (TopUp.objects.select_for_update().select_related("customer", "business")
                   .filter(provider=provider.name, provider_reference=event.reference).first())
            if top is None:
                raise ApiError(404, "unknown_reference", "No payment or top-up with this reference (yet).")
            outcome = _apply_top_up_event(top, event)
        ProviderEvent.objects.filter(pk=record.pk).update(outcome=outcome)
        record.outcome = outcome
        return CallbackOutcome(record, False)


def _apply_payment_event(payment: Payment, event) -> str:
    live = (Payment.Status.PENDING, Payment.Status.AUTHORIZED)
    if event.type == "charge.succeeded":
        if payment.status not in live:
            return f"ignored: payment already {payment.status}"
        order_status = Order.objects.filter(pk=payment.order_id).values_list("status", flat=True).get()
        if order_status == Order.Status.PENDING_PAYMENT:
            _capture(payment)
            return "captured"
        # The order expired or was cancelled while the bank was confirming: the money was
        # taken, so count it and give it straight back; the order stays as it is.
        _capture(payment, pay_order=False)
        accounts = ledger.lock(business=payment.business, kinds=(Kind.MERCHANT_PAYABLE, Kind.PROVIDER_CLEARING))
        _refund(payment, payment.amount_minor, accounts, update_order=False,
                reason=f"Order was {order_status} when the payment completed")
        return "captured_and_refunded"
    if event.type == "charge.authorized":
        if payment.status != Payment.Status.PENDING:
            return f"ignored: payment already {payment.status}"
        Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.AUTHORIZED, updated_at=timezone.now())
        return "authorized"
    if event.type == "charge.failed":
        if payment.status not in live:
            return f"ignored: payment already {payment.status}"
        _fail(payment, event.failure_code or "card_declined", event.failure_reason or "The payment failed.")
        return "failed"
    return "ignored: unhandled event type"


# --- WhatsApp Pay --------------------------------------------------------------------------
WHATSAPP = "whatsapp"


def handle_whatsapp_payment_status(*, business: Business, reference_id: str, status: str, transaction_id: str,
                                   error=None) -> Payment | None:
    """Settle a WhatsApp Pay result (a `statuses[]` item of `type: payment`, parsed by the
    WhatsApp adapter) for the order whose number is the `reference_id` of its order_details.

    `captured`: a captured payment posted like a card capture (provider clearing -> merchant
    payable, then the commission) and the order paid; an order that expired or was cancelled
    meanwhile keeps its status and the money is counted and given straight back, as for cards.
    `failed`: a failed payment and `payment.failed`. `pending`: nothing yet. Each transaction
    and status is applied once (unique ProviderEvent; the payment's transaction id is unique
    too). An unknown reference is logged and nothing is written. Returns the payment or None.
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
        payment, outcome = _apply_whatsapp_status(order, status, transaction_id, error)
        ProviderEvent.objects.filter(pk=record.pk).update(outcome=outcome)
        return payment


def _apply_whatsapp_status(order: Order, status: str, transaction_id: str, error) -> tuple[Payment | None, str]:
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
        return _fail(payment, str(error.get("code") or "payment_failed")[:40], reason), "failed"
    other = Payment.objects.filter(order=order, status__in=Payment.ACTIVE).first()
    if other is not None:
        # The customer paid twice (e.g. wallet, then WhatsApp Pay): one live payment per order,
        # so the staff return this one in their gateway.
        notify_staff(business=order.business, subject=f"Order {order.number} was paid twice",
                     body=f"Order {order.number} already has payment #{other.pk} ({other.get_method_display()}); "
                          f"WhatsApp Pay transaction {transaction_id} of {display(order.total_minor, order.currency)} "
                          "also succeeded. Please refund that transaction in your payment gateway.")
        return None, f"ignored: order already has payment {other.pk}"
    if existing is None:
        payment = Payment.objects.create(
            business=order.business, order=order, customer=order.customer, method=Payment.Method.WHATSAPP,
            provider=WHATSAPP, provider_reference=transaction_id, amount_minor=order.total_minor, currency=order.currency)
    else:  # a failure reported for this transaction, then its success
        payment = existing
        Payment.objects.filter(pk=payment.pk).update(failure_code="", failure_reason="")
        payment.failure_code = payment.failure_reason = ""
    if order.status == Order.Status.PENDING_PAYMENT:
        _capture(payment)
        return payment, "captured"
    _capture(payment, pay_order=False)
    accounts = ledger.lock(business=order.business, kinds=(Kind.MERCHANT_PAYABLE, Kind.PROVIDER_CLEARING))
    _refund(payment, payment.amount_minor, accounts, update_order=False,
            reason=f"Order was {order.status} when the payment completed")
    return payment, "captured_and_refunded"


def _apply_top_up_event(top: TopUp, event) -> str:
    if top.status != TopUp.Status.PENDING:
        return f"ignored: top-up already {top.status}"
    if event.type == "charge.succeeded":
        _complete_top_up(top)
        return "succeeded"
    if event.type == "charge.failed":
        TopUp.objects.filter(pk=top.pk).update(status=TopUp.Status.FAILED, failure_code=event.failure_code[:40],
                                               failure_reason=event.failure_reason[:200], updated_at=timezone.now())
        return "failed"
    return "ignored: unhandled event type"


# --- settlement -----------------------------------------------------------------------------
def _after_claim_batch(settlement: Settlement, batch: int) -> None:
    """Called after each claimed batch (a seam for tests that kill a run halfway)."""


def settle_business(*, business: Business, actor=None, batch_size: int = 10_000) -> Settlement | None:
    """Settle every captured, unsettled payment and unsettled refund of the business into one
    statement, and pay the net (less any debt carried from before) out through the provider.

    Set-based: payments are claimed batch by batch with `UPDATE ... WHERE settlement IS NULL`
    and the lines written with one INSERT ... SELECT, so the number of queries does not grow
    with the number of payments. The whole business settles in one transaction holding the
    merchant-payable lock: a run killed halfway leaves nothing, and a concurrent run waits,
    then finds nothing left. `SettlementLine.payment` / `.refund` are unique, so each payment
    and refund is settled exactly once whatever happens. Returns None when nothing is due.
    """
    if not business.payout_account:
        raise NoPayoutAccount(business)
    try:
        with transaction.atomic():
            return _settle(business, actor, batch_size)
    except _NothingToSettle:
        return None


class _NothingToSettle(Exception):
    pass


def _settle(business, actor, batch_size) -> Settlement:
    accounts = ledger.lock(business=business, kinds=(Kind.MERCHANT_PAYABLE, Kind.PAYOUTS))
    previous = Settlement.objects.filter(business=business).order_by("-period_end").values("period_end").first()
    settlement = Settlement.objects.create(
        business=business, currency=business.currency, period_start=previous["period_end"] if previous else None,
        period_end=timezone.now(), payout_account=business.payout_account,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    claimed = 0
    for model, condition in ((Payment, Q(status=Payment.Status.CAPTURED)), (Refund, Q())):
        batch = 0
        while True:
            due = model.objects.filter(condition, business=business, settlement__isnull=True).order_by("pk")
            count = model.objects.filter(pk__in=Subquery(due.values("pk")[:batch_size]),
                                         settlement__isnull=True).update(settlement=settlement)
            claimed += count
            if count:
                batch += 1
                _after_claim_batch(settlement, batch)
            if count < batch_size:
                break
    if not claimed:
        raise _NothingToSettle
    _write_lines(settlement)
    totals = SettlementLine.objects.filter(settlement=settlement).aggregate(
        payments=Count("payment"), refunds=Count("refund"), gross=Coalesce(Sum("gross_minor"), 0),
        refunded=Coalesce(Sum("refund_minor"), 0), commission=Coalesce(Sum("commission_minor"), 0),
        net=Coalesce(Sum("net_minor"), 0),
    )
    payable = accounts[Kind.MERCHANT_PAYABLE]
    opening = payable.balance_minor - totals["net"]
    payout = max(0, payable.balance_minor)
    reference = ""
    if payout:
        reference = get_provider().payout(
            account=business.payout_account, amount_minor=payout, currency=business.currency,
            description=f"shopchat settlement {settlement.pk}",
        ).reference
        ledger.post(business=business, actor=settlement.created_by, postings=[
            move(Txn.SETTLEMENT, payable, accounts[Kind.PAYOUTS], payout, f"settlement:{settlement.pk}",
                 f"Payout to {business.payout_account_masked}"),
        ])
    fields = dict(
        status=Settlement.Status.PAID if payout else Settlement.Status.CARRIED,
        payment_count=totals["payments"], refund_count=totals["refunds"], gross_minor=totals["gross"],
        refunds_minor=totals["refunded"], commission_minor=totals["commission"], net_minor=totals["net"],
        opening_minor=opening, payout_minor=payout, closing_minor=opening + totals["net"] - payout,
        payout_reference=reference,
    )
    Settlement.objects.filter(pk=settlement.pk).update(**fields)
    for name, value in fields.items():
        setattr(settlement, name, value)
    if payout:
        emit_event(business=business, event_type="settlement.paid", data={
            "settlement": settlement.pk, "amount": format_major(payout, business.currency),
            "currency": business.currency, "gross": format_major(settlement.gross_minor, business.currency),
            "refunds": format_major(settlement.refunds_minor, business.currency),
            "commission": format_major(settlement.commission_minor, business.currency),
            "payments": settlement.payment_count, "payout_reference": reference,
        })
        notify_staff(business=business, subject=f"Settlement {settlement.pk}: {display(payout, business.currency)} paid out",
                     body=(f"{settlement.payment_count} payments, gross {display(settlement.gross_minor, business.currency)}, "
                           f"refunds {display(settlement.refunds_minor, business.currency)}, commission "
                           f"{display(settlement.commission_minor, business.currency)}; paid out "
                           f"{display(payout, business.currency)} to {business.payout_account_masked}."))
    return settlement


def _write_lines(settlement: Settlement) -> None:
    line, pay, ref = (m._meta.db_table for m in (SettlementLine, Payment, Refund))
    columns = "settlement_id, payment_id, refund_id, gross_minor, refund_minor, commission_minor, net_minor"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {line} ({columns}) SELECT %s, id, NULL, amount_minor, 0, commission_minor, "
            f"amount_minor - commission_minor FROM {pay} WHERE settlement_id = %s",
            [settlement.pk, settlement.pk],
        )
        cursor.execute(
            f"INSERT INTO {line} ({columns}) SELECT %s, NULL, id, 0, amount_minor, 0, -amount_minor "
            f"FROM {ref} WHERE settlement_id = %s",
            [settlement.pk, settlement.pk],
        )


def settle_all(*, actor=None) -> list[Settlement]:
    """The daily run: settle every active business with a payout account. One business's
    failure is logged and does not stop the others (the next run retries it)."""
    done = []
    businesses = Business.objects.filter(status=Business.Status.ACTIVE).exclude(payout_account="").order_by("pk")
    for business in businesses.iterator():
        try:
            settlement = settle_business(business=business, actor=actor)
        except Exception:
            log.exception("settlement of %s failed; the next run retries it", business.slug)
            continue
        if settlement is not None:
            done.append(settlement)
    return done


# --- reconciliation -------------------------------------------------------------------------
@dataclass
class Difference:
    business: str
    currency: str
    check: str
    expected: int
    actual: int

    def __str__(self):
        return f"{self.business} {self.currency} {self.check}: expected {self.expected}, ledger says {self.actual}"


PROVIDER_METHODS = (Payment.Method.CARD, Payment.Method.WHATSAPP)  # money through provider clearing


def reconcile(*, business: Business | None = None) -> list[Difference]:
    """Prove the ledger: every transaction balances, every balance equals its entries, no
    wallet is negative, and per business and currency the accounts equal what payments,
    refunds, commission, top-ups and payouts say they should. Returns the differences."""
    diffs = []
    businesses = {b.pk: b for b in (Business.objects.filter(pk=business.pk) if business else Business.objects.all())}
    scope = Q(transaction__business_id__in=list(businesses)) if business else Q()
    for row in (LedgerEntry.objects.filter(scope).values("transaction_id", "transaction__business__slug", "currency")
                .annotate(total=Sum("amount_minor")).exclude(total=0)):
        diffs.append(Difference(row["transaction__business__slug"], row["currency"],
                                f"transaction {row['transaction_id']} sums to zero", 0, row["total"]))
    accounts = LedgerAccount.objects.filter(business_id__in=list(businesses)) if business else LedgerAccount.objects.all()
    entry_sums = dict(LedgerEntry.objects.filter(account__in=accounts).values("account_id")
                      .annotate(total=Sum("amount_minor")).values_list("account_id", "total"))
    totals = {}
    for account in accounts.select_related("business"):
        expected = entry_sums.get(account.pk, 0)
        if account.balance_minor != expected:
            diffs.append(Difference(account.business.slug, account.currency, f"balance of {account} = its entries",
                                    expected, account.balance_minor))
        if account.kind == Kind.CUSTOMER_WALLET and account.balance_minor < 0:
            diffs.append(Difference(account.business.slug, account.currency, f"{account} not below zero", 0,
                                    account.balance_minor))
        key = (account.business_id, account.currency, account.kind)
        totals[key] = totals.get(key, 0) + account.balance_minor

    def sums(queryset, **aggregates):
        return {(r["business_id"], r["currency"]): r for r in queryset.values("business_id", "currency").annotate(**aggregates)}

    pay_scope = {"business_id__in": list(businesses)} if business else {}
    captured = sums(Payment.objects.filter(status=Payment.Status.CAPTURED, **pay_scope),
                    gross=Sum("amount_minor"), commission=Sum("commission_minor"),
                    card=Sum("amount_minor", filter=Q(method__in=PROVIDER_METHODS)),
                    wallet=Sum("amount_minor", filter=Q(method=Payment.Method.WALLET)))
    refunds = sums(Refund.objects.filter(**pay_scope), total=Sum("amount_minor"),
                   card=Sum("amount_minor", filter=Q(payment__method__in=PROVIDER_METHODS)),
                   wallet=Sum("amount_minor", filter=Q(payment__method=Payment.Method.WALLET)))
    topups = sums(TopUp.objects.filter(status=TopUp.Status.SUCCEEDED, **pay_scope), total=Sum("amount_minor"))
    payouts = sums(Settlement.objects.filter(**pay_scope), total=Sum("payout_minor"))
    keys = set(captured) | set(refunds) | set(topups) | set(payouts) | {(b, c) for b, c, _ in totals}
    for business_id, currency in sorted(keys):
        def get(table, name):
            return (table.get((business_id, currency)) or {}).get(name) or 0

        gross, commission = get(captured, "gross"), get(captured, "commission")
        expected = {
            Kind.MERCHANT_PAYABLE: gross - get(refunds, "total") - commission - get(payouts, "total"),
            Kind.PLATFORM_REVENUE: commission,
            Kind.PAYOUTS: get(payouts, "total"),
            Kind.PROVIDER_CLEARING: -(get(captured, "card") + get(topups, "total")) + get(refunds, "card"),
            Kind.CUSTOMER_WALLET: get(topups, "total") + get(refunds, "wallet") - get(captured, "wallet"),
        }
        slug = businesses[business_id].slug if business_id in businesses else str(business_id)
        for kind, value in expected.items():
            actual = totals.get((business_id, currency, kind), 0)
            if actual != value:
                diffs.append(Difference(slug, currency, f"{kind} = payments - refunds - commission - payouts",
                                        value, actual))
    statements = Settlement.objects.filter(**pay_scope).annotate(
        lines_net=Coalesce(Sum("lines__net_minor"), 0)).exclude(lines_net=F("net_minor")).select_related("business")
    for settlement in statements[:100]:
        diffs.append(Difference(settlement.business.slug, settlement.currency,
                                f"settlement {settlement.pk} net = its lines", settlement.net_minor, settlement.lines_net))
    settled_without_line = Payment.objects.filter(settlement__isnull=False, settlement_line__isnull=True, **pay_scope)
    for payment in settled_without_line.select_related("business")[:100]:
        diffs.append(Difference(payment.business.slug, payment.currency, f"payment {payment.pk} has a statement line",
                                1, 0))
    return diffs
