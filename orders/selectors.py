"""Reads of carts and orders that more than one caller needs (API, admin, chat engine)."""
from typing import TypedDict

from django.db.models import Prefetch, QuerySet

from catalog.models import Product
from shopchat.models import Business, Customer

from .models import CartItem, Order, OrderLine, OrderTransition


class CartLine(TypedDict):
    product: Product
    quantity: int
    line_total_minor: int


class CartContents(TypedDict):
    customer: Customer
    currency: str
    items: list[CartLine]
    subtotal_minor: int
    item_count: int


def cart_contents(*, business: Business, customer: Customer) -> CartContents:
    """The customer's cart at today's prices: items (with what is still available) and the
    goods' sum. An absent cart is an empty one."""
    items = list(
        CartItem.objects.filter(cart__business=business, cart__customer=customer)
        .select_related("product").order_by("created_at", "id")
    )
    return contents_of(business=business, customer=customer, items=[(i.product, i.quantity) for i in items])


def contents_of(*, business: Business, customer: Customer, items: list[tuple[Product, int]]) -> CartContents:
    """The cart's answer from its items ((product, quantity), in cart order) already read."""
    lines: list[CartLine] = [
        {"product": product, "quantity": quantity, "line_total_minor": product.current_price_minor * quantity}
        for product, quantity in items
    ]
    return {"customer": customer, "currency": business.currency, "items": lines,
            "subtotal_minor": sum(line["line_total_minor"] for line in lines),
            "item_count": sum(line["quantity"] for line in lines)}


def orders_with_details(queryset: QuerySet[Order] | None = None, *, history: bool = False) -> QuerySet[Order]:
    """Orders with their customer and lines (and status history) loaded in a fixed number of queries."""
    queryset = Order.objects.all() if queryset is None else queryset
    queryset = queryset.select_related("customer").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    )
    if history:
        queryset = queryset.prefetch_related(
            Prefetch("transitions", queryset=OrderTransition.objects.order_by("created_at", "id"))
        )
    return queryset
