"""Fixtures of the orders tests: products with or without tracked stock, a chat customer, and
orders in any state, made through the services like real ones (paid from the customer's wallet,
refunded and cancelled through payments, which moves the money)."""
from datetime import timedelta

import pytest

from catalog.models import Product
from orders import services
from payments import services as payment_services
from tests.factories import CustomerFactory, fund_wallet


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
def order_in(business, customer, product):
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
                fund_wallet(customer, order.total_minor)
                payment_services.pay_order(order=order, method="wallet")
                order.refresh_from_db()
            elif step == "shipped":
                order = services.ship_order(order=order, tracking_number="TRK1", carrier="DHL")
            elif step == "delivered":
                order = services.deliver_order(order=order)
            elif step == "cancelled":
                order = payment_services.cancel_order(order=order)
            elif step == "expired":
                order = services.expire_order(order=order, now=order.expires_at + timedelta(seconds=1))
            elif step == "partly_refunded":
                payment_services.refund_order(order=order, amount_minor=1000)
                order.refresh_from_db()
            elif step == "refunded":
                payment_services.refund_order(order=order)
                order.refresh_from_db()
        assert order.status == status
        return order

    return make
