"""The back-office benchmark's data tells one story (paid orders have captured payments, orders
refunded in part have their refund, tickets and chat messages exist) and the pages it times
answer with a query count that does not grow with that data."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.backoffice import seed_orders
from chat.models import OutboundMessage
from orders.models import Order
from payments.models import Payment, Refund
from support import services as support_services
from support.models import Ticket
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_the_seed_gives_paid_orders_payments_and_partial_refunds_their_refund(business):
    seed_orders(business, 60, customer_count=20)
    paid = Order.objects.filter(business=business, paid_at__isnull=False)
    assert Payment.objects.filter(order__in=paid, status="captured").count() == paid.count() > 0
    refunded = Order.objects.filter(business=business, status="partly_refunded")
    assert Refund.objects.filter(payment__order__in=refunded).count() == refunded.count() > 0
    assert Ticket.objects.filter(business=business).count() == 60
    assert OutboundMessage.objects.filter(business=business, status="failed").exists()


def test_the_timed_pages_answer_with_the_same_queries_at_any_size(owner_client, business):
    seed_orders(business, 20, customer_count=10)
    urls = ["/admin/", "/admin/orders/order/?paid_in=today", "/admin/support/ticket/?queue=open"]
    few = {}
    for url in urls:
        owner_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(url).status_code == 200
        few[url] = len(queries)
    customer = business.customers.first()
    for _ in range(10):
        OrderFactory(business=business, customer=customer, status="paid", paid_at=timezone.now())
        support_services.open_ticket(business=business, customer=customer, subject="More", message="x")
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(url).status_code == 200
        assert len(queries) == few[url], url
