"""Placing an order costs a fixed number of queries, whatever the number of lines."""
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders import services

pytestmark = pytest.mark.django_db(transaction=True)  # commits: the steady state, numbering set up

# PostgreSQL 8: begin, the products, nextval, the order, its lines with the transition and the
# events (one statement), the stock rows locked, reserved, commit. SQLite 11: the counter row is
# updated then read instead of nextval, and lines, transition and events are 3 INSERTs.
MAX_QUERIES = 8 if connection.vendor == "postgresql" else 11


@pytest.fixture(autouse=True)
def deliveries_left_to_the_worker():
    """Eager Celery would deliver the events inside the count; a worker does that."""
    with mock.patch("shopchat.outbox.enqueue_delivery"):
        yield


def placement_queries(business, customer, make_product, lines, prefix):
    for n in range(lines):
        make_product(f"{prefix}{n}", stock=100 if n % 2 == 0 else None)
    items = [{"retailer_id": f"{prefix}{n}", "quantity": 1, "item_price": "100.00"} for n in range(lines)]
    with CaptureQueriesContext(connection) as queries:
        services.place_order(business=business, customer=customer, items=items)
    return len(queries.captured_queries)


def test_placement_queries_do_not_grow_with_the_number_of_lines(business, customer, make_product, owner_client):
    services.place_order(business=business, customer=customer,
                         items=[{"retailer_id": make_product("WARM").retailer_id, "quantity": 1}])  # counter row
    one = placement_queries(business, customer, make_product, 1, "ONE")
    twenty = placement_queries(business, customer, make_product, 20, "TWENTY")
    assert one == twenty <= MAX_QUERIES, (one, twenty)


def test_placement_from_the_cart_is_bounded_too(business, customer, make_product):
    services.place_order(business=business, customer=customer,
                         items=[{"retailer_id": make_product("WARM").retailer_id, "quantity": 1}])  # numbering
    products = [make_product(f"C{n}", stock=50) for n in range(10)]
    for product in products:
        services.set_cart_item(business=business, customer=customer, product=product, quantity=2)
    with CaptureQueriesContext(connection) as queries:
        services.place_order(business=business, customer=customer, from_cart=True)
    # lock, read and empty the cart
    assert len(queries.captured_queries) <= MAX_QUERIES + 3, len(queries.captured_queries)


def test_placement_through_the_api_is_bounded(api, customer, make_product, django_assert_max_num_queries):
    make_product("A", stock=10)
    api.post("/api/v1/orders/", {"customer": customer.wa_id, "items": [{"retailer_id": "A", "quantity": 1}]},
             format="json")
    items = [{"retailer_id": make_product(f"B{n}", stock=10).retailer_id, "quantity": 1} for n in range(20)]
    with django_assert_max_num_queries(MAX_QUERIES + 2):
        response = api.post("/api/v1/orders/", {"customer": customer.wa_id, "items": items}, format="json")
    assert response.status_code == 201


def test_a_structured_address_costs_no_query_and_a_saved_one_costs_one(business, customer, make_product):
    from orders.services.addresses import clean_address, save_address

    address = {"line1": "17 MG Road", "city": "Bengaluru", "postcode": "560001", "region": "Karnataka",
               "country": "IN"}
    save_address(business=business, customer=customer, label="home", address=clean_address(address, customer=customer))
    services.place_order(business=business, customer=customer,
                         items=[{"retailer_id": make_product("WARM").retailer_id, "quantity": 1}])  # numbering
    make_product("P", stock=100)
    items = [{"retailer_id": "P", "quantity": 1}]
    counts = []
    for extra in ({}, {"address": address}, {"address_label": "home"}):
        with CaptureQueriesContext(connection) as queries:
            services.place_order(business=business, customer=customer, items=items, **extra)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] == counts[2] - 1, counts


def test_a_cart_of_variants_is_placed_with_the_queries_of_a_cart_of_plain_products(business, customer, make_product):
    """Variants are products: the placement reads their attributes with the title (the lines name
    the variant) and asks nothing per variant."""
    services.place_order(business=business, customer=customer,
                         items=[{"retailer_id": make_product("WARM").retailer_id, "quantity": 1}])  # numbering

    def placed_from_cart(products):
        for product in products:
            services.set_cart_item(business=business, customer=customer, product=product, quantity=1)
        with CaptureQueriesContext(connection) as queries:
            order = services.place_order(business=business, customer=customer, from_cart=True)
        return len(queries.captured_queries), order

    plain, _ = placed_from_cart([make_product(f"PLAIN{n}", stock=50) for n in range(6)])
    variants = [make_product(f"TEE-{size}", stock=50, title="Tee", item_group_id="TEE", size=size, color="Navy",
                             gender="unisex") for size in ("XS", "S", "M", "L", "XL", "XXL")]
    grouped, order = placed_from_cart(variants)
    assert grouped == plain <= MAX_QUERIES + 3, (plain, grouped)
    titles = [line.title for line in order.lines.all()]  # in the order the cart holds them
    assert titles[:2] == ["Tee (XS, Navy, Unisex)", "Tee (S, Navy, Unisex)"]
