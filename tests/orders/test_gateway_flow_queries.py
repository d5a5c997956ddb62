"""The gateway flow's SQL per step (issue #21), BEGIN and COMMIT counted: a chat gateway's new
customer lists the catalog, opens a product, is upserted, puts one item in the cart and orders
the cart. PostgreSQL: list 1, detail 1, customer 2, cart 3, order from the cart 8 (bench/gateway.py
reports the same counts from the bench database)."""
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import CartItem, Order
from tests.conftest import requires_postgres

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]  # commits: the steady state


@pytest.fixture(autouse=True)
def api_key_cached(settings):
    """As served: the key is looked up once, not on every request."""
    settings.API_KEY_CACHE_SECONDS = 60


@pytest.fixture(autouse=True)
def deliveries_left_to_the_worker():
    """Eager Celery would deliver the events inside the count; a worker does that."""
    with mock.patch("shopchat.outbox.enqueue_delivery"):
        yield


def flow(wa_id, sku):
    return [
        ("get", "/api/v1/catalog/products/", None),
        ("get", f"/api/v1/catalog/products/{sku}/", None),
        ("put", f"/api/v1/customers/{wa_id}/", {"name": "Asha", "locale": "en_IN"}),
        ("put", f"/api/v1/customers/{wa_id}/cart/items/{sku}/", {"quantity": 2}),
        ("post", "/api/v1/orders/", {"customer": wa_id, "from_cart": True}),
    ]


def statements_per_step(api, wa_id, sku):
    counts = []
    for method, path, body in flow(wa_id, sku):
        with CaptureQueriesContext(connection) as captured:
            response = getattr(api, method)(path, body, format="json")
        assert 200 <= response.status_code < 300, response.content
        counts.append(len(captured.captured_queries))
    return counts


def test_a_new_customers_gateway_flow_takes_1_1_2_3_8_statements(api, make_product):
    make_product("TEA", stock=100)
    statements_per_step(api, "919800000101", "TEA")  # the API key cached, the order numbering set up
    assert statements_per_step(api, "919800000102", "TEA") == [1, 1, 2, 3, 8]
    order = Order.objects.get(customer__wa_id="919800000102")
    assert order.lines.get().quantity == 2 and not CartItem.objects.filter(cart__customer=order.customer).exists()


def test_a_returning_customers_cart_add_stays_at_3_statements_with_more_items(api, make_product):
    for n in range(5):
        make_product(f"ITEM{n}", stock=100)
    api.put("/api/v1/customers/919800000103/", {"name": "Asha"}, format="json")
    counts = []
    for n in range(5):
        with CaptureQueriesContext(connection) as captured:
            response = api.put(f"/api/v1/customers/919800000103/cart/items/ITEM{n}/", {"quantity": 1}, format="json")
        counts.append(len(captured.captured_queries))
        assert response.json()["item_count"] == n + 1
    assert counts == [3] * 5
