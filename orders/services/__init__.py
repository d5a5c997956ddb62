"""Every rule of carts, orders and stock: one function per operation, one transaction each.

Admin actions, API views, Celery tasks and the chat engine call these and nothing else; the
payments app calls `mark_paid` and `mark_refunded` inside its own unit of work. orders knows
nothing of payments: cancelling a paid order (which refunds it) is `payments.services.cancel_order`.

- `cart`: the chat customer's cart;
- `placement`: placing an order and reserving its stock;
- `lifecycle`: TRANSITIONS, and each step of an order's life;
- `notes`: staff notes on an order;
- `totals`, `numbering`, `events`: what the steps share.

Stock: `Product.stock_quantity` NULL means untracked (always available). The database CHECK
`reserved <= stock` is the last line of defence against selling what is not there.
"""
from .cart import MAX_QUANTITY, clear_cart, remove_cart_item, set_cart_item
from .events import order_event_data
from .lifecycle import (
    TRANSITIONS,
    can_transition,
    cancel_order,
    check_transition,
    deliver_order,
    expire_order,
    expire_unpaid_orders,
    mark_paid,
    mark_refunded,
    ship_order,
)
from .notes import add_order_note
from .placement import MAX_LINES, place_order
from .totals import compute_totals

__all__ = [
    "MAX_LINES", "MAX_QUANTITY", "TRANSITIONS", "add_order_note", "can_transition", "cancel_order",
    "check_transition", "clear_cart", "compute_totals", "deliver_order", "expire_order", "expire_unpaid_orders",
    "mark_paid", "mark_refunded", "order_event_data", "place_order", "remove_cart_item", "set_cart_item",
    "ship_order",
]
