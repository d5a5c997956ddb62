"""The order answers written out equal what their declared fields give."""
import pytest
from rest_framework import serializers

from orders import services
from orders.api.serializers import OrderDetailSerializer, OrderSerializer
from orders.models import Order
from orders.selectors import orders_with_details
from tests.factories import BusinessFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def both(serializer_class, order):
    serializer = serializer_class(order, context={"business": order.business})
    fields = serializers.Serializer.to_representation(serializer, order)
    written = serializer.data
    assert list(written) == list(fields)
    return written, fields


@pytest.fixture
def placed():
    business = BusinessFactory(shipping_fee_minor=500, tax_rate_percent="18.00", prices_include_tax=False)
    customer = CustomerFactory(business=business, name="Asha")
    products = [ProductFactory(business=business, price_minor=1_000 + n, stock_quantity=10) for n in range(3)]
    return services.place_order(business=business, customer=customer, address="12 MG Road", note="ring twice",
                                items=[{"retailer_id": p.retailer_id, "quantity": 2} for p in products])


def test_a_placed_order_written_out_equals_its_fields(placed):
    written, fields = both(OrderSerializer, placed)
    assert written == fields
    assert len(written["lines"]) == 3 and written["paid_at"] is None and written["expires_at"]


def test_an_order_with_its_history_written_out_equals_its_fields(placed):
    services.cancel_order(order=placed, reason="changed my mind")
    order = orders_with_details(Order.objects.all(), history=True).get(pk=placed.pk)
    written, fields = both(OrderDetailSerializer, order)
    assert written == fields
    assert [step["to_status"] for step in written["history"]] == ["pending_payment", "cancelled"]
