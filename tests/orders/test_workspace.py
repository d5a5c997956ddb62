"""The order workspace: one page with lines, totals, customer, address and the timeline, the
actions the status allows (each through its service), staff notes, CSV export and search."""
import csv
import io

import pytest

from orders.models import OrderNote, OrderTransition
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/orders/order/"


@pytest.fixture
def their_order(other_business):
    from catalog.models import Product
    from orders import services

    Product.objects.create(business=other_business, retailer_id="X", title="Their thing", price_minor=100)
    customer = CustomerFactory(business=other_business, name="Their customer")
    return services.place_order(business=other_business, customer=customer, items=[{"retailer_id": "X", "quantity": 1}])


def page_of(client, order):
    response = client.get(f"{LIST}{order.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_lines_totals_customer_and_the_timeline(owner_client, order_in):
    order = order_in("shipped")
    page = page_of(owner_client, order)
    for text in ["Order " + order.number, "Assam tea", "₹ 500.00", "Asha", "+919800000001", "DHL TRK1",
                 "Placed → Pending payment", "Paid → Shipped", 'id="timeline"']:
        assert text in page, text
    assert "Save and continue" not in page and "Change order" not in page


def test_actions_follow_the_status(owner_client, order_in):
    paid = page_of(owner_client, order_in("paid"))
    assert 'id="action-ship"' in paid and 'id="action-cancel"' in paid and 'id="action-deliver"' not in paid
    shipped = page_of(owner_client, order_in("shipped"))
    assert 'id="action-deliver"' in shipped and 'id="action-ship"' not in shipped
    assert 'id="action-cancel"' not in shipped
    cancelled = page_of(owner_client, order_in("cancelled"))
    assert 'id="action-ship"' not in cancelled and 'id="action-note"' in cancelled


def test_ship_from_the_page_with_carrier_and_tracking(owner_client, order_in):
    order = order_in("paid")
    response = owner_client.post(f"{LIST}{order.pk}/ship/",
                                 {"ship-carrier": "BlueDart", "ship-tracking_number": "AWB9"}, follow=True)
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "BlueDart", "AWB9")
    assert OrderTransition.objects.get(order=order, to_status="shipped").actor == owner_client.user
    assert "Marked shipped" in response.content.decode()


def test_deliver_then_cancel_is_refused_with_the_reason_shown(owner_client, order_in):
    order = order_in("shipped")
    owner_client.post(f"{LIST}{order.pk}/deliver/")
    order.refresh_from_db()
    assert order.status == "delivered"
    response = owner_client.post(f"{LIST}{order.pk}/cancel/", {"cancel-reason": "changed mind"}, follow=True)
    order.refresh_from_db()
    assert order.status == "delivered" and "cannot" in response.content.decode().lower()


def test_cancel_with_a_reason_keeps_it_in_the_history(manager_client, order_in, product):
    order = order_in("pending_payment", quantity=3)
    manager_client.post(f"{LIST}{order.pk}/cancel/", {"cancel-reason": "customer asked by phone"})
    order.refresh_from_db(), product.refresh_from_db()
    assert order.status == "cancelled" and product.reserved_quantity == 0
    assert "customer asked by phone" in page_of(manager_client, order)


def test_a_cancel_without_a_reason_writes_nothing(owner_client, order_in):
    order = order_in("pending_payment")
    response = owner_client.post(f"{LIST}{order.pk}/cancel/", {"cancel-reason": ""}, follow=True)
    order.refresh_from_db()
    assert order.status == "pending_payment" and "required" in response.content.decode()


def test_a_staff_note_lands_in_the_timeline_with_its_author(owner_client, order_in):
    order = order_in("paid")
    owner_client.post(f"{LIST}{order.pk}/note/", {"note-text": "Gift wrap, please"})
    note = OrderNote.objects.get(order=order)
    assert note.author == owner_client.user
    page = page_of(owner_client, order)
    assert "Gift wrap, please" in page and owner_client.user.username in page


def test_agents_read_the_page_but_cannot_act(agent_client, order_in):
    order = order_in("paid")
    page = page_of(agent_client, order)
    assert 'id="action-ship"' not in page and 'id="action-note"' not in page
    assert agent_client.post(f"{LIST}{order.pk}/ship/", {"ship-carrier": "X"}).status_code == 404
    order.refresh_from_db()
    assert order.status == "paid"


def test_another_business_order_answers_404_to_every_action(owner_client, their_order):
    assert owner_client.get(f"{LIST}{their_order.pk}/change/").status_code == 404
    for action in ("ship", "deliver", "cancel", "note"):
        assert owner_client.post(f"{LIST}{their_order.pk}/{action}/", {}).status_code == 404


def test_the_ship_list_action_offers_only_orders_that_can_ship(owner_client, order_in):
    paid, delivered, cancelled = order_in("paid"), order_in("delivered"), order_in("cancelled")
    form = owner_client.post(LIST, {"action": "mark_shipped", "_selected_action": [paid.pk, delivered.pk,
                                                                                    cancelled.pk]})
    html = form.content.decode()
    assert f"tracking_{paid.pk}" in html and f"tracking_{delivered.pk}" not in html
    assert f"tracking_{cancelled.pk}" not in html


def test_csv_export_follows_the_filter_and_escapes_formulas(owner_client, order_in, business):
    paid = order_in("paid")
    pending = order_in("pending_payment")
    paid.customer.name = "=HYPERLINK(\"http://x\")"
    paid.customer.save()
    response = owner_client.get(f"{LIST}export.csv", {"status__exact": "paid"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["number", "placed_at", "status"]
    numbers = [row[0] for row in rows[1:]]
    assert paid.number in numbers and pending.number not in numbers
    assert rows[1][3].startswith("'=") and rows[1][10] == "500.00"


@pytest.mark.parametrize("term", ["{number}", "{bare}", "#{bare}", "9800000001", "+91 98000 00001", "AWB-77",
                                  "asha"])
def test_search_by_number_with_or_without_prefix_phone_with_or_without_country_code_or_tracking(
        owner_client, order_in, business, term):
    ours = order_in("paid")
    ours.tracking_number = "AWB-77"
    ours.save(update_fields=["tracking_number"])
    other = order_in("paid")
    other.customer = CustomerFactory(business=business, name="Zed", wa_id="447700900123")
    other.save(update_fields=["customer"])
    query = term.format(number=ours.number, bare=ours.sequence)
    page = owner_client.get(LIST, {"q": query}).content.decode()
    assert ours.number in page and other.number not in page


def test_the_totals_name_the_shipping_option_and_the_discount(owner_client, order_in):
    from orders.models import Order

    order = order_in("paid")
    Order.objects.filter(pk=order.pk).update(shipping_method="Express", discount_label="SAVE10")
    page = page_of(owner_client, order)
    assert "Shipping (Express)" in page
