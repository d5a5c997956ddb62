"""The home page's order figures, cached per business: a second look reads no orders' aggregates,
and every write of an order (unit of work or ORM) or of a test-chat flag shows at once."""
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.models import Order
from orders.services import lifecycle
from tests.core.test_dashboard import paid_order, tiles
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def figures_cached(settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def order_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get("/admin/")
    return sum('FROM "orders_order"' in query["sql"] for query in captured.captured_queries)


def test_a_second_look_reads_the_order_figures_from_the_cache(owner_client, business):
    paid_order(business, at=timezone.now())
    first = order_queries(owner_client)
    # both aggregate passes; the 24-hour count and the conversations stay live
    assert order_queries(owner_client) == first - 2


def test_a_payment_through_the_unit_of_work_shows_at_once(owner_client, business,
                                                          django_capture_on_commit_callbacks):
    order = OrderFactory(business=business, status=Order.Status.PENDING_PAYMENT, subtotal_minor=4000)
    assert tiles(owner_client)["Revenue today"][0] == "0"
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.mark_paid(order=order)
    assert tiles(owner_client)["Revenue today"][0] == "₹ 40.00"


def test_an_order_saved_by_the_orm_shows_at_once(owner_client, business, django_capture_on_commit_callbacks):
    assert tiles(owner_client)["Paid orders to ship"][0] == "0"
    with django_capture_on_commit_callbacks(execute=True):
        paid_order(business, at=timezone.now())
    assert tiles(owner_client)["Paid orders to ship"][0] == "1"


def test_another_business_writing_keeps_the_cache(owner_client, business, other_business,
                                                  django_capture_on_commit_callbacks):
    order_queries(owner_client)
    cached = order_queries(owner_client)
    with django_capture_on_commit_callbacks(execute=True):
        paid_order(other_business, at=timezone.now())
    assert order_queries(owner_client) == cached


def test_a_chat_marked_as_a_test_leaves_the_cached_revenue(owner_client, business):
    customer = CustomerFactory(business=business)
    paid_order(business, at=timezone.now(), total=4000, customer=customer)
    assert tiles(owner_client)["Revenue today"][0] == "₹ 40.00"
    customer.is_test = True
    customer.save(update_fields=["is_test"])
    assert tiles(owner_client)["Revenue today"][0] == "0"
