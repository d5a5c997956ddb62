"""Outside the 24-hour window an event goes out as the number's approved template for it, with
the event's values as the body's parameters (the shipping template carries the tracking
number); inside the window the usual message goes; a marketing template only with an opt-in;
an unapproved template, or none, leaves the number's parameterless template as before."""
from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from chat.models import MessageTemplate, OutboundMessage, WhatsAppConfig
from shopchat import consent, outbox
from shopchat.models import OutboxEvent
from tests.chat.conftest import CUSTOMER_WA_ID

pytestmark = pytest.mark.django_db(transaction=True)
SHIPPED_BODY = "Your order {{1}} is on its way with {{2}}. Tracking number: {{3}}"


@pytest.fixture(autouse=True)
def no_auto_delivery():
    with mock.patch.object(outbox, "enqueue_delivery"):
        yield


def template(config, name="order_shipped", language="en", event="order.shipped", body=SHIPPED_BODY, **fields):
    from chat.message_templates import body_parameters

    parameter_format, count, names = body_parameters(body)
    values = {"category": "utility", "status": "approved", "parameter_format": parameter_format,
              "parameter_count": count, "parameter_names": names, "body_text": body,
              "components": [{"type": "BODY", "text": body}], **fields}
    return MessageTemplate.objects.create(business_id=config.business_id, config=config, name=name,
                                          language=language, event=event, **values)


def wrote_long_ago(customer):
    customer.last_inbound_at = timezone.now() - timedelta(days=3)
    customer.save()
    return customer


def deliver(business, event_type, **data) -> str:
    with transaction.atomic():
        outbox.emit_event(business=business, event_type=event_type,
                          data={"customer": {"wa_id": CUSTOMER_WA_ID, "name": "Asha"}, **data})
    return outbox.deliver(OutboxEvent.objects.get(channel="whatsapp").pk)


def ship(business, **extra) -> str:
    data = {"order": "SC-1", "status": "shipped", "total": "120.00", "currency": "INR", "tracking_number": "TRK123",
            "carrier": "DHL", **extra}
    return deliver(business, "order.shipped", **data)


def test_outside_the_window_the_shipping_template_carries_the_tracking_number(wa_config, customer, fake_cloud):
    template(wa_config)
    wrote_long_ago(customer)
    assert ship(wa_config.business) == "delivered"
    assert fake_cloud.requests[0]["json"] == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": CUSTOMER_WA_ID, "type": "template",
        "template": {"name": "order_shipped", "language": {"code": "en"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "SC-1"}, {"type": "text", "text": "DHL"},
                                            {"type": "text", "text": "TRK123"}]}]}}
    message = OutboundMessage.objects.get()
    assert message.kind == "template" and message.status == "sent" and "order_shipped" in message.note


def test_inside_the_window_the_shipping_update_goes_as_the_usual_message(wa_config, customer, fake_cloud):
    template(wa_config)
    assert ship(wa_config.business) == "delivered"
    sent = fake_cloud.sent[0]
    assert sent["type"] == "interactive"
    assert sent["interactive"]["body"]["text"] == "Good news: order SC-1 has shipped. Tracking number: TRK123."


def test_the_merchants_order_of_values_fills_the_parameters(wa_config, customer, fake_cloud):
    template(wa_config, body="{{1}} follows your parcel here: {{2}}", parameters=["carrier", "tracking_link"])
    wrote_long_ago(customer)
    assert ship(wa_config.business) == "delivered"
    parameters = fake_cloud.sent[0]["template"]["components"][0]["parameters"]
    assert [p["text"] for p in parameters] == ["DHL", "https://www.dhl.com/en/express/tracking.html?AWB=TRK123"]


def test_a_named_template_gets_its_values_by_name(wa_config, customer, fake_cloud):
    template(wa_config, body="Hi {{customer_name}}, {{order_number}} is shipped: {{tracking_number}}")
    wrote_long_ago(customer)
    assert ship(wa_config.business) == "delivered"
    assert fake_cloud.sent[0]["template"]["components"] == [{"type": "body", "parameters": [
        {"type": "text", "parameter_name": "customer_name", "text": "Asha"},
        {"type": "text", "parameter_name": "order_number", "text": "SC-1"},
        {"type": "text", "parameter_name": "tracking_number", "text": "TRK123"}]}]


def test_a_value_the_event_lacks_goes_as_a_dash(wa_config, customer, fake_cloud):
    template(wa_config)
    wrote_long_ago(customer)
    assert deliver(wa_config.business, "order.shipped", order="SC-1", tracking_number="TRK9") == "delivered"
    parameters = fake_cloud.sent[0]["template"]["components"][0]["parameters"]
    assert [p["text"] for p in parameters] == ["SC-1", "-", "TRK9"]


def test_a_marketing_template_is_not_sent_to_a_customer_who_did_not_opt_in(wa_config, customer, fake_cloud):
    template(wa_config, category="marketing")
    wrote_long_ago(customer)
    assert ship(wa_config.business) == "failed"
    assert fake_cloud.requests == []
    event = OutboxEvent.objects.get(channel="whatsapp")
    assert "marketing template the customer has not opted in to" in event.last_error and event.attempts == 1
    assert OutboundMessage.objects.get().status == "failed"


def test_a_marketing_template_goes_to_a_customer_who_opted_in(wa_config, customer, fake_cloud):
    template(wa_config, category="marketing")
    consent.opt_in(customer=wrote_long_ago(customer), source="web")
    assert ship(wa_config.business) == "delivered"
    assert fake_cloud.sent[0]["template"]["name"] == "order_shipped"


@pytest.mark.parametrize("status", ["pending", "rejected", "paused"])
def test_an_unapproved_template_is_not_used(wa_config, customer, fake_cloud, status):
    WhatsAppConfig.objects.filter(pk=wa_config.pk).update(template_name="order_update")
    template(wa_config, status=status)
    wrote_long_ago(customer)
    assert ship(wa_config.business) == "delivered"
    assert fake_cloud.sent[0]["template"] == {"name": "order_update", "language": {"code": "en"}}


def test_a_template_gone_from_meta_is_not_used(wa_config, customer, fake_cloud):
    WhatsAppConfig.objects.filter(pk=wa_config.pk).update(template_name="order_update")
    template(wa_config, removed_at=timezone.now())
    wrote_long_ago(customer)
    assert ship(wa_config.business) == "delivered"
    assert fake_cloud.sent[0]["template"]["name"] == "order_update"


def test_without_a_template_for_the_event_the_parameterless_template_goes_as_before(wa_config, customer, fake_cloud):
    WhatsAppConfig.objects.filter(pk=wa_config.pk).update(template_name="order_update")
    template(wa_config, event="order.delivered", name="delivered", body="Order {{1}} delivered")
    wrote_long_ago(customer)
    assert ship(wa_config.business) == "delivered"
    assert fake_cloud.sent[0]["template"] == {"name": "order_update", "language": {"code": "en"}}


def test_the_customers_language_wins_then_the_business_default(wa_config, customer, fake_cloud):
    template(wa_config, language="en_US", name="shipped_en")
    template(wa_config, language="de", name="versand")
    customer.locale = "de_DE"
    wrote_long_ago(customer)
    assert ship(wa_config.business) == "delivered"
    assert fake_cloud.sent[0]["template"]["name"] == "versand"
    assert fake_cloud.sent[0]["template"]["language"] == {"code": "de"}
    customer.locale = "it_IT"  # no Italian template: the business's default language, English
    customer.save()
    OutboxEvent.objects.all().delete()
    assert ship(wa_config.business, order="SC-2") == "delivered"
    assert fake_cloud.sent[1]["template"]["name"] == "shipped_en"


def test_the_pay_link_template_tells_the_amount_in_the_customers_locale(wa_config, customer, fake_cloud):
    template(wa_config, event="payment.action_required", name="pay_now",
             body="Order {{1}}: please pay {{2}} here {{3}}")
    customer.locale = "en_IN"
    wrote_long_ago(customer)
    assert deliver(wa_config.business, "payment.action_required", payment="p1", order="SC-1", amount="1234.50",
                   currency="INR", url="https://pay.example/3ds/abc") == "delivered"
    parameters = fake_cloud.sent[0]["template"]["components"][0]["parameters"]
    assert [p["text"] for p in parameters] == ["SC-1", "₹1,234.50", "https://pay.example/3ds/abc"]


def test_a_ticket_reply_template_carries_the_ticket_number(wa_config, customer, fake_cloud):
    template(wa_config, event="ticket.reply", name="support_reply", body="We answered your ticket #{{1}}")
    wrote_long_ago(customer)
    assert deliver(wa_config.business, "ticket.reply", ticket=91, number=7, body="Hello", status="open") == "delivered"
    assert fake_cloud.sent[0]["template"]["components"][0]["parameters"] == [{"type": "text", "text": "7"}]


def test_a_template_whose_header_needs_a_value_is_not_used(wa_config, customer, fake_cloud):
    WhatsAppConfig.objects.filter(pk=wa_config.pk).update(template_name="order_update")
    shipped = template(wa_config)
    shipped.components = [{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": SHIPPED_BODY}]
    shipped.save()
    wrote_long_ago(customer)
    assert ship(wa_config.business) == "delivered"
    assert fake_cloud.sent[0]["template"]["name"] == "order_update"


def test_the_conversation_view_shows_the_values_the_template_carried(wa_config, customer, fake_cloud):
    from chat.rendering import conversation

    template(wa_config)
    wrote_long_ago(customer)
    assert ship(wa_config.business) == "delivered"
    bubble = conversation(customer)[-1]
    assert bubble.text == "Template “order_shipped”" and bubble.footer == "SC-1 · DHL · TRK123"
