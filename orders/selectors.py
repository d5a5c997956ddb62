"""Reads of carts and orders that more than one caller needs (API, admin, chat engine)."""
from django.db.models import Prefetch

from .models import CartItem, Order, OrderLine, OrderTransition


def cart_contents(*, business, customer) -> dict:
    """The customer's cart at today's prices: items (with what is still available) and the
    goods' sum. An absent cart is an empty one."""
    items = list(
        CartItem.objects.filter(cart__business=business, cart__customer=customer)
        .select_related("product").order_by("created_at", "id")
    )
    lines = [
        {"product": item.product, "quantity": item.quantity,
         "line_total_minor": item.product.current_price_minor * item.quantity}
        for item in items
    ]
    return {"customer": customer, "currency": business.currency, "items": lines,
            "subtotal_minor": sum(line["line_total_minor"] for line in lines),
            "item_count": sum(line["quantity"] for line in lines)}


def orders_with_details(queryset=None, *, history: bool = False):
    """Orders with their customer and lines (and status history) loaded in a fixed number of queries."""
    queryset = Order.objects.all() if queryset is None else queryset
    queryset = queryset.select_related("customer").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    )
    if history:
        queryset = queryset.prefetch_related(Prefetch("transitions", queryset=OrderTransition.objects.order_by("created_at", "id")))
    return queryset
