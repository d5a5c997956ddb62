"""The back-office home page: sales figures and what needs attention, per business and role;
every tile opens the list it counts, and the page's query count does not grow with the data."""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.models import Order
from shopchat.dashboard import period_for
from tests.factories import CustomerFactory, OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db

TILE = re.compile(r'<a class="sc-tile[^"]*" href="([^"]+)"[^>]*>\s*<span class="sc-tile-title">([^<]+)</span>\s*'
                  r'<strong class="sc-tile-value">([^<]*)</strong>')


def tiles(client) -> dict:
    page = client.get("/admin/").content.decode()
    return {title: (value, href.replace("&amp;", "&")) for href, title, value in TILE.findall(page)}


def paid_order(business, *, at, total=100_000, customer=None, **fields):
    customer = customer or CustomerFactory(business=business)
    return OrderFactory(business=business, customer=customer, status=Order.Status.PAID, paid_at=at,
                        subtotal_minor=total, **fields)


def test_owner_sees_paid_orders_to_ship_of_their_business_only(owner_client, business, other_business):
    paid_order(business, at=timezone.now())
    paid_order(other_business, at=timezone.now())
    assert tiles(owner_client)["Paid orders to ship"][0] == "1"


def test_revenue_today_counts_todays_paid_orders_in_the_shops_currency(owner_client, business, other_business):
    now = timezone.now()
    paid_order(business, at=now, total=4000)
    paid_order(business, at=now, total=12_950)
    paid_order(business, at=now, total=99_999, customer=CustomerFactory(business=business, is_test=True))
    paid_order(other_business, at=now, total=77_700)
    OrderFactory(business=business)  # placed, not paid
    assert tiles(owner_client)["Revenue today"][0] == "₹ 169.50"


def test_revenue_shows_the_change_against_the_period_before(owner_client, business):
    period = period_for(owner_client.user)
    paid_order(business, at=period.now, total=30_000)
    paid_order(business, at=period.today - timedelta(hours=2), total=20_000)  # yesterday
    page = owner_client.get("/admin/").content.decode()
    today = page.split("Revenue today")[1].split("</a>")[0]
    assert "+50.0%" in today


def test_revenue_tile_opens_the_orders_it_counts(owner_client, business):
    period = period_for(owner_client.user)
    counted = [paid_order(business, at=period.now), paid_order(business, at=period.now)]
    paid_order(business, at=period.today - timedelta(days=3))
    value, href = tiles(owner_client)["Revenue today"]
    assert "paid_in=today" in href
    listed = owner_client.get(href).content.decode()
    assert all(order.number in listed for order in counted)
    assert listed.count("/change/") >= 2 and f"{business.order_prefix}-" in listed


def test_low_stock_counts_what_is_left_after_reservations_and_opens_that_list(owner_client, business):
    low = ProductFactory(business=business, stock_quantity=10, reserved_quantity=6)
    plenty = ProductFactory(business=business, stock_quantity=100, reserved_quantity=0)
    ProductFactory(business=business, stock_quantity=None)
    value, href = tiles(owner_client)["Products with 5 or fewer left"]
    assert value == "1"
    listed = owner_client.get(href).content.decode()
    assert low.title in listed and plenty.title not in listed


def test_agent_sees_tickets_but_not_sales_catalog_or_events(agent_client):
    shown = tiles(agent_client)
    assert "Unassigned tickets" in shown and "Open tickets" in shown
    assert "Notifications that failed" not in shown
    assert "Revenue today" in shown  # agents read orders


def test_conversations_tile_shows_the_share_that_ordered(owner_client, business):
    now = timezone.now()
    talked = [CustomerFactory(business=business, last_inbound_at=now) for _ in range(4)]
    OrderFactory(business=business, customer=talked[0])
    page = owner_client.get("/admin/").content.decode()
    tile = page.split("Chat conversations, 30 days")[1].split("</a>")[0]
    assert ">4<" in tile and "25% ordered (1)" in tile


def test_every_dashboard_link_opens(owner_client, business):
    paid_order(business, at=timezone.now())
    for title, (_value, href) in tiles(owner_client).items():
        assert owner_client.get(href).status_code == 200, (title, href)


def test_charts_of_sales_per_day_and_orders_by_status_are_drawn(owner_client, business):
    paid_order(business, at=timezone.now(), total=4000)
    page = owner_client.get("/admin/").content.decode()
    assert "Sales per day, 30 days" in page and "Orders by status, 30 days" in page
    assert page.count('<canvas class="chart"') == 2
    assert "&quot;40.00&quot;" in page  # today's sales, in rupees


def test_the_number_of_queries_does_not_grow_with_the_data(owner_client, business):
    paid_order(business, at=timezone.now())
    owner_client.get("/admin/")
    with CaptureQueriesContext(connection) as few:
        owner_client.get("/admin/")
    for days in range(12):
        at = timezone.now() - timedelta(days=days)
        paid_order(business, at=at, refunded_minor=0)
        OrderFactory(business=business, customer=CustomerFactory(business=business, last_inbound_at=at))
    with CaptureQueriesContext(connection) as many:
        owner_client.get("/admin/")
    assert len(many) == len(few)
