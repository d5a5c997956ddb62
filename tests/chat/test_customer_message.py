"""The customer page's "Send a message": through the inbox's reply service, back to the customer
page, and honest when nothing can reach the customer (no WhatsApp number, outside the 24-hour
window without a template); a browser-chat customer's message goes into the browser chat."""
from datetime import timedelta

import pytest
from django.utils import timezone

from chat.errors import NotDeliverable
from chat.models import OutboundMessage, WebChatMessage, WhatsAppConfig
from chat.replies import send_agent_message
from chat.services import configure_whatsapp
from chat.webchat import start_visitor
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def whatsapp(business):
    configure_whatsapp(business=business, phone_number_id="1", access_token="t", app_secret="s", verify_token="v")
    return WhatsAppConfig.objects.get(business=business)


def page_of(client, customer) -> str:
    return client.get(f"/admin/shopchat/customer/{customer.pk}/change/").content.decode()


def test_a_message_goes_through_the_reply_service_and_back_to_the_customer_page(agent_client, business, whatsapp):
    customer = CustomerFactory(business=business, last_inbound_at=timezone.now() - timedelta(hours=1))
    page = page_of(agent_client, customer)
    assert 'id="customer-message-form"' in page and 'name="body"' in page
    back = f"/admin/shopchat/customer/{customer.pk}/change/"
    response = agent_client.post(f"/admin/chat/conversation/{customer.pk}/send/",
                                 {"body": "Your tea ships today", "next": back})
    assert response.status_code == 302 and response.url == back
    assert OutboundMessage.objects.get(customer=customer).body["text"]["body"] == "Your tea ships today"
    assert "Queued for WhatsApp" in agent_client.get(back).content.decode()


def test_without_a_whatsapp_number_the_page_says_it_cannot_reach_the_customer(agent_client, business):
    customer = CustomerFactory(business=business, last_inbound_at=timezone.now())
    page = page_of(agent_client, customer)
    assert 'id="customer-cannot-send"' in page and "no WhatsApp number set up" in page
    assert 'id="customer-message-form"' not in page


def test_outside_the_window_only_the_template_is_offered(agent_client, business, whatsapp):
    WhatsAppConfig.objects.filter(pk=whatsapp.pk).update(template_name="order_update")
    customer = CustomerFactory(business=business, last_inbound_at=timezone.now() - timedelta(days=2))
    page = page_of(agent_client, customer)
    assert 'id="customer-window-closed"' in page and "order_update" in page and 'name="body"' not in page


def test_outside_the_window_without_a_template_the_page_says_whatsapp_would_refuse(agent_client, business,
                                                                                   whatsapp):
    customer = CustomerFactory(business=business, last_inbound_at=timezone.now() - timedelta(days=2))
    page = page_of(agent_client, customer)
    assert 'id="customer-cannot-send"' in page and "WhatsApp would refuse" in page


def test_a_browser_chat_customer_gets_it_in_the_browser_chat_and_nothing_goes_to_whatsapp(agent_client, business,
                                                                                         whatsapp):
    visitor, _token = start_visitor(business=business)
    customer = visitor.customer
    assert 'id="customer-message-form"' in page_of(agent_client, customer)
    send_agent_message(business=business, customer=customer, text="hello")
    assert WebChatMessage.objects.get(customer=customer).body["text"]["body"] == "hello"
    assert not OutboundMessage.objects.filter(customer=customer).exists()


def test_a_browser_chat_customer_without_a_chat_is_told_unreachable(agent_client, business, whatsapp):
    customer = CustomerFactory(business=business, wa_id="999000111222333", last_inbound_at=timezone.now())
    assert "browser chat no longer exists" in page_of(agent_client, customer)
    with pytest.raises(NotDeliverable):
        send_agent_message(business=business, customer=customer, text="hello")
    assert not OutboundMessage.objects.filter(customer=customer).exists()


def test_an_unsafe_next_goes_back_to_the_conversation(agent_client, business):
    customer = CustomerFactory(business=business)
    response = agent_client.post(f"/admin/chat/conversation/{customer.pk}/send/",
                                 {"body": "x", "next": "https://evil.example/"})
    assert response.url == f"/admin/chat/conversation/{customer.pk}/change/"



def test_an_erased_customer_gets_no_message_box(agent_client, business, whatsapp):
    customer = CustomerFactory(business=business, last_inbound_at=timezone.now(), erased_at=timezone.now())
    page = page_of(agent_client, customer)
    assert "Send a message" not in page and 'id="customer-message-form"' not in page
