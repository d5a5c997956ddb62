"""Fixtures of the orders tests: products with or without tracked stock, a chat customer,
orders in any state (made through the services, like real ones), and a stand-in for
payments.services.refund_order (built on another branch)."""
import sys
import types
from datetime import timedelta

import pytest

from catalog.models import Product
from orders import services
from tests.factories import CustomerFactory


@pytest.fixture
def make_product(business):
    counter = iter(range(1, 10_000))

    def make(retailer_id=None, *, business=business, price_minor=10000, stock=None, **fields):
        return Product.objects.create(
            business=business, retailer_id=retailer_id or f"SKU-{next(counter)}", title=fields.pop("title", "Thing"),
            price_minor=price_minor, stock_quantity=stock, **fields,
        )

    return make


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, wa_id="919800000001", name="Asha")


@pytest.fixture
def product(make_product):
    return make_product("TEA", title="Assam tea", price_minor=25000, stock=20)


@pytest.fixture
def fake_refunds(monkeypatch):
    """payments.services.refund_order as the payments app will provide it: refunds what is left
    and tells orders through mark_refunded. Records its calls."""
    calls = []

    def refund_order(*, order, amount_minor=None, actor=None, reason=""):
        calls.append({"order": order.number, "amount_minor": amount_minor, "reason": reason})
        services.mark_refunded(order=order, refunded_minor=order.total_minor, actor=actor)

    module = types.ModuleType("payments.services")
    module.refund_order = refund_order
    monkeypatch.setitem(sys.modules, "payments.services", module)
    return calls


@pytest.fixture
def order_in(business, customer, product, fake_refunds):
    """order_in(status) -> an order brought to `status` through the services."""

    def make(status, quantity=2):
        order = services.place_order(business=business, customer=customer,
                                     items=[{"retailer_id": product.retailer_id, "quantity": quantity}])
        steps = {
            "pending_payment": [], "paid": ["paid"], "shipped": ["paid", "shipped"],
            "delivered": ["paid", "shipped", "delivered"], "cancelled": ["cancelled"], "expired": ["expired"],
            "partly_refunded": ["paid", "partly_refunded"], "refunded": ["paid", "refunded"],
        }[status]
        for step in steps:
            if step == "paid":
                order = services.mark_paid(order=order)
            elif step == "shipped":
                order = services.ship_order(order=order, tracking_number="TRK1", carrier="DHL")
            elif step == "delivered":
                order = services.deliver_order(order=order)
            elif step == "cancelled":
                order = services.cancel_order(order=order)
            elif step == "expired":
                order = services.expire_order(order=order, now=order.expires_at + timedelta(seconds=1))
            elif step == "partly_refunded":
                order = services.mark_refunded(order=order, refunded_minor=1000)
            elif step == "refunded":
                order = services.mark_refunded(order=order, refunded_minor=order.total_minor)
        assert order.status == status
        return order

    return make
