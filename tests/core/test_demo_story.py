"""seed_demo tells one consistent story: an order in every state, every paid order with its
captured payment, one refunded in part, one settlement done and a payment left to settle,
tickets from customers who ordered, conversations with a list and a cart; the ledger reconciles."""
import io

import pytest
from django.core.management import call_command

from chat.models import InboundMessage, OutboundMessage
from orders.models import Cart, Order
from payments import services
from payments.models import Payment, Refund, Settlement
from support.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", "--products", "12", stdout=io.StringIO())
    call_command("seed_demo", "--products", "12", stdout=io.StringIO())  # a second run adds nothing


def test_every_state_and_every_paid_order_has_its_payment(demo):
    orders = Order.objects.filter(business__slug="demo-grocer")
    assert set(orders.values_list("status", flat=True)) == set(Order.Status.values)
    for order in orders.filter(paid_at__isnull=False):
        assert Payment.objects.filter(order=order, status="captured").count() == 1, order.number
    assert not Payment.objects.filter(order__paid_at__isnull=True, status="captured").exists()


def test_refunds_a_settlement_and_a_payment_left_to_settle(demo):
    partly = Order.objects.get(business__slug="demo-grocer", status="partly_refunded")
    assert 0 < Refund.objects.get(payment__order=partly).amount_minor < partly.total_minor
    assert Settlement.objects.filter(business__slug="demo-grocer").count() == 1
    assert Payment.objects.filter(business__slug="demo-grocer", status="captured", settlement__isnull=True).exists()
    assert services.reconcile() == []


def test_tickets_come_from_customers_who_ordered(demo):
    for ticket in Ticket.objects.filter(business__slug="demo-grocer", kind="customer"):
        assert Order.objects.filter(customer=ticket.customer).exists(), ticket.subject
        assert ticket.order_id is not None


def test_conversations_show_a_list_and_a_cart(demo):
    assert OutboundMessage.objects.filter(kind="list").exists()
    assert InboundMessage.objects.filter(type="order").exists()
    assert Cart.objects.filter(business__slug="demo-grocer", items__isnull=False).exists()
