"""The benchmark floors do the work they claim to, so the ratios in docs/BENCHMARKS.md compare
like with like (PostgreSQL only: the floors are raw PostgreSQL SQL)."""
import pytest
from django.db import connection
from django.test import Client

from orders.models import Order, OrderLine
from payments.models import LedgerAccount, LedgerEntry
from shopchat.models import OutboxEvent
from support.models import Ticket
from tests.conftest import requires_postgres
from tests.factories import CustomerFactory, ProductFactory

pytestmark = [requires_postgres, pytest.mark.django_db]


def test_placement_floor_reserves_stock_and_writes_the_order_and_its_lines(business):
    customer = CustomerFactory(business=business)
    products = [ProductFactory(business=business, stock_quantity=5, price_minor=1000 * (n + 1)) for n in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("CREATE SEQUENCE IF NOT EXISTS bench_floor_order_number")
    response = Client().post("/bench/floor/place-order/", {"business": business.pk, "customer": customer.pk,
                                                           "products": [p.pk for p in products]},
                             content_type="application/json")
    assert response.status_code == 201
    order = Order.objects.get(number=response.json()["number"])
    assert order.total_minor == 6000 and OrderLine.objects.filter(order=order).count() == 3
    for product in products:
        product.refresh_from_db()
        assert product.reserved_quantity == 1


def test_money_floor_moves_a_balanced_pair_between_two_locked_balances(business):
    customer = CustomerFactory(business=business)
    source = LedgerAccount.objects.create(business=business, kind="customer_wallet", customer=customer,
                                          currency=business.currency, balance_minor=10)
    target = LedgerAccount.objects.create(business=business, kind="merchant_payable", currency=business.currency)
    response = Client().post("/bench/floor/move-money/", {"from": source.pk, "to": target.pk, "amount": 3},
                             content_type="application/json")
    assert response.status_code == 201
    entries = LedgerEntry.objects.filter(transaction_id=response.json()["transaction"])
    assert sorted(e.amount_minor for e in entries) == [-3, 3]
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.balance_minor, target.balance_minor) == (7, 3)


def test_ticket_floor_writes_the_ticket_its_message_and_one_event(business):
    customer = CustomerFactory(business=business)
    with connection.cursor() as cursor:
        cursor.execute("CREATE SEQUENCE IF NOT EXISTS bench_floor_ticket_number")
    response = Client().post("/bench/floor/open-ticket/", {"business": business.pk, "customer": customer.pk,
                                                           "subject": "Late", "message": "Where is my order?"},
                             content_type="application/json")
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.customer == customer and ticket.messages.get().body == "Where is my order?"
    assert OutboxEvent.objects.filter(business=business, event_type="ticket.created").count() == 1


def test_gateway_floor_runs_the_five_steps_and_places_the_carted_item(business):
    product = ProductFactory(business=business, stock_quantity=5, price_minor=2500)
    with connection.cursor() as cursor:
        cursor.execute("CREATE SEQUENCE IF NOT EXISTS bench_floor_gateway_number")
    client, base = Client(), f"/bench/floor/gateway/{business.pk}"
    listed = client.get(f"{base}/products/")
    assert listed.status_code == 200 and listed.json()["results"][0]["retailer_id"] == product.retailer_id
    assert client.get(f"{base}/products/{product.retailer_id}/").json()["price_minor"] == 2500
    assert client.put(f"{base}/customers/919812345678/", {"name": "Asha", "locale": "en_IN"},
                      content_type="application/json").status_code == 201
    assert client.put(f"{base}/customers/919812345678/", {"name": "Asha K", "locale": "en_IN"},
                      content_type="application/json").status_code == 200
    carted = client.put(f"{base}/customers/919812345678/cart/items/{product.retailer_id}/", {"quantity": 2},
                        content_type="application/json")
    assert carted.status_code == 200 and carted.json()["quantity"] == 2
    placed = client.post(f"{base}/orders/", {"customer": "919812345678"}, content_type="application/json")
    assert placed.status_code == 201 and placed.json()["total"] == 5000
    order = Order.objects.get(business=business, number=placed.json()["number"])
    assert order.customer.name == "Asha K" and order.lines.get().quantity == 2
    product.refresh_from_db()
    assert product.reserved_quantity == 2
    assert client.post(f"{base}/orders/", {"customer": "919812345678"},
                       content_type="application/json").status_code == 409  # the cart is empty now
