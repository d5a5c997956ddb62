"""statuses[] webhooks: delivery states only move forward; failures carry their order or
ticket; payment statuses are parsed and handed to the payments app once."""
import sys
import types

import pytest

from shopchat.whatsapp import messages as wa
from shopchat.whatsapp.models import InboundMessage, OutboundMessage
from shopchat.whatsapp.services import parse_payment_status, sweep_inbound
from tests.whatsapp.conftest import payload, post_webhook, status_payload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent_message(wa_config, customer):
    return OutboundMessage.objects.create(
        business=wa_config.business, customer=customer, kind="text", body=wa.text("Your order"),
        wa_message_id="wamid.TEST_OUT_TEXT_0001", status="sent", order_number="SC-1042",
    )


def test_delivered_then_read_moves_the_message_forward(client, sent_message):
    post_webhook(client, payload("status_delivered.json"))
    sent_message.refresh_from_db()
    assert sent_message.status == "delivered"
    post_webhook(client, payload("status_read.json"))
    sent_message.refresh_from_db()
    assert sent_message.status == "read"


def test_late_sent_does_not_overwrite_read(client, sent_message):
    post_webhook(client, payload("status_read.json"))
    post_webhook(client, payload("status_sent.json"))
    post_webhook(client, payload("status_delivered.json"))
    sent_message.refresh_from_db()
    assert sent_message.status == "read"
    assert InboundMessage.objects.filter(processed_at__isnull=False).count() == 3


def test_failed_status_is_recorded_with_its_order(client, sent_message):
    post_webhook(client, status_payload("status_failed.json", "wamid.TEST_OUT_TEXT_0001"))
    message = OutboundMessage.objects.get(order_number="SC-1042", status="failed")
    assert message.error_code == 131047 and message.error_title.startswith("Re-engagement message - Message failed")


def test_status_arriving_before_its_message_id_is_kept_for_the_sweep(client, wa_config, customer):
    post_webhook(client, payload("status_delivered.json"))
    row = InboundMessage.objects.get()
    assert row.processed_at is None and row.attempts == 1
    OutboundMessage.objects.create(business=wa_config.business, customer=customer, kind="text",
                                   body=wa.text("x"), wa_message_id="wamid.TEST_OUT_TEXT_0001", status="sent")
    assert sweep_inbound(grace_seconds=-1) == 1
    assert OutboundMessage.objects.get().status == "delivered"
    assert InboundMessage.objects.get().processed_at is not None


def test_captured_payment_status_is_parsed():
    status = payload("inbound_payment_status_captured.json")["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert parse_payment_status(status) == {
        "reference_id": "ORD-1001-1", "status": "captured", "transaction_id": "pay_PGTEST0001", "error": None}


def test_pending_payment_with_a_failed_transaction_is_a_failure():
    status = payload("inbound_payment_status_failed.json")["entry"][0]["changes"][0]["value"]["statuses"][0]
    parsed = parse_payment_status(status)
    assert parsed["status"] == "failed" and parsed["reference_id"] == "ORD-1001-1"
    assert parsed["error"] == {"code": "BAD_REQUEST_ERROR", "reason": "incorrect_pin"}


def test_top_level_failed_payment_status_is_a_failure():
    status = payload("inbound_payment_status_failed_top_level.json")["entry"][0]["changes"][0]["value"]["statuses"][0]
    parsed = parse_payment_status(status)
    assert parsed == {"reference_id": "ORD-1002-1", "status": "failed", "transaction_id": "order_PGTEST0002",
                      "error": {"code": "PAYMENT_DECLINED", "reason": "insufficient_funds"}}


def test_pending_payment_without_a_result_stays_pending():
    status = {"id": "x", "type": "payment", "status": "pending",
              "payment": {"reference_id": "SC-1", "transaction": {"id": "t", "status": "pending"}}}
    assert parse_payment_status(status)["status"] == "pending"


def test_payment_status_is_handed_to_payments_once(client, wa_config, monkeypatch):
    calls = []
    fake = types.ModuleType("payments.services")
    fake.handle_whatsapp_payment_status = lambda **kwargs: calls.append(kwargs)
    monkeypatch.setitem(sys.modules, "payments.services", fake)
    for _ in range(3):
        assert post_webhook(client, payload("inbound_payment_status_captured.json")).status_code == 200
    post_webhook(client, payload("inbound_payment_status_failed.json"))
    assert [(c["reference_id"], c["status"]) for c in calls] == [("ORD-1001-1", "captured"), ("ORD-1001-1", "failed")]
    assert calls[0]["business"] == wa_config.business and calls[0]["transaction_id"] == "pay_PGTEST0001"
