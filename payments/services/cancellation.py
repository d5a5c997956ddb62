"""Cancelling an order, refunding it first when it is paid: the one operation that knows both
orders and payments, so it lives on the payments side (orders knows nothing of payments)."""
from django.db import transaction

from orders import queries as order_queries
from orders import services as order_services
from orders.models import Order
from shopchat.actors import Actor
from shopchat.conflicts import retry_conflicts
from shopchat.uow import unit_of_work

from .refunds import refund_locked_order


@retry_conflicts
def cancel_order(*, order: Order, actor: Actor = None, reason: str = "") -> Order:
    """Cancel an order that has not shipped, releasing its stock; a paid order is refunded first
    (all that is left), in this same transaction: if the refund fails, nothing is cancelled.

    Locks the order first, then (refunding) the wallet and the ledger accounts, then its stock
    rows; the refund's and the cancellation's writes go out together at the end."""
    with transaction.atomic(), unit_of_work(business=order.business) as unit:
        order = order_queries.lock_order(unit, order_id=order.pk)
        order_services.check_transition(order, Order.Status.CANCELLED)
        if order.paid_at is not None and order.refunded_minor < order.total_minor:
            refund_locked_order(unit, order, amount_minor=None, actor=actor, reason=reason or "order cancelled")
        return order_services.cancel_order(order=order, actor=actor, reason=reason)
