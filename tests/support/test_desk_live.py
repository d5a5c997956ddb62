"""The ticket page live and honest: new messages through htmx polling, canned replies with their
placeholders filled from the customer's order (even when the ticket names none), a CSP-clean
page, and a reply that reaches no one saying so."""
import pytest

from support import services
from support.models import CannedReply
from tests.support.conftest import make_order

pytestmark = pytest.mark.django_db
TICKETS = "/admin/support/ticket/"


def test_new_customer_messages_come_through_the_polled_list(agent_client, ticket):
    page = agent_client.get(f"{TICKETS}{ticket.pk}/change/").content.decode()
    assert f'hx-get="{TICKETS}{ticket.pk}/messages/"' in page and 'hx-trigger="every 3s"' in page
    services.add_customer_message(ticket=ticket, body="Any news? It is my birthday gift")
    fragment = agent_client.get(f"{TICKETS}{ticket.pk}/messages/").content.decode()
    assert "Any news? It is my birthday gift" in fragment and "<html" not in fragment


def test_canned_replies_fill_the_order_and_tracking_from_the_customers_latest_order(agent_client, business,
                                                                                    customer, ticket):
    order = make_order(business, customer, "DG-2001")
    order.carrier, order.tracking_number = "India Post", "EE123456789IN"
    order.save(update_fields=["carrier", "tracking_number"])
    CannedReply.objects.create(business=business, title="On its way",
                               body="Hi {customer_name}, your order {order_number} is on its way: {tracking_link}")
    page = agent_client.get(f"{TICKETS}{ticket.pk}/change/").content.decode()
    assert "Hi Asha, your order DG-2001 is on its way: India Post EE123456789IN" in page


def test_the_ticket_page_has_no_inline_script_or_style_of_its_own(agent_client, ticket):
    page = agent_client.get(f"{TICKETS}{ticket.pk}/change/").content.decode()
    assert "onchange=" not in page and '<style>\n  .desk' not in page


def test_a_reply_that_reaches_no_one_says_so(agent_client, ticket):
    response = agent_client.post(f"{TICKETS}{ticket.pk}/reply/", {"body": "We are on it", "visibility": "public"},
                                 follow=True)
    page = response.content.decode()
    assert "reached no one" in page and "Reply sent." not in page


def test_a_reply_with_a_webhook_set_up_says_where_it_went(agent_client, business, ticket):
    business.webhook_url = "https://gateway.example.com/hooks"
    business.save(update_fields=["webhook_url"])
    response = agent_client.post(f"{TICKETS}{ticket.pk}/reply/", {"body": "We are on it", "visibility": "public"},
                                 follow=True)
    assert "Gateway webhook" in response.content.decode()


def test_a_reply_to_a_browser_chat_customer_reaches_their_chat(agent_client, business):
    from tests.factories import CustomerFactory

    web_customer = CustomerFactory(business=business, name="Visitor", wa_id="999000000042")
    ticket = services.open_ticket(business=business, customer=web_customer, subject="Where is my parcel?",
                                  message="It has not come")
    response = agent_client.post(f"{TICKETS}{ticket.pk}/reply/", {"body": "We are on it", "visibility": "public"},
                                 follow=True)
    page = response.content.decode()
    assert "reached no one" not in page and "Browser chat message" in page


def test_a_canned_reply_is_offered_in_the_language_the_customer_chats_in(agent_client, business, ticket):
    ticket.customer.locale = "de_DE"
    ticket.customer.save(update_fields=["locale"])
    CannedReply.objects.create(business=business, title="Thanks", body="Thank you, {customer_name}!",
                               bodies={"de": "Danke, {customer_name}!", "it": "Grazie, {customer_name}!"})
    page = agent_client.get(f"{TICKETS}{ticket.pk}/change/").content.decode()
    assert "Danke, Asha!" in page and "Thank you, Asha!" not in page


def test_a_canned_reply_without_the_customers_language_uses_its_default_body(agent_client, business, ticket):
    ticket.customer.locale = "hi_IN"
    ticket.customer.save(update_fields=["locale"])
    CannedReply.objects.create(business=business, title="Thanks", body="Thank you, {customer_name}!",
                               bodies={"de": "Danke, {customer_name}!"})
    assert "Thank you, Asha!" in agent_client.get(f"{TICKETS}{ticket.pk}/change/").content.decode()
