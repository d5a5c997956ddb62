"""The order page's timeline shows the chat messages of that order's conversation (registered by
the chat app), drawn as the customer saw them, with a query count that does not grow with them."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat.models import InboundMessage, OutboundMessage, WebChatMessage
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


def timeline_of(client, order) -> str:
    response = client.get(f"/admin/orders/order/{order.pk}/change/")
    assert response.status_code == 200
    return response.content.decode().split('id="timeline"')[1].split("</section>")[0]


def inbound(customer, text, n):
    return InboundMessage.objects.create(business=customer.business, customer=customer, wa_id=customer.wa_id,
                                         wa_message_id=f"w.{n}", type="text",
                                         payload={"type": "text", "text": {"body": text}})


def outbound(customer, text, **fields):
    return OutboundMessage.objects.create(business=customer.business, customer=customer, kind="text",
                                          body={"type": "text", "text": {"body": text}}, **fields)


def test_the_timeline_shows_the_orders_chat_messages_both_ways(owner_client, business):
    customer = CustomerFactory(business=business)
    order = OrderFactory(business=business, customer=customer)
    inbound(customer, "Two tins of Assam please", 1)
    outbound(customer, "Your order is on its way", order_number=order.number)
    timeline = timeline_of(owner_client, order)
    assert "Two tins of Assam please" in timeline and "Your order is on its way" in timeline
    assert "Customer wrote" in timeline and "Shop wrote" in timeline and "sc-bubble" in timeline


def test_the_timeline_shows_browser_chat_messages(owner_client, business):
    customer = CustomerFactory(business=business, wa_id="999123456789012")
    order = OrderFactory(business=business, customer=customer)
    WebChatMessage.objects.create(business=business, customer=customer, direction=WebChatMessage.Direction.IN,
                                  kind="text", body={"type": "text", "text": {"body": "Is it spicy?"}})
    assert "Is it spicy?" in timeline_of(owner_client, order)


def test_messages_of_another_order_or_customer_stay_out(owner_client, business):
    customer = CustomerFactory(business=business)
    old = OrderFactory(business=business, customer=customer)
    OrderFactory(business=business, customer=customer)
    old_created = timezone.now() - timedelta(days=3)
    type(old).objects.filter(pk=old.pk).update(created_at=old_created)
    old.refresh_from_db()
    inbound(customer, "About my newer order", 1)  # now: the newer order's conversation
    inbound(CustomerFactory(business=business), "Someone else", 2)
    timeline = timeline_of(owner_client, old)
    assert "About my newer order" not in timeline and "Someone else" not in timeline


def test_the_shops_messages_about_another_order_stay_out(owner_client, business):
    customer = CustomerFactory(business=business)
    order = OrderFactory(business=business, customer=customer)
    outbound(customer, "About OTHER-1", order_number="OTHER-1")
    outbound(customer, "Thanks for writing")
    timeline = timeline_of(owner_client, order)
    assert "About OTHER-1" not in timeline and "Thanks for writing" in timeline


def test_an_agent_sees_the_messages_too(agent_client, business):
    customer = CustomerFactory(business=business)
    order = OrderFactory(business=business, customer=customer)
    inbound(customer, "Where is my tea?", 1)
    assert "Where is my tea?" in timeline_of(agent_client, order)


def test_the_page_query_count_does_not_grow_with_the_messages(owner_client, business):
    customer = CustomerFactory(business=business)
    order = OrderFactory(business=business, customer=customer)
    inbound(customer, "first", 0)
    outbound(customer, "first answer")
    with CaptureQueriesContext(connection) as few:
        timeline_of(owner_client, order)
    for n in range(1, 15):
        inbound(customer, f"message {n}", n)
        outbound(customer, f"answer {n}", order_number=order.number)
        WebChatMessage.objects.create(business=business, customer=customer, direction=WebChatMessage.Direction.OUT,
                                      kind="text", body={"type": "text", "text": {"body": f"web {n}"}})
    with CaptureQueriesContext(connection) as many:
        page = timeline_of(owner_client, order)
    assert "message 14" in page and "web 14" in page
    assert len(many) == len(few)
