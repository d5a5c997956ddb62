"""The customer page: profile, orders and total spent, wallet, tickets and conversation, with a
way to write to the customer; each section only for the roles that see its area."""
import pytest
from django.utils import timezone

from chat.models import InboundMessage
from orders.models import Order
from support import services as support_services
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_the_customer_page_shows_orders_spent_tickets_and_conversation(owner_client, business):
    customer = CustomerFactory(business=business, name="Asha", last_inbound_at=timezone.now())
    OrderFactory(business=business, customer=customer, status=Order.Status.PAID, paid_at=timezone.now(),
                 subtotal_minor=40_000, refunded_minor=10_000)
    OrderFactory(business=business, customer=customer)  # not paid: not spent
    support_services.open_ticket(business=business, customer=customer, subject="Late tea", message="Where?")
    InboundMessage.objects.create(business=business, customer=customer, wa_id=customer.wa_id, wa_message_id="w1",
                                  type="text", payload={"type": "text", "text": {"body": "Is it coming?"}})
    page = owner_client.get(f"/admin/shopchat/customer/{customer.pk}/change/").content.decode()
    for text in ('id="customer-orders"', "₹ 300.00", 'id="customer-tickets"',
                 "Late tea", "Is it coming?", 'id="customer-message"'):
        assert text in page, text
    orders_url = page.split("all orders")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    listed = owner_client.get(orders_url)
    assert listed.status_code == 200


def test_an_agent_sees_the_conversation_but_not_the_wallet(agent_client, business):
    customer = CustomerFactory(business=business)
    page = agent_client.get(f"/admin/shopchat/customer/{customer.pk}/change/").content.decode()
    assert 'id="customer-conversation"' in page and 'id="customer-wallet"' not in page


def test_another_business_customer_is_not_shown(owner_client, other_business):
    stranger = CustomerFactory(business=other_business, name="Stranger")
    response = owner_client.get(f"/admin/shopchat/customer/{stranger.pk}/change/")
    assert response.status_code in (302, 404) and "Stranger" not in response.content.decode()


def test_owners_and_managers_get_export_and_erasure_buttons_agents_do_not(owner_client, manager_client,
                                                                           agent_client, business):
    customer = CustomerFactory(business=business)
    url = f"/admin/shopchat/customer/{customer.pk}/change/"
    for client in (owner_client, manager_client):
        page = client.get(url).content.decode()
        assert 'id="customer-export"' in page and 'id="customer-erase"' in page
    page = agent_client.get(url).content.decode()
    assert 'id="customer-privacy"' not in page and "export_data" not in page and "erase_data" not in page


def test_the_export_button_downloads_the_customers_data(manager_client, business):
    customer = CustomerFactory(business=business, name="Asha")
    response = manager_client.post("/admin/shopchat/customer/", {
        "action": "export_data", "_selected_action": [customer.pk], "index": "0"})
    assert response["Content-Disposition"] == f'attachment; filename="customer-{customer.pk}-export.json"'
    assert "Asha" in response.content.decode()


def test_the_erase_button_asks_first_then_erases(owner_client, business):
    customer = CustomerFactory(business=business, name="Asha")
    form = {"action": "erase_data", "_selected_action": [customer.pk], "index": "0"}
    confirmation = owner_client.post("/admin/shopchat/customer/", form)
    assert confirmation.status_code == 200 and 'name="confirm"' in confirmation.content.decode()
    customer.refresh_from_db()
    assert customer.erased_at is None
    owner_client.post("/admin/shopchat/customer/", {**form, "confirm": "yes", "reason": "asked by phone"})
    customer.refresh_from_db()
    assert customer.erased_at is not None and customer.name != "Asha"
    page = owner_client.get(f"/admin/shopchat/customer/{customer.pk}/change/").content.decode()
    assert 'id="customer-erased"' in page and 'id="customer-erase"' not in page


def test_an_agent_cannot_run_the_export_by_posting_it(agent_client, business):
    customer = CustomerFactory(business=business, name="Asha")
    response = agent_client.post("/admin/shopchat/customer/", {
        "action": "export_data", "_selected_action": [customer.pk], "index": "0"})
    assert "Content-Disposition" not in response and '"export_format"' not in response.content.decode()


def test_the_customer_page_query_count_does_not_grow_with_orders_tickets_and_messages(owner_client, business):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = CustomerFactory(business=business, name="Asha", last_inbound_at=timezone.now())
    url = f"/admin/shopchat/customer/{customer.pk}/change/"
    OrderFactory(business=business, customer=customer)
    owner_client.get(url)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(url)
    for n in range(5):
        OrderFactory(business=business, customer=customer, status=Order.Status.PAID, paid_at=timezone.now())
        support_services.open_ticket(business=business, customer=customer, subject=f"Ticket {n}", message="?")
        InboundMessage.objects.create(business=business, customer=customer, wa_id=customer.wa_id,
                                      wa_message_id=f"q{n}", type="text",
                                      payload={"type": "text", "text": {"body": f"message {n}"}})
    with CaptureQueriesContext(connection) as many:
        page = owner_client.get(url).content.decode()
    assert "message 4" in page and 'id="customer-privacy"' in page
    assert len(many) == len(few)
