"""No overselling under concurrent placements, on PostgreSQL with real threads."""
import threading

import pytest
from django.db import connection

from catalog.models import Product
from orders import errors as order_errors
from orders import services
from orders.models import Order
from tests.conftest import requires_postgres
from tests.factories import CustomerFactory

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 50


def race(business, baskets):
    """Each basket is placed by its own customer in its own thread, all released at once.
    Returns the outcome of each: "ok", "out_of_stock", or the unexpected exception."""
    customers = [CustomerFactory(business=business) for _ in baskets]
    start = threading.Barrier(len(baskets))
    outcomes = [None] * len(baskets)

    def buy(index):
        try:
            start.wait()
            services.place_order(business=business, customer=customers[index], items=baskets[index])
            outcomes[index] = "ok"
        except order_errors.OutOfStock:
            outcomes[index] = "out_of_stock"
        except Exception as exc:  # a deadlock or a CHECK violation would land here
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(len(baskets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_last_units_go_to_exactly_as_many_buyers_as_there_are_units(business):
    product = Product.objects.create(business=business, retailer_id="LAST", title="Last ones", price_minor=1000,
                                     stock_quantity=10)
    outcomes = race(business, [[{"retailer_id": "LAST", "quantity": 1}]] * BUYERS)
    assert outcomes.count("ok") == 10
    assert outcomes.count("out_of_stock") == BUYERS - 10, [o for o in outcomes if o not in ("ok", "out_of_stock")]
    product.refresh_from_db()
    assert (product.stock_quantity, product.reserved_quantity, product.available_quantity) == (10, 10, 0)
    assert Order.objects.filter(business=business).count() == 10
    assert len(set(Order.objects.values_list("number", flat=True))) == 10


def test_buyers_of_two_products_in_opposite_orders_never_deadlock(business):
    a = Product.objects.create(business=business, retailer_id="A", title="A", price_minor=1000, stock_quantity=10)
    b = Product.objects.create(business=business, retailer_id="B", title="B", price_minor=1000, stock_quantity=10)
    ab = [{"retailer_id": "A", "quantity": 1}, {"retailer_id": "B", "quantity": 1}]
    outcomes = race(business, [ab if i % 2 else list(reversed(ab)) for i in range(BUYERS)])
    assert outcomes.count("ok") == 10
    assert outcomes.count("out_of_stock") == BUYERS - 10, [o for o in outcomes if o not in ("ok", "out_of_stock")]
    for product in (a, b):
        product.refresh_from_db()
        assert product.reserved_quantity == 10 and product.available_quantity == 0


def test_concurrent_cancellations_and_placements_keep_stock_exact(business):
    product = Product.objects.create(business=business, retailer_id="P", title="P", price_minor=1000, stock_quantity=10)
    holder = CustomerFactory(business=business)
    held = [services.place_order(business=business, customer=holder, items=[{"retailer_id": "P", "quantity": 1}])
            for _ in range(5)]
    start = threading.Barrier(15)
    errors = []

    def cancel(order):
        try:
            start.wait()
            services.cancel_order(order=order)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    def buy(customer):
        try:
            start.wait()
            services.place_order(business=business, customer=customer, items=[{"retailer_id": "P", "quantity": 1}])
        except order_errors.OutOfStock:
            pass
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    buyers = [CustomerFactory(business=business) for _ in range(10)]
    threads = [threading.Thread(target=cancel, args=(o,)) for o in held]
    threads += [threading.Thread(target=buy, args=(c,)) for c in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    product.refresh_from_db()
    open_orders = Order.objects.filter(business=business, status="pending_payment")
    assert product.reserved_quantity == sum(line.quantity for o in open_orders for line in o.lines.all())
    assert product.reserved_quantity <= 10


def test_racing_through_the_api_sells_the_last_units_once(business):
    from rest_framework.test import APIClient

    from shopchat.services import create_api_key

    Product.objects.create(business=business, retailer_id="HOT", title="Hot", price_minor=1000, stock_quantity=5)
    _, key = create_api_key(business=business, scopes=["gateway"])
    start = threading.Barrier(20)
    statuses = []

    def buy(index):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        try:
            start.wait()
            response = client.post("/api/v1/orders/", {"customer": f"9198770{index:05d}",
                                                       "items": [{"retailer_id": "HOT", "quantity": 1}]}, format="json")
            statuses.append((response.status_code, response.json().get("error", {}).get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses, key=str) == sorted([(201, None)] * 5 + [(409, "out_of_stock")] * 15, key=str)


def test_a_double_tap_on_place_order_orders_the_cart_once(business):
    product = Product.objects.create(business=business, retailer_id="C", title="C", price_minor=1000, stock_quantity=50)
    customer = CustomerFactory(business=business)
    services.set_cart_item(business=business, customer=customer, product=product, quantity=2)
    start = threading.Barrier(4)
    outcomes = []

    def tap():
        try:
            start.wait()
            services.place_order(business=business, customer=customer, from_cart=True)
            outcomes.append("ok")
        except order_errors.EmptyCart:
            outcomes.append("empty")
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes, key=str) == ["empty", "empty", "empty", "ok"]
    product.refresh_from_db()
    assert product.reserved_quantity == 2
