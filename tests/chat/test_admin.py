"""Back office: WhatsApp settings with write-only secrets, conversations, dead letters."""
import pytest

from chat import messages as wa
from chat.models import DeadLetter, InboundMessage, OutboundMessage, WhatsAppConfig
from tests.factories import OutboundMessageFactory

pytestmark = pytest.mark.django_db


def test_owner_sees_the_settings_without_the_secrets(owner_client, wa_config):
    response = owner_client.get(f"/admin/chat/whatsappconfig/{wa_config.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "EAAtest-token" not in html and "test_app_secret" not in html
    assert "Leave empty to keep it" in html
    changelist = owner_client.get("/admin/chat/whatsappconfig/").content.decode()
    assert "100000000000002" in changelist and "EAAtest-token" not in changelist


def test_saving_the_settings_with_empty_secrets_keeps_them(owner_client, wa_config):
    response = owner_client.post(f"/admin/chat/whatsappconfig/{wa_config.pk}/change/", {
        "business": wa_config.business_id, "enabled": "on", "phone_number_id": "100000000000002",
        "access_token": "", "app_secret": "", "verify_token": "verify-me", "base_url": wa_config.base_url,
        "api_version": "v24.0", "catalog_id": "", "payment_configuration": "", "payment_gateway": "razorpay",
        "template_name": "", "template_language": "en", "template_category": "utility",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    config = WhatsAppConfig.objects.get()
    assert config.api_version == "v24.0"
    assert config.access_token == "EAAtest-token" and config.app_secret == "test_app_secret"


def test_agent_cannot_open_the_whatsapp_settings(agent_client, wa_config):
    assert agent_client.get(f"/admin/chat/whatsappconfig/{wa_config.pk}/change/").status_code in (302, 403)


def test_other_business_owner_cannot_see_the_settings(wa_config, other_business):
    from tests.conftest import staff_client

    client = staff_client(other_business, "owner")
    assert client.get(f"/admin/chat/whatsappconfig/{wa_config.pk}/change/").status_code == 302
    assert "100000000000002" not in client.get("/admin/chat/whatsappconfig/").content.decode()


def test_conversation_shows_both_sides_with_delivery_state(owner_client, wa_config, customer):
    InboundMessage.objects.create(business=wa_config.business, customer=customer, wa_message_id="wamid.IN1",
                                  wa_id=customer.wa_id, type="text", payload={"type": "text", "text": {"body": "Hi"}})
    OutboundMessageFactory(business=wa_config.business, customer=customer, kind="text",
                                   body=wa.text("Welcome!"), status="read")
    OutboundMessageFactory(business=wa_config.business, customer=customer, kind="text",
                                   body=wa.text("Order SC-1 shipped"), status="failed", error_code=131047,
                                   error_title="Re-engagement message", order_number="SC-1")
    response = owner_client.get(f"/admin/chat/conversation/{customer.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hi" in html and "Welcome!" in html and "Read" in html and "failed 131047 Re-engagement message" in html
    failures = owner_client.get("/admin/chat/outboundmessage/?status__exact=failed&q=SC-1").content.decode()
    assert "Re-engagement message" in failures


def test_dead_letters_are_listed_for_the_owner(owner_client, wa_config):
    DeadLetter.objects.create(business=wa_config.business, reason="not JSON", body="{oops")
    response = owner_client.get("/admin/chat/deadletter/")
    assert response.status_code == 200 and "not JSON" in response.content.decode()


def test_failed_messages_can_be_sent_again_from_the_back_office(owner_client, wa_config, customer):
    failed = OutboundMessageFactory(business=wa_config.business, customer=customer, kind="text",
                                            body=wa.text("Order SC-1 shipped"), status="failed", error_code=131047,
                                            order_number="SC-1")
    response = owner_client.post("/admin/chat/outboundmessage/", {
        "action": "send_again", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    again = OutboundMessage.objects.exclude(pk=failed.pk).get()
    assert again.status in ("queued", "sent") and again.order_number == "SC-1" and again.body == failed.body


def test_failures_of_an_order_are_listed_for_its_page(wa_config, customer):
    from chat.selectors import chat_failures

    OutboundMessageFactory(business=wa_config.business, customer=customer, kind="text", body=wa.text("x"),
                                   status="failed", error_code=131047, order_number="SC-1")
    OutboundMessageFactory(business=wa_config.business, customer=customer, kind="text", body=wa.text("y"),
                                   status="read", order_number="SC-1")
    assert [m.error_code for m in chat_failures(business=wa_config.business, order_number="SC-1")] == [131047]
    assert chat_failures(business=wa_config.business, order_number="SC-2") == []


def test_saving_the_settings_in_the_back_office_shows_the_number_on_the_business(owner_client, wa_config):
    owner_client.post(f"/admin/chat/whatsappconfig/{wa_config.pk}/change/", {
        "business": wa_config.business_id, "enabled": "on", "phone_number_id": "100000000000077",
        "access_token": "", "app_secret": "", "verify_token": "verify-me", "base_url": wa_config.base_url,
        "api_version": "v23.0", "payment_gateway": "razorpay", "template_language": "en",
        "template_category": "utility"})
    wa_config.business.refresh_from_db()
    assert wa_config.business.wa_phone_number_id == "100000000000077"


def test_conversation_list_shows_customers_who_chatted(owner_client, wa_config, customer):
    from tests.factories import CustomerFactory, OutboundMessageFactory

    silent = CustomerFactory(business=wa_config.business, wa_id="15550007777")
    OutboundMessageFactory(business=wa_config.business, customer=customer, kind="text",
                                   body=wa.text("Welcome!"), status="sent")
    html = owner_client.get("/admin/chat/conversation/").content.decode()
    assert customer.wa_id in html and silent.wa_id not in html


def test_manager_reads_the_settings_with_masked_secrets(manager_client, wa_config):
    response = manager_client.get(f"/admin/chat/whatsappconfig/{wa_config.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200 and "100000000000002" in html
    assert "EAAtest-token" not in html and "test_app_secret" not in html
    assert "********" in html


# --- failed chat messages (and payments, refunds) on the order and ticket pages -------------

def failed_message(business, customer, n, **about):
    return OutboundMessageFactory(
        business=business, customer=customer, kind="text", body=wa.text(f"message {n}"),
        wa_message_id=f"wamid.FAILED{n}", status="failed", error_code=131047,
        error_title=f"Re-engagement message {n}", **about)


def paid_and_refunded_order(customer, place_order):
    from payments import services
    from tests.chat.conftest import fund_wallet

    fund_wallet(customer, 100_000)
    order = place_order(SKU_TEA_250G=2)
    services.pay_order(order=order, method="wallet")
    services.refund_order(order=order, amount_minor=5000, reason="one tin was dented")
    return order


def test_order_page_shows_payments_refunds_and_failed_chat_messages(owner_client, wa_config, customer, place_order):
    order = paid_and_refunded_order(customer, place_order)
    failed_message(wa_config.business, customer, 1, order_number=order.number)
    failed_message(wa_config.business, customer, 2, order_number="OTHER-1")
    html = owner_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert 'id="payments-group"' in html and "₹ 240.00" in html
    assert "₹ 50.00" in html and "one tin was dented" in html
    assert "error 131047: Re-engagement message 1" in html and "Re-engagement message 2" not in html


def test_order_page_queries_do_not_grow_with_payments_and_failures(owner_client, wa_config, customer, place_order,
                                                                    django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    order = paid_and_refunded_order(customer, place_order)
    failed_message(wa_config.business, customer, 1, order_number=order.number)
    url = f"/admin/orders/order/{order.pk}/change/"
    with CaptureQueriesContext(connection) as few:
        owner_client.get(url)
    from payments import services

    for n in range(2, 6):
        failed_message(wa_config.business, customer, n, order_number=order.number)
        services.refund_order(order=order, amount_minor=1000, reason=f"refund {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Re-engagement message 5" in owner_client.get(url).content.decode()


def test_agent_sees_failed_chat_messages_but_not_payments_on_the_order_page(agent_client, wa_config, customer,
                                                                           place_order):
    order = paid_and_refunded_order(customer, place_order)
    failed_message(wa_config.business, customer, 1, order_number=order.number)
    html = agent_client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert "Re-engagement message 1" in html
    assert "one tin was dented" not in html and 'id="payments-group"' not in html


def test_ticket_page_shows_its_failed_chat_messages(owner_client, wa_config, customer):
    from support.services import open_ticket

    ticket = open_ticket(business=wa_config.business, customer=customer, subject="Late tea", message="Where is it?")
    failed_message(wa_config.business, customer, 1, ticket_id=str(ticket.pk))
    failed_message(wa_config.business, customer, 2, ticket_id="999999")
    html = owner_client.get(f"/admin/support/ticket/{ticket.pk}/change/").content.decode()
    assert "Chat messages not delivered" in html and "Re-engagement message 1" in html
    assert "Re-engagement message 2" not in html


def test_the_numbers_messages_per_second_is_set_in_the_settings_and_kept_when_left_empty(owner_client, wa_config):
    form = {"business": wa_config.business_id, "enabled": "on", "phone_number_id": wa_config.phone_number_id,
            "access_token": "", "app_secret": "", "verify_token": "verify-me", "base_url": wa_config.base_url,
            "api_version": "v23.0", "payment_gateway": "razorpay", "template_language": "en",
            "template_category": "utility"}
    owner_client.post(f"/admin/chat/whatsappconfig/{wa_config.pk}/change/", {**form, "messages_per_second": "250"})
    wa_config.refresh_from_db()
    assert wa_config.messages_per_second == 250
    owner_client.post(f"/admin/chat/whatsappconfig/{wa_config.pk}/change/", form)
    wa_config.refresh_from_db()
    assert wa_config.messages_per_second == 250
