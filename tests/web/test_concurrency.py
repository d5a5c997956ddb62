"""Sign-ups and browser chats at the same time (PostgreSQL, real threads)."""
import threading

import pytest
from django.db import connection

from chat import webchat
from chat.models import WebChatMessage
from orders.models import Order
from shopchat.models import Business
from tests.conftest import requires_postgres
from tests.factories import BusinessFactory, ProductFactory
from web import signup
from web.errors import EmailTaken

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def run_together(target, args_list):
    outcomes = []

    def one(*args):
        try:
            outcomes.append(target(*args))
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=args) for args in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_sign_ups_with_one_email_make_one_shop():
    def sign_up(n):
        return signup.sign_up(business_name=f"Shop {n}", country="IN", currency="INR", owner_name="Meera",
                              email="meera@example.com", password="kettle-saffron-42-orbit")

    outcomes = run_together(sign_up, [(n,) for n in range(4)])
    assert sum(1 for o in outcomes if isinstance(o, EmailTaken)) == 3
    assert [o for o in outcomes if not isinstance(o, (EmailTaken, signup.SignUp))] == []
    assert Business.objects.count() == 1


def test_a_visitors_taps_at_the_same_time_are_answered_one_after_the_other():
    business = BusinessFactory()
    ProductFactory(business=business, retailer_id="TEA-1", stock_quantity=1)
    visitor, _ = webchat.start_visitor(business=business)
    tap = webchat.inbound_reply("buy:TEA-1", "Order one", from_list=False)
    outcomes = run_together(lambda: webchat.converse(visitor=visitor, message=tap), [()] * 3)
    assert all(isinstance(o, list) for o in outcomes), outcomes
    assert Order.objects.count() == 1  # one unit in stock: the other taps are told it is gone
    ids = list(WebChatMessage.objects.filter(customer=visitor.customer).values_list("direction", flat=True)
               .order_by("id"))
    assert ids == ["in", "out"] * 3  # each tap and its answer together, never interleaved
