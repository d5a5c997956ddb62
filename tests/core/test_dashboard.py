"""The back-office home page counts what needs attention, per business and role."""
import pytest

from orders.models import Order
from tests.factories import CustomerFactory, OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_owner_sees_paid_orders_to_ship_of_their_business_only(owner_client, business, other_business):
    OrderFactory(business=business, customer=CustomerFactory(business=business), status=Order.Status.PAID)
    OrderFactory(business=other_business, customer=CustomerFactory(business=other_business), status=Order.Status.PAID)
    page = owner_client.get("/admin/").content.decode()
    assert "Paid orders to ship" in page
    tiles = page.split('id="dashboard-tiles"')[1]
    assert ">1</strong>" in tiles


def test_low_stock_counts_what_is_left_after_reservations(owner_client, business):
    ProductFactory(business=business, stock_quantity=10, reserved_quantity=6)
    ProductFactory(business=business, stock_quantity=100, reserved_quantity=0)
    ProductFactory(business=business, stock_quantity=None)
    page = owner_client.get("/admin/").content.decode()
    row = page.split("or fewer left</a></th>")[1].split("</td>")[0]
    assert row.strip().endswith("1")


def test_agent_sees_tickets_but_not_catalog_or_events(agent_client):
    page = agent_client.get("/admin/").content.decode()
    assert "Unassigned tickets" in page
    assert "Notifications that failed" not in page


def test_dashboard_links_open(owner_client):
    page = owner_client.get("/admin/").content.decode()
    tiles = page.split('id="dashboard-tiles"')[1].split("</table>")[0]
    for href in [part.split('"')[0] for part in tiles.split('href="')[1:]]:
        assert owner_client.get(href.replace("&amp;", "&")).status_code == 200, href
