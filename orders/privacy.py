"""Orders' part of a customer's export and erasure (registered in `OrdersConfig.ready()`).

Orders are money records: their numbers, lines, amounts, dates and history stay; the delivery
address (the one-line text and the structured snapshot) and the customer's note become
tombstones, saved addresses are deleted, and the cart is emptied. An order still in
progress (not paid yet, paid and not shipped, on its way) stops the erasure: the merchant still
has to deliver it or settle it with the customer."""
from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from shopchat.models import Customer
from shopchat.privacy import TOMBSTONE, Erasure

from .models import Cart, CartItem, CustomerAddress, DiscountRedemption, Order, OrderNote, OrderTransition

Status = Order.Status


def export(customer: Customer) -> dict[str, Any]:
    orders = (Order.objects.filter(customer=customer).order_by("created_at", "id")
              .prefetch_related("lines", Prefetch("transitions", OrderTransition.objects.order_by("created_at", "id"))))
    saved = CustomerAddress.objects.filter(customer=customer).order_by("id")
    uses = (DiscountRedemption.objects.filter(customer=customer).select_related("discount", "order")
            .order_by("created_at", "id"))
    return {"discounts_used": [{
        "code": u.discount.code, "name": u.discount.name, "order": u.order.number, "amount_minor": u.amount_minor,
        "currency": u.order.currency, "at": u.created_at} for u in uses],
        "addresses": sorted({o.address for o in orders if o.address}), "saved_addresses": [{
        "label": a.label, "name": a.name, "line1": a.line1, "line2": a.line2, "city": a.city,
        "postcode": a.postcode, "region": a.region, "country": a.country, "phone": a.phone,
        "latitude": a.latitude, "longitude": a.longitude, "last_used_at": a.last_used_at, "created_at": a.created_at,
    } for a in saved], "orders": [{
        "number": o.number, "status": o.status, "currency": o.currency,
        "subtotal_minor": o.subtotal_minor, "tax_minor": o.tax_minor, "shipping_minor": o.shipping_minor,
        "discount_minor": o.discount_minor, "total_minor": o.total_minor, "refunded_minor": o.refunded_minor,
        "address": o.address, "delivery_address": o.delivery_address, "fulfilment": o.fulfilment, "note": o.note,
        "shipping_method": o.shipping_method, "discount_label": o.discount_label,
        "tracking_number": o.tracking_number, "carrier": o.carrier,
        "created_at": o.created_at, "paid_at": o.paid_at, "shipped_at": o.shipped_at,
        "delivered_at": o.delivered_at, "cancelled_at": o.cancelled_at,
        "lines": [{"retailer_id": ln.retailer_id, "title": ln.title, "unit_price_minor": ln.unit_price_minor,
                   "quantity": ln.quantity, "line_total_minor": ln.line_total_minor} for ln in o.lines.all()],
        "history": [{"from": t.from_status, "to": t.to_status, "at": t.created_at, "note": t.note}
                    for t in o.transitions.all()],
    } for o in orders]}


def check(customer: Customer) -> list[str]:
    """Locks the customer's orders (id order, the first step of the lock order) and refuses
    while one is still in progress."""
    rows = list(Order.objects.select_for_update(of=("self",)).filter(customer=customer).order_by("pk")
                .values_list("number", "status", "delivered_at"))
    open_numbers = [number for number, status, delivered_at in rows
                    if status in (Status.PENDING_PAYMENT, Status.PAID, Status.SHIPPED)
                    or (status == Status.PARTLY_REFUNDED and delivered_at is None)]
    if not open_numbers:
        return []
    return [_("orders %(numbers)s are still open (deliver, cancel or refund them first)")
            % {"numbers": ", ".join(open_numbers)}]


ADDRESS_TEXTS = ("name", "line1", "line2", "phone")


def collect(customer: Customer) -> list[str]:
    """Addresses and notes: their copies in notifications are scrubbed too."""
    texts = []
    for address, note, snapshot in Order.objects.filter(customer=customer).values_list(
            "address", "note", "delivery_address"):
        texts += [address, note] + [str((snapshot or {}).get(k) or "") for k in ADDRESS_TEXTS]
    for row in CustomerAddress.objects.filter(customer=customer).values(*ADDRESS_TEXTS):
        texts += [str(v) for v in row.values()]
    return [t for t in texts if t and len(t) >= 3]


def erase(erasure: Erasure) -> None:
    orders = Order.objects.filter(customer=erasure.customer)
    erasure.count("order addresses", orders.exclude(address="").update(address=TOMBSTONE))
    erasure.count("order addresses", orders.filter(delivery_address__isnull=False).update(delivery_address=None))
    erasure.count("saved addresses", CustomerAddress.objects.filter(customer=erasure.customer).delete()[0])
    erasure.count("order notes", orders.exclude(note="").update(note=TOMBSTONE))
    transitions = list(OrderTransition.objects.filter(order__customer=erasure.customer).exclude(note="")
                       .only("id", "note"))
    changed = [t for t in transitions if erasure.mentions(t.note)]
    for t in changed:
        t.note = TOMBSTONE
    OrderTransition.objects.bulk_update(changed, ["note"], batch_size=500)
    erasure.count("order history notes", len(changed))
    notes = [n for n in OrderNote.objects.filter(order__customer=erasure.customer).only("id", "text")
             if erasure.mentions(n.text)]
    erasure.count("staff notes", OrderNote.objects.filter(pk__in=[n.pk for n in notes]).update(text=TOMBSTONE))
    erasure.count("cart items", CartItem.objects.filter(cart__customer=erasure.customer).delete()[0])
    Cart.objects.filter(customer=erasure.customer).exclude(coupon="").update(coupon="")
