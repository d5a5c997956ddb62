"""What orders tell the outside world: the `order.*` event payloads and the staff's new-order mail."""
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

from shopchat.money import format_major
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


# The staff's new-order mail (English messages of the catalogs, read in each recipient's language).
NEW_ORDER_SUBJECT = gettext_noop("New order %(number)s (%(total)s)")
NEW_ORDER_FROM = gettext_noop("New order %(number)s from %(customer)s (+%(wa_id)s).")
A_CUSTOMER = gettext_noop("a customer")
NEW_ORDER_TOTAL = gettext_noop("Total: %(total)s (awaiting payment)")
DELIVER_TO = gettext_noop("Deliver to:")
NOTE = gettext_noop("Note: %(note)s")


def new_order_mail(order: Order, lines: Sequence[OrderLine]) -> dict[str, Any]:
    """The new-order mail's subject, body and params for `shopchat.outbox.staff_email`: the
    customer's name, the products, address and note as written, the rest in the reader's language."""
    customer, money = order.customer, order.currency
    total = {"money": [order.total_minor, money]}
    body: list[dict[str, Any]] = [
        {"text": NEW_ORDER_FROM, "params": {"number": order.number, "wa_id": customer.wa_id,
                                            "customer": customer.name or {"text": A_CUSTOMER}}},
        {"raw": ""},
    ]
    body += [{"text": "  %(quantity)s x %(title)s (%(retailer_id)s): %(amount)s",  # no words: not in the catalogs
                "params": {"quantity": line.quantity, "title": line.title, "retailer_id": line.retailer_id,
                           "amount": {"money": [line.line_total_minor, money]}}} for line in lines]
    body += [{"raw": ""}, {"text": NEW_ORDER_TOTAL, "params": {"total": total}}]
    if order.address:
        body += [{"raw": ""}, {"text": DELIVER_TO}, {"raw": order.address}]
    if order.note:
        body += [{"raw": ""}, {"text": NOTE, "params": {"note": order.note}}]
    body += [{"raw": ""}, {"raw": f"{settings.SITE_URL}/admin/orders/order/{order.pk}/change/"}]
    return {"subject": NEW_ORDER_SUBJECT, "body": body, "params": {"number": order.number, "total": total}}
