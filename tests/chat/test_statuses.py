"""statuses[] webhooks: delivery states only move forward; failures carry their order or
ticket; payment statuses are parsed and handed to the payments app once."""
from decimal import Decimal

import pytest

from chat import messages as wa
from chat.models import InboundMessage, OutboundMessage
from chat.services import parse_payment_status, sweep_inbound
from tests.chat.conftest import payload, post_webhook, status_payload
from tests.chat.fake_cloud import looked_up

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


# --- WhatsApp Pay statuses settle through payments.services.handle_whatsapp_payment_status ---

def payment_status(name: str, reference_id: str) -> dict:
    data = payload(name)
    data["entry"][0]["changes"][0]["value"]["statuses"][0]["payment"]["reference_id"] = reference_id
    return data


@pytest.fixture
def wa_order(wa_config, customer, place_order):
    """A pending order of the chat customer, paid by WhatsApp Pay (order_details reference = its number)."""
    business = wa_config.business
    business.commission_percent, business.commission_fixed_minor = Decimal("2.00"), 300
    business.save()
    return place_order(SKU_TEA_250G=2)


def test_captured_payment_status_pays_the_order_once(client, wa_order, fake_cloud):
    from payments.models import LedgerAccount, Payment
    from payments.services import reconcile
    from shopchat.models import OutboxEvent

    fake_cloud.payments[wa_order.number] = looked_up(wa_order.number, wa_order.total_minor)
    for _ in range(2):
        status = payment_status("inbound_payment_status_captured.json", wa_order.number)
        assert post_webhook(client, status).status_code == 200
    payment = Payment.objects.get()
    assert (payment.method, payment.status, payment.provider_reference) == ("whatsapp", "captured", "pay_PGTEST0001")
    assert payment.amount_minor == wa_order.total_minor == 24000 and payment.commission_minor == 480 + 300
    wa_order.refresh_from_db()
    assert wa_order.status == "paid"
    balances = dict(LedgerAccount.objects.filter(business=wa_order.business).values_list("kind", "balance_minor"))
    assert balances == {"provider_clearing": -24000, "merchant_payable": 24000 - 780, "platform_revenue": 780}
    assert OutboxEvent.objects.filter(channel="webhook", event_type="payment.captured").count() == 1
    assert OutboxEvent.objects.filter(channel="whatsapp", event_type="order.paid").count() == 1
    assert reconcile(business=wa_order.business) == []


def test_failed_payment_status_records_a_failed_payment(client, wa_order):
    from payments.models import Payment
    from shopchat.models import OutboxEvent

    post_webhook(client, payment_status("inbound_payment_status_failed.json", wa_order.number))
    post_webhook(client, payment_status("inbound_payment_status_failed.json", wa_order.number))
    payment = Payment.objects.get()
    assert (payment.status, payment.failure_code, payment.failure_reason) == (
        "failed", "BAD_REQUEST_ERROR", "incorrect pin")
    event = OutboxEvent.objects.get(channel="webhook", event_type="payment.failed")
    assert event.payload["order"] == wa_order.number and event.payload["reason"] == "incorrect pin"
    wa_order.refresh_from_db()
    assert wa_order.status == "pending_payment"


def test_top_level_failed_payment_status_records_a_failed_payment(client, wa_order):
    from payments.models import Payment

    post_webhook(client, payment_status("inbound_payment_status_failed_top_level.json", wa_order.number))
    assert Payment.objects.get().failure_code == "PAYMENT_DECLINED"


def test_payment_status_of_an_unknown_order_is_logged_and_nothing_written(client, wa_order, caplog):
    from payments.models import Payment, ProviderEvent

    with caplog.at_level("WARNING"):
        post_webhook(client, payment_status("inbound_payment_status_captured.json", "NOPE-1"))
    assert "unknown order 'NOPE-1'" in caplog.text
    assert not Payment.objects.exists() and not ProviderEvent.objects.exists()
    assert InboundMessage.objects.get().processed_at is not None


def test_capture_for_a_cancelled_order_is_refunded(client, wa_order, fake_cloud):
    from orders.services import cancel_order
    from payments.models import Payment
    from payments.services import reconcile

    fake_cloud.payments[wa_order.number] = looked_up(wa_order.number, wa_order.total_minor)
    cancel_order(order=wa_order)
    post_webhook(client, payment_status("inbound_payment_status_captured.json", wa_order.number))
    payment = Payment.objects.get()
    assert payment.status == "captured" and payment.refunded_minor == payment.amount_minor
    assert payment.refunds.get().amount_minor == 24000
    wa_order.refresh_from_db()
    assert wa_order.status == "cancelled"
    assert reconcile(business=wa_order.business) == []


def test_pending_payment_status_writes_nothing_yet(client, wa_order):
    from payments.models import Payment, ProviderEvent

    data = payment_status("inbound_payment_status_captured.json", wa_order.number)
    status = data["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["status"], status["payment"]["transaction"]["status"] = "pending", "pending"
    post_webhook(client, data)
    assert not Payment.objects.exists() and not ProviderEvent.objects.exists()
    wa_order.refresh_from_db()
    assert wa_order.status == "pending_payment"


def test_whatsapp_pay_cannot_be_asked_for_through_the_payments_api(api, wa_order):
    response = api.post(f"/api/v1/orders/{wa_order.number}/payments/", {"method": "whatsapp"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="pay-whatsapp-1")
    assert response.status_code == 400 and "method" in response.json()["error"]["fields"]
