"""Order operations.

STAND-INS: `mark_paid` and `mark_refunded` below are minimal stand-ins written on the payments
branch so payments can be built and tested alone; the orders app's real versions (with the
full status machine) replace them at merge. Same signatures, same events.
"""
from django.utils import timezone

from shopchat.outbox import emit_event

from .models import Order


def _event_data(order: Order) -> dict:
    from shopchat.money import format_major

    return {
        "order": order.number, "status": order.status, "total": format_major(order.total_minor, order.currency),
        "currency": order.currency, "customer": {"wa_id": order.customer.wa_id, "name": order.customer.name},
    }


def mark_paid(*, order: Order, actor=None, note: str = "") -> Order:
    """Stand-in: move a pending order to `paid` and emit `order.paid` (called by payments on capture)."""
    now = timezone.now()
    updated = Order.objects.filter(pk=order.pk, status=Order.Status.PENDING_PAYMENT).update(
        status=Order.Status.PAID, paid_at=now, updated_at=now
    )
    if updated:
        order.status, order.paid_at = Order.Status.PAID, now
        emit_event(business=order.business, event_type="order.paid", data=_event_data(order))
    return order


def mark_refunded(*, order: Order, refunded_minor: int, actor=None) -> Order:
    """Stand-in: `refunded` once everything paid is refunded, else `partly_refunded`."""
    status = Order.Status.REFUNDED if refunded_minor >= order.total_minor else Order.Status.PARTLY_REFUNDED
    Order.objects.filter(pk=order.pk).update(status=status, updated_at=timezone.now())
    order.status = status
    return order
