"""The order life cycle: the one place that says what may follow what, and each step.

Each transition is recorded (OrderTransition) and emits `order.<status>` through the outbox in
the same transaction, all written by the change's unit of work (`shopchat.uow`): the order's
update, its transition and its events make one statement on PostgreSQL. Each step decides
before it writes and raises after its block, so it needs no savepoint of its own when it joins
a caller's transaction (payments calls them inside its own), and a caller that catches the
refusal can go on using its transaction. Every step locks the
order row first (`orders.queries.lock_order`), before any stock row, as every path that moves
money does (DESIGN.md, Locks).

Stock: cancelling or expiring an order (or refunding in full what never shipped) releases its
reservation; shipping turns it into a sale (`stock -= q`, `reserved -= q`). Each line remembers
whether it reserved, and each order whether it still holds its reservation, so a release never
runs twice.
"""
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from shopchat.actors import Actor
from shopchat.errors import DomainError, InvalidInput
from shopchat.money import display, format_major
from shopchat.outbox import Event
from shopchat.uow import UnitOfWork, unit_of_work

from .. import queries
from ..errors import IllegalTransition, RefundFirst
from ..models import Order, OrderTransition
from .events import order_event_data

Status = Order.Status

# What may follow what. Guards that depend on more than the status are in can_transition.
TRANSITIONS: dict[str, set[str]] = {
    Status.PENDING_PAYMENT: {Status.PAID, Status.CANCELLED, Status.EXPIRED},
    Status.PAID: {Status.SHIPPED, Status.CANCELLED, Status.PARTLY_REFUNDED, Status.REFUNDED},
    Status.SHIPPED: {Status.DELIVERED, Status.PARTLY_REFUNDED, Status.REFUNDED},
    Status.DELIVERED: {Status.PARTLY_REFUNDED, Status.REFUNDED},
    # A partly refunded order goes on with its life (ship the rest, refund more, cancel).
    Status.PARTLY_REFUNDED: {Status.PARTLY_REFUNDED, Status.REFUNDED, Status.SHIPPED, Status.DELIVERED,
                             Status.CANCELLED},
    # Cancelling a paid order refunds it first; the refund may already have moved it here.
    Status.REFUNDED: {Status.CANCELLED},
    Status.CANCELLED: set(),
    Status.EXPIRED: set(),
}


def can_transition(order: Order, to: str) -> bool:
    if to not in TRANSITIONS.get(order.status, set()):
        return False
    if to == Status.SHIPPED:
        return order.shipped_at is None
    if to == Status.DELIVERED:
        return order.shipped_at is not None and order.delivered_at is None
    if to == Status.CANCELLED:
        return order.shipped_at is None  # what left the warehouse is refunded, not cancelled
    return True


def illegal(order: Order, to: str) -> IllegalTransition:
    return IllegalTransition(number=order.number, status=order.status, status_label=order.get_status_display(),
                             to=to, to_label=str(Status(to).label))


def refusal_to(order: Order, to: str) -> IllegalTransition | None:
    """The error refusing the step to `to`, or None when the order may take it."""
    return None if can_transition(order, to) else illegal(order, to)


def check_transition(order: Order, to: str) -> None:
    refusal = refusal_to(order, to)
    if refusal is not None:
        raise refusal


def _actor(actor: Actor) -> tuple[User | None, str]:
    """(user or None, label) for the history: a staff user, an API key, or the system."""
    if actor is None:
        return None, "system"
    if isinstance(actor, get_user_model()):
        return actor, actor.get_username()[:150]
    return None, str(actor)[:150]


def transition_row(order: Order, from_status: str, to_status: str, *, actor: Actor = None,
                   note: str = "") -> OrderTransition:
    user, label = _actor(actor)
    return OrderTransition(order=order, from_status=from_status, to_status=to_status, actor=user, actor_label=label,
                           note=note or "")


def _move(unit: UnitOfWork, order: Order, to: str, *, actor: Actor = None, note: str = "",
          event_extra: dict[str, Any] | None = None, **fields: Any) -> Order:
    """Apply a transition to a locked order: check it, and give the unit of work the order's
    update, its transition and `order.<to>`."""
    check_transition(order, to)
    from_status = order.status
    fields.update(status=to, updated_at=timezone.now())
    for name, value in fields.items():
        setattr(order, name, value)
    unit.change(Order, order.pk, **fields)
    unit.add(transition_row(order, from_status, to, actor=actor, note=note))
    unit.emit(Event(f"order.{to}", order_event_data(order, **(event_extra or {}))))
    return order


def _release_stock(unit: UnitOfWork, order: Order, *, sold: bool = False) -> None:
    """Give back (or, when `sold`, turn into a sale) what the order's lines reserved. Locks the
    products in primary-key order, after the order, like the placement does."""
    if not order.stock_reserved:
        return
    wanted = queries.reserved_by_order(order_id=order.pk)
    if wanted:
        locked = queries.lock_stock(product_ids=sorted(wanted))
        # never below zero, even if the merchant rewrote the stock of a product meanwhile
        reserved = {p.pk: -min(wanted[p.pk], p.reserved_quantity) for p in locked}
        sold_units = ({p.pk: -min(wanted[p.pk], p.stock_quantity) for p in locked if p.stock_quantity is not None}
                      if sold else None)
        if locked:
            queries.move_stock(reserved=reserved, sold=sold_units)
    order.stock_reserved = False
    unit.change(Order, order.pk, stock_reserved=False)


def mark_paid(*, order: Order, actor: Actor = None, note: str = "") -> Order:
    """Payment captured (called by payments, within its unit of work). Paying a paid order again
    changes nothing; paying an expired or cancelled one is an IllegalTransition (payments then
    refunds the money).

    Locks the order unless the change already holds it (payments locks it with the payment's
    first query). Decides before writing and raises after its block, so it needs no savepoint:
    a payment is one of the busiest writes."""
    with transaction.atomic(savepoint=False), unit_of_work(business=order.business) as unit:
        order = queries.lock_order(unit, order_id=order.pk)
        if order.status == Status.PAID:
            return order
        refusal = refusal_to(order, Status.PAID)
        if refusal is None:
            _move(unit, order, Status.PAID, actor=actor, note=note, paid_at=timezone.now())
    if refusal is not None:
        raise refusal
    return order


def mark_refunded(*, order: Order, refunded_minor: int, actor: Actor = None) -> Order:
    """Record that `refunded_minor` has been refunded on the order *in all so far* (called by
    payments after each refund, within its unit of work): partly_refunded below the total,
    refunded at the total.

    Cumulative, so a repeated call with the same amount changes nothing. A full refund of an
    order that was never shipped releases its stock. On a cancelled order only the amount is
    recorded (the cancellation already told the customer about the refund). Locks the order
    unless the change holds it already.
    """
    if isinstance(refunded_minor, bool) or not isinstance(refunded_minor, int) or refunded_minor <= 0:
        raise InvalidInput("refunded_minor", "The refunded amount must be a positive whole number of minor units.")
    with transaction.atomic(savepoint=False), unit_of_work(business=order.business) as unit:
        order = queries.lock_order(unit, order_id=order.pk)
        refusal, to = _refund_step(order, refunded_minor)
        if refusal is None and to is None and refunded_minor > order.refunded_minor:  # cancelled: the amount only
            order.refunded_minor, order.updated_at = refunded_minor, timezone.now()
            unit.change(Order, order.pk, refunded_minor=refunded_minor, updated_at=order.updated_at)
        elif refusal is None and to is not None:
            if to == Status.REFUNDED and order.shipped_at is None:
                _release_stock(unit, order)
            _move(unit, order, to, actor=actor, note=f"{display(refunded_minor, order.currency)} refunded in all",
                  refunded_minor=refunded_minor, event_extra={"refunded": format_major(refunded_minor, order.currency)})
    if refusal is not None:
        raise refusal
    return order


def _refund_step(order: Order, refunded_minor: int) -> tuple[DomainError | None, str | None]:
    """(refusal, status to move to) for recording `refunded_minor` refunded in all; (None, None)
    when there is nothing to move (already recorded, or a cancelled order)."""
    if refunded_minor > order.total_minor:
        return InvalidInput("refunded_minor", "More than the order's total cannot be refunded."), None
    if refunded_minor <= order.refunded_minor or order.status == Status.CANCELLED:
        return None, None
    to = Status.REFUNDED if refunded_minor >= order.total_minor else Status.PARTLY_REFUNDED
    return (None, to) if can_transition(order, to) else (illegal(order, to), None)


def cancel_order(*, order: Order, actor: Actor = None, reason: str = "") -> Order:
    """Cancel an order that has not shipped, releasing its stock.

    A paid order is cancelled only once its money is back: `payments.services.cancel_order`
    refunds it and then calls this in the same unit of work; here a paid order with money left
    to refund raises RefundFirst. Locks the order (unless the change holds it), then its stock.
    """
    with transaction.atomic(savepoint=False), unit_of_work(business=order.business) as unit:
        order = queries.lock_order(unit, order_id=order.pk)
        refusal: IllegalTransition | RefundFirst | None = refusal_to(order, Status.CANCELLED)
        if refusal is None and order.paid_at is not None and order.refunded_minor < order.total_minor:
            refusal = RefundFirst(order.number)
        if refusal is None:
            _release_stock(unit, order)
            _move(unit, order, Status.CANCELLED, actor=actor, note=reason, cancelled_at=timezone.now(),
                  event_extra={"reason": reason} if reason else None)
    if refusal is not None:
        raise refusal
    return order


def ship_order(*, order: Order, tracking_number: str = "", carrier: str = "", actor: Actor = None) -> Order:
    """The merchant shipped a paid order: its reservation becomes a sale."""
    with transaction.atomic(savepoint=False), unit_of_work(business=order.business) as unit:
        order = queries.lock_order(unit, order_id=order.pk)
        refusal = refusal_to(order, Status.SHIPPED)
        if refusal is None:
            _release_stock(unit, order, sold=True)
            tracking_number, carrier = (tracking_number or "").strip()[:100], (carrier or "").strip()[:100]
            _move(unit, order, Status.SHIPPED, actor=actor, note=" ".join(x for x in (carrier, tracking_number) if x),
                  tracking_number=tracking_number, carrier=carrier, shipped_at=timezone.now(),
                  event_extra={"tracking_number": tracking_number, "carrier": carrier})
    if refusal is not None:
        raise refusal
    return order


def deliver_order(*, order: Order, actor: Actor = None) -> Order:
    """The shipped order reached the customer."""
    with transaction.atomic(savepoint=False), unit_of_work(business=order.business) as unit:
        order = queries.lock_order(unit, order_id=order.pk)
        refusal = refusal_to(order, Status.DELIVERED)
        if refusal is None:
            _move(unit, order, Status.DELIVERED, actor=actor, delivered_at=timezone.now())
    if refusal is not None:
        raise refusal
    return order


def expire_order(*, order: Order, now: datetime | None = None) -> Order | None:
    """Expire one unpaid order whose time ran out and release its stock; None if it was paid
    or cancelled meanwhile (checked under the row lock, so a payment always wins or loses cleanly)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = queries.lock_order_row(order_id=order.pk)
        with unit_of_work(business=locked.business) as unit:
            order = unit.hold(locked)
            if order.status != Status.PENDING_PAYMENT or order.expires_at is None or order.expires_at > now:
                return None
            _release_stock(unit, order)
            return _move(unit, order, Status.EXPIRED,
                         note=f"not paid within {order.business.unpaid_order_minutes} minutes")


def expire_unpaid_orders(*, now: datetime | None = None, batch: int = 200, limit: int = 5000) -> int:
    """Expire every unpaid order past its time (beat, every minute); each in its own
    transaction, so one busy order never holds up the rest. Returns how many expired."""
    now = now or timezone.now()
    expired = 0
    seen: set[int] = set()
    while len(seen) < limit:
        ids = [pk for pk in Order.objects.filter(status=Status.PENDING_PAYMENT, expires_at__lte=now)
               .exclude(pk__in=seen).order_by("expires_at").values_list("pk", flat=True)[:batch]]
        if not ids:
            break
        for pk in ids:
            seen.add(pk)
            if expire_order(order=Order(pk=pk), now=now) is not None:
                expired += 1
    return expired
