"""Order, payment and ticket events reach the chat: emit_event writes a `whatsapp` copy in
the same transaction when the business serves its own number and the event names a customer."""
import pytest
from django.db import transaction

from chat.models import OutboundMessage
from shopchat import outbox
from shopchat.models import OutboxEvent
from tests.chat.conftest import CUSTOMER_WA_ID

pytestmark = pytest.mark.django_db(transaction=True)


def emit(business, event_type, **data):
    with transaction.atomic():
        return outbox.emit_event(business=business, event_type=event_type, data=data)


def customer_data():
    return {"wa_id": CUSTOMER_WA_ID, "name": "Asha"}


def test_customer_event_gets_a_whatsapp_copy_in_the_same_transaction(wa_config, customer):
    emit(wa_config.business, "order.shipped", order="SC-1", status="shipped", total="120.00", currency="INR",
         customer=customer_data(), tracking_number="TRK123")
    assert sorted(OutboxEvent.objects.values_list("channel", flat=True)) == ["webhook", "whatsapp"]


def test_rolled_back_change_leaves_no_whatsapp_copy(wa_config, customer):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            outbox.emit_event(business=wa_config.business, event_type="order.paid",
                              data={"order": "SC-1", "customer": customer_data()})
            raise RuntimeError
    assert not OutboxEvent.objects.exists()


@pytest.mark.parametrize("event_type, data", [
    ("order.paid", {"order": "SC-1"}),                           # no customer
    ("transfer.sent", {"customer": {"wa_id": CUSTOMER_WA_ID}}),  # not told in the chat
])
def test_events_without_a_chat_message_get_no_copy(wa_config, event_type, data):
    emit(wa_config.business, event_type, **data)
    assert list(OutboxEvent.objects.values_list("channel", flat=True)) == ["webhook"]


def test_business_without_an_enabled_number_gets_no_copy(wa_config, business):
    wa_config.enabled = False
    wa_config.save()
    emit(business, "order.paid", order="SC-1", customer=customer_data())
    assert list(OutboxEvent.objects.values_list("channel", flat=True)) == ["webhook"]


def test_shipping_update_reaches_the_customer(wa_config, customer, fake_cloud):
    emit(wa_config.business, "order.shipped", order="SC-1", status="shipped", total="120.00", currency="INR",
         customer=customer_data(), tracking_number="TRK123")
    assert fake_cloud.wait_for(1)
    sent = fake_cloud.sent[0]["interactive"]
    assert sent["body"]["text"] == "Good news: order SC-1 has shipped. Tracking number: TRK123."
    assert [b["reply"]["id"] for b in sent["action"]["buttons"]] == ["track:SC-1"]
    message = OutboundMessage.objects.get()
    assert message.order_number == "SC-1" and message.status == "sent" and message.source_event is not None


def test_payment_confirmation_uses_order_status_with_whatsapp_payments(wa_config, customer, fake_cloud):
    wa_config.payment_configuration = "chai-corner-razorpay"
    wa_config.save()
    emit(wa_config.business, "order.paid", order="SC-1", status="paid", total="672.50", currency="INR",
         customer=customer_data())
    assert fake_cloud.wait_for(1)
    sent = fake_cloud.sent[0]["interactive"]
    assert sent["type"] == "order_status"
    assert sent["action"]["parameters"] == {"reference_id": "SC-1", "order": {"status": "processing"}}


def test_failed_payment_offers_to_pay_again(wa_config, customer, fake_cloud):
    emit(wa_config.business, "payment.failed", payment="p1", order="SC-1", amount="120.00", currency="INR",
         customer=customer_data(), reason="card declined")
    assert fake_cloud.wait_for(1)
    buttons = fake_cloud.sent[0]["interactive"]["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == ["pay_wallet:SC-1", "pay_card:SC-1", "cancel:SC-1"]


def test_agent_reply_reaches_the_chat_with_its_ticket(wa_config, customer, fake_cloud):
    emit(wa_config.business, "ticket.reply", ticket=42, body="Your parcel leaves today.", customer=customer_data())
    assert fake_cloud.wait_for(1)
    assert fake_cloud.sent[0]["text"]["body"] == "Support (ticket #42):\nYour parcel leaves today."
    assert OutboundMessage.objects.get().ticket_id == "42"


def test_agent_reply_names_the_ticket_by_its_number_in_the_business(wa_config, customer, fake_cloud):
    emit(wa_config.business, "ticket.reply", ticket=142, number=7, body="On its way.", customer=customer_data())
    assert fake_cloud.wait_for(1)
    assert fake_cloud.sent[0]["text"]["body"] == "Support (ticket #7):\nOn its way."


def test_order_placed_is_not_repeated_in_the_chat(wa_config, customer, fake_cloud):
    emit(wa_config.business, "order.placed", order="SC-1", customer=customer_data())
    assert list(OutboxEvent.objects.values_list("channel", flat=True)) == ["webhook"]
    assert fake_cloud.requests == []


def test_event_delivered_twice_is_sent_once(wa_config, customer, fake_cloud):
    emit(wa_config.business, "order.delivered", order="SC-1", customer=customer_data())
    event = OutboxEvent.objects.get(channel="whatsapp")
    OutboxEvent.objects.filter(pk=event.pk).update(status="pending")
    outbox.deliver(event.pk)
    assert len(fake_cloud.requests) == 1 and OutboundMessage.objects.count() == 1
