"""The live inbox covers the browser chat too: its conversations are listed with WhatsApp's
(newest first, waiting and test chats marked), drawn and polled the same way, and an agent's
reply is written into the browser chat by the web-chat channel (no WhatsApp call, no 24-hour
window), where the visitor's page finds it on its next poll, even after coming back later."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat import messages as wa
from chat.errors import ChatErrorCode, NotDeliverable
from chat.models import InboundMessage, OutboundMessage, WebChatMessage, WebChatVisitor
from chat.replies import WEB_CHAT, reply_options, send_agent_message
from chat.webchat import agent_message, messages_after, start_visitor
from shopchat.models import Customer, OutboxEvent
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
INBOX = "/admin/chat/conversation/"


def visitor_of(business, *, name="", is_test=False, wrote_ago=timedelta(0)):
    visitor, _token = start_visitor(business=business, is_test=is_test)
    Customer.objects.filter(pk=visitor.customer_id).update(name=name, last_inbound_at=timezone.now() - wrote_ago)
    visitor.customer.refresh_from_db()
    return visitor


def writes(visitor, text, ago=timedelta(0)):
    message = WebChatMessage.objects.create(business=visitor.business, customer=visitor.customer,
                                            direction=WebChatMessage.Direction.IN, kind="text",
                                            body={"type": "text", "text": {"body": text}})
    WebChatMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - ago)
    return message


def shop_says(visitor, body):
    return WebChatMessage.objects.create(business=visitor.business, customer=visitor.customer,
                                         direction=WebChatMessage.Direction.OUT, kind=wa.kind_of(body), body=body)


# --- the service ---------------------------------------------------------------------------

def test_an_agent_message_is_written_into_the_browser_chat_and_nothing_goes_to_whatsapp(business):
    visitor = visitor_of(business)
    message = agent_message(customer=visitor.customer, text="  Your tea ships today  ")
    assert message.direction == WebChatMessage.Direction.OUT and message.kind == "text"
    assert message.body["type"] == "text" and message.body["text"]["body"] == "Your tea ships today"
    assert not OutboundMessage.objects.exists() and not OutboxEvent.objects.exists()


def test_the_visitors_next_poll_finds_the_agents_message(business):
    visitor = visitor_of(business)
    last = writes(visitor, "Is my tea coming?").pk
    send_agent_message(business=business, customer=visitor.customer, text="Yes, by 6 pm")
    assert [m.body["text"]["body"] for m in messages_after(visitor=visitor, after=last)] == ["Yes, by 6 pm"]


def test_the_browser_chat_has_no_24_hour_window(business):
    visitor = visitor_of(business, wrote_ago=timedelta(days=9))
    options = reply_options(business=business, customer=visitor.customer)
    assert options["can_send"] and options["free_text"] and options["channel"] == WEB_CHAT
    send_agent_message(business=business, customer=visitor.customer, text="Still there?")
    assert WebChatMessage.objects.get(customer=visitor.customer).body["text"]["body"] == "Still there?"


def test_an_empty_message_is_refused_and_nothing_is_written(business):
    visitor = visitor_of(business)
    with pytest.raises(NotDeliverable) as refused:
        send_agent_message(business=business, customer=visitor.customer, text="   ")
    assert refused.value.code == ChatErrorCode.EMPTY and not WebChatMessage.objects.exists()


def test_a_browser_chat_without_its_visitor_is_refused_honestly(business):
    gone = CustomerFactory(business=business, wa_id="999000111222333", last_inbound_at=timezone.now())
    options = reply_options(business=business, customer=gone)
    assert not options["can_send"] and options["code"] == ChatErrorCode.NO_CHANNEL
    with pytest.raises(NotDeliverable):
        send_agent_message(business=business, customer=gone, text="hello")
    assert not WebChatMessage.objects.exists() and not OutboundMessage.objects.exists()


def test_an_erased_browser_chat_customer_is_refused(business):
    visitor = visitor_of(business)
    Customer.objects.filter(pk=visitor.customer_id).update(erased_at=timezone.now())
    visitor.customer.refresh_from_db()
    with pytest.raises(NotDeliverable):
        agent_message(customer=visitor.customer, text="hello")
    assert not WebChatMessage.objects.exists()


def test_a_visitor_who_left_gets_the_message_when_they_come_back(client, business):
    visitor, token = start_visitor(business=business)
    send_agent_message(business=business, customer=visitor.customer, text="We restocked Assam tea")
    client.cookies[f"shopchat_chat_{business.pk}"] = token
    page = client.get(f"/shop/{business.slug}/chat/").content.decode()
    assert "We restocked Assam tea" in page


# --- the inbox -----------------------------------------------------------------------------

def test_the_inbox_lists_browser_chats_with_whatsapp_newest_first(agent_client, business):
    whatsapp = CustomerFactory(business=business, name="Old Olga", last_inbound_at=timezone.now() - timedelta(days=1))
    InboundMessage.objects.create(business=business, customer=whatsapp, wa_id=whatsapp.wa_id, wa_message_id="w1",
                                  type="text", payload={"type": "text", "text": {"body": "hi"}})
    web = visitor_of(business, name="Web Wanda")
    writes(web, "hello from the browser")
    page = agent_client.get(INBOX).content.decode()
    assert page.index("Web Wanda") < page.index("Old Olga")
    assert "Browser chat" in page and "WhatsApp" in page


def test_a_browser_chat_waiting_for_an_answer_is_marked_until_answered(agent_client, business):
    web = visitor_of(business, name="Web Wanda")
    writes(web, "anyone there?")
    assert "Web Wanda" in agent_client.get(INBOX, {"waiting": "yes"}).content.decode()
    send_agent_message(business=business, customer=web.customer, text="Yes!")
    assert "Web Wanda" not in agent_client.get(INBOX, {"waiting": "yes"}).content.decode()


def test_test_chats_are_marked_as_tests(agent_client, business):
    test = visitor_of(business, name="Merchant Try", is_test=True)
    writes(test, "testing")
    real = visitor_of(business, name="Real Rita")
    writes(real, "buying")
    tests_only = agent_client.get(INBOX, {"is_test__exact": "1"}).content.decode()
    assert "Merchant Try" in tests_only and "Real Rita" not in tests_only
    page = agent_client.get(f"{INBOX}{test.customer_id}/change/").content.decode()
    assert 'id="test-chat"' in page


def test_an_unnamed_visitor_is_not_shown_as_a_phone_number(agent_client, business):
    web = visitor_of(business)
    writes(web, "hi")
    page = agent_client.get(INBOX).content.decode()
    assert f"Browser-chat visitor #{web.customer_id}" in page and f"+{web.customer.wa_id}" not in page


def test_opening_a_browser_chat_draws_its_messages_and_polls_for_new_ones(agent_client, business):
    web = visitor_of(business)
    writes(web, "Do you have green tea?")
    shop_says(web, wa.reply_buttons("Green tea ₹ 150", [("buy:G1", "Order one"), ("catalog", "Browse catalog")]))
    page = agent_client.get(f"{INBOX}{web.customer_id}/change/").content.decode()
    for text in ("Do you have green tea?", "Green tea ₹ 150", "Order one", "Browse catalog"):
        assert text in page, text
    assert '"interactive"' not in page and 'hx-trigger="every 3s"' in page and 'name="body"' in page
    writes(web, "And oolong?")
    fragment = agent_client.get(f"{INBOX}{web.customer_id}/messages/").content.decode()
    assert "And oolong?" in fragment and "<html" not in fragment


def test_an_agents_reply_from_the_inbox_goes_into_the_browser_chat(agent_client, business):
    web = visitor_of(business)
    writes(web, "Where is my order?")
    response = agent_client.post(f"{INBOX}{web.customer_id}/send/", {"body": "It left today"}, follow=True)
    sent = WebChatMessage.objects.get(customer=web.customer, direction=WebChatMessage.Direction.OUT)
    assert sent.body["text"]["body"] == "It left today" and not OutboundMessage.objects.exists()
    assert "Written into the browser chat" in response.content.decode()


def test_the_customer_page_sends_to_a_browser_chat_customer_the_same_way(agent_client, business):
    web = visitor_of(business)
    back = f"/admin/shopchat/customer/{web.customer_id}/change/"
    assert 'id="customer-message-form"' in agent_client.get(back).content.decode()
    agent_client.post(f"{INBOX}{web.customer_id}/send/", {"body": "Thanks for your order", "next": back})
    assert WebChatMessage.objects.get(customer=web.customer).body["text"]["body"] == "Thanks for your order"


def test_another_business_browser_chat_is_404(agent_client, other_business):
    stranger = visitor_of(other_business)
    writes(stranger, "hi")
    assert agent_client.get(f"{INBOX}{stranger.customer_id}/change/").status_code == 404
    assert agent_client.post(f"{INBOX}{stranger.customer_id}/send/", {"body": "x"}).status_code == 404
    assert not WebChatMessage.objects.filter(direction=WebChatMessage.Direction.OUT).exists()


def _inbox_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(INBOX).status_code == 200
    return len(captured)


def _conversations(business, n):
    for i in range(n):
        web = visitor_of(business, name=f"Web {i}", is_test=bool(i % 2))
        writes(web, "hi")
        shop_says(web, wa.text("hello"))
        customer = CustomerFactory(business=business, name=f"Wa {i}", last_inbound_at=timezone.now())
        InboundMessage.objects.create(business=business, customer=customer, wa_id=customer.wa_id,
                                      wa_message_id=f"wamid.q{customer.pk}", type="text",
                                      payload={"type": "text", "text": {"body": "hi"}})
        OutboundMessage.objects.create(business=business, customer=customer, kind="text", body=wa.text("hello"))


def test_the_inbox_answers_with_the_same_number_of_queries_as_conversations_grow(agent_client, business):
    _conversations(business, 2)
    few = _inbox_queries(agent_client)
    _conversations(business, 10)
    assert _inbox_queries(agent_client) == few
    assert WebChatVisitor.objects.count() == 12
