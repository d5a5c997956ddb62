"""What orders tell the outside world: the `order.*` event payloads and the staff's new-order mail."""
from collections.abc import Sequence
from typing import Any

from django.conf import settings

from shopchat.money import display, format_major
from shopchat.outbox import customer_ref

from ..models import Order, OrderLine


def order_event_data(order: Order, lines: Sequence[OrderLine] | None = None, **extra: Any) -> dict[str, Any]:
    """The payload of `order.*` events; `customer` lets the chat adapter message the customer."""
    money = order.currency
    data: dict[str, Any] = {
        "order": order.number, "status": order.status, "currency": money,
        "total": format_major(order.total_minor, money),
        "customer": customer_ref(order.customer),
    }
    if lines is not None:
        data.update({
            "subtotal": format_major(order.subtotal_minor, money), "tax": format_major(order.tax_minor, money),
            "shipping": format_major(order.shipping_minor, money),
            "discount": format_major(order.discount_minor, money),
            "lines": [{"retailer_id": line.retailer_id, "title": line.title, "quantity": line.quantity,
                       "unit_price": format_major(line.unit_price_minor, money),
                       "line_total": format_major(line.line_total_minor, money)} for line in lines],
        })
    data.update(extra)
    return data


def new_order_mail(order: Order, lines: Sequence[OrderLine]) -> str:
    customer = order.customer
    text = [f"New order {order.number} from {customer.name or 'a customer'} (+{customer.wa_id}).", ""]
    text += [f"  {line.quantity} x {line.title} ({line.retailer_id}): {display(line.line_total_minor, order.currency)}"
             for line in lines]
    text += ["", f"Total: {display(order.total_minor, order.currency)} (awaiting payment)"]
    if order.address:
        text += ["", "Deliver to:", order.address]
    if order.note:
        text += ["", f"Note: {order.note}"]
    text += ["", f"{settings.SITE_URL}/admin/orders/order/{order.pk}/change/"]
    return "\n".join(text)
