"""The agents' live inbox: conversations newest first with those waiting marked, the chat drawn
as the customer saw it (lists, buttons, carts, never JSON), polled for new messages, a reply
inside the 24-hour window, the template outside it, an honest refusal when nothing can reach
the customer, and a conversation turned into a ticket."""
from datetime import timedelta

import pytest
from django.utils import timezone

from chat import messages as wa
from chat.models import InboundMessage, OutboundMessage
from support.models import Ticket
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
INBOX = "/admin/chat/conversation/"


def said(customer, body, n):
    return InboundMessage.objects.create(business=customer.business, customer=customer, wa_id=customer.wa_id,
                                         wa_message_id=f"wamid.t{n}", type=body["type"], payload=body)


def sent(customer, body, **fields):
    return OutboundMessage.objects.create(business=customer.business, customer=customer, kind=wa.kind_of(body),
                                          body=body, **fields)


def test_the_inbox_lists_conversations_newest_first_and_marks_those_waiting(agent_client, business):
    old = CustomerFactory(business=business, name="Old Olga", last_inbound_at=timezone.now() - timedelta(days=2))
    new = CustomerFactory(business=business, name="New Nina", last_inbound_at=timezone.now())
    said(old, {"type": "text", "text": {"body": "hello"}}, 1)
    sent(old, wa.text("hi Olga"))
    said(new, {"type": "text", "text": {"body": "are you open?"}}, 2)
    page = agent_client.get(INBOX).content.decode()
    assert page.index("New Nina") < page.index("Old Olga")
    waiting = agent_client.get(INBOX, {"waiting": "yes"}).content.decode()
    assert "New Nina" in waiting and "Old Olga" not in waiting


def waiting_cell(rows: str, name: str) -> str:
    cell = rows.split(name)[1].split('data-label="waiting"')[1].split("</td>")[0]
    return 'title="True"' if 'title="True"' in cell else 'title="False"'


def test_the_inbox_list_polls_its_rows_endpoint_with_the_page_filters(agent_client, business):
    customer = CustomerFactory(business=business, last_inbound_at=timezone.now())
    said(customer, {"type": "text", "text": {"body": "hi"}}, 5)
    page = agent_client.get(INBOX, {"waiting": "yes"}).content.decode()
    assert f'hx-get="{INBOX}rows/?waiting=yes"' in page and 'hx-trigger="every 3s"' in page


def test_the_rows_endpoint_lists_a_first_time_customer_on_top_marked_waiting(agent_client, business):
    old = CustomerFactory(business=business, name="Old Olga", last_inbound_at=timezone.now() - timedelta(hours=1))
    said(old, {"type": "text", "text": {"body": "hello"}}, 6)
    sent(old, wa.text("hi Olga"))
    agent_client.get(INBOX)
    new = CustomerFactory(business=business, name="First Farah", last_inbound_at=timezone.now())
    said(new, {"type": "text", "text": {"body": "do you deliver?"}}, 7)
    rows = agent_client.get(f"{INBOX}rows/").content.decode()
    assert "<html" not in rows and 'id="sc-conversations"' in rows
    assert rows.index("First Farah") < rows.index("Old Olga")
    assert waiting_cell(rows, "First Farah") == 'title="True"' and waiting_cell(rows, "Old Olga") == 'title="False"'


def test_the_rows_endpoint_shows_only_the_agents_business(agent_client, business, other_business):
    stranger = CustomerFactory(business=other_business, name="Somebody Else", last_inbound_at=timezone.now())
    said(stranger, {"type": "text", "text": {"body": "hi"}}, 8)
    assert "Somebody Else" not in agent_client.get(f"{INBOX}rows/").content.decode()


def test_the_chat_is_drawn_as_the_customer_saw_it(agent_client, customer):
    sent(customer, wa.list_message("Tap a product", "View products", [("Tea", [("product:T1", "Assam tea", "₹ 120")])]))
    sent(customer, wa.reply_buttons("Assam tea ₹ 120", [("buy:T1", "Order one"), ("catalog", "Browse catalog")]))
    said(customer, {"type": "order", "order": {"product_items": [{"product_retailer_id": "T1", "quantity": 2}]}}, 3)
    page = agent_client.get(f"{INBOX}{customer.pk}/change/").content.decode()
    for text in ("View products", "Assam tea", "Order one", "Browse catalog", "2 × T1"):
        assert text in page, text
    assert '"interactive"' not in page and "product_items" not in page


def test_new_messages_come_through_the_polled_list(agent_client, customer):
    said(customer, {"type": "text", "text": {"body": "Hello"}}, 40)
    page = agent_client.get(f"{INBOX}{customer.pk}/change/").content.decode()
    assert 'hx-get="/admin/chat/conversation/' in page and 'hx-trigger="every 3s"' in page
    said(customer, {"type": "text", "text": {"body": "Is my tea coming today?"}}, 4)
    fragment = agent_client.get(f"{INBOX}{customer.pk}/messages/").content.decode()
    assert "Is my tea coming today?" in fragment and "<html" not in fragment


def test_a_reply_inside_the_window_is_queued_as_text(agent_client, wa_config, customer):
    said(customer, {"type": "text", "text": {"body": "Hello"}}, 43)
    response = agent_client.post(f"{INBOX}{customer.pk}/send/", {"body": "Yes, today by 6 pm"}, follow=True)
    message = OutboundMessage.objects.get(customer=customer)
    assert message.kind == "text" and message.body["text"]["body"] == "Yes, today by 6 pm"
    assert "Queued for WhatsApp" in response.content.decode()


def test_outside_the_window_only_the_template_is_offered(agent_client, wa_config, customer):
    said(customer, {"type": "text", "text": {"body": "Hello"}}, 42)
    customer.last_inbound_at = timezone.now() - timedelta(days=2)
    customer.save(update_fields=["last_inbound_at"])
    wa_config.template_name = "hello_again"
    wa_config.save(update_fields=["template_name"])
    page = agent_client.get(f"{INBOX}{customer.pk}/change/").content.decode()
    assert 'id="window-closed"' in page and 'name="body"' not in page
    agent_client.post(f"{INBOX}{customer.pk}/send/", {"template": "1"})
    assert OutboundMessage.objects.get(customer=customer).kind == "template"


def test_without_a_whatsapp_number_the_page_says_nothing_can_be_sent(agent_client, customer):
    said(customer, {"type": "text", "text": {"body": "Hello"}}, 41)
    page = agent_client.get(f"{INBOX}{customer.pk}/change/").content.decode()
    assert 'id="cannot-send"' in page and "no WhatsApp number" in page
    response = agent_client.post(f"{INBOX}{customer.pk}/send/", {"body": "hello?"}, follow=True)
    assert "Not sent" in response.content.decode() and not OutboundMessage.objects.exists()


def test_a_conversation_becomes_a_ticket(agent_client, customer):
    said(customer, {"type": "text", "text": {"body": "The jar was broken"}}, 5)
    response = agent_client.post(f"{INBOX}{customer.pk}/ticket/", {"subject": "Broken jar"})
    ticket = Ticket.objects.get(customer=customer)
    assert ticket.subject == "Broken jar" and response.url.endswith(f"/support/ticket/{ticket.pk}/change/")
    assert ticket.messages.first().body == "The jar was broken"


def test_another_business_conversation_is_404(agent_client, other_business):
    stranger = CustomerFactory(business=other_business)
    said(stranger, {"type": "text", "text": {"body": "hi"}}, 6)
    assert agent_client.get(f"{INBOX}{stranger.pk}/change/").status_code == 404
    assert agent_client.get(f"{INBOX}{stranger.pk}/messages/").status_code == 404
    assert agent_client.post(f"{INBOX}{stranger.pk}/send/", {"body": "x"}).status_code == 404
