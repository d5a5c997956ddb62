"""The whole chat flow through signed webhooks, the real services and the fake Cloud API:
Hi -> catalog -> WhatsApp cart -> order with payment buttons -> pay from a funded wallet ->
confirmation -> delivery statuses. With PostgreSQL and Redis the tasks run on a real Celery
worker (`real_celery`: a worker process on Redis against the test database); otherwise eagerly."""
import time

import pytest
from django.conf import settings

from chat.models import InboundMessage, OutboundMessage
from orders.models import Order
from payments.models import Payment
from tests.chat.conftest import button_payload, fund_wallet, payload, post_webhook, status_payload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tasks_run(request):
    """A real Celery worker when PostgreSQL and Redis are configured, else eager tasks."""
    if settings.IS_POSTGRES and settings.REDIS_URL:
        return request.getfixturevalue("real_celery")
    return None


def eventually(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)
    return check()


def test_hi_catalog_order_pay_confirmation(client, wa_config, fake_cloud, customer, products, tasks_run):
    fund_wallet(customer, 100_000)

    assert post_webhook(client, payload("inbound_text_hi.json")).status_code == 200
    assert fake_cloud.wait_for(2)
    assert fake_cloud.sent[0]["text"]["body"] == "Hi! Welcome to Chai Corner."
    assert fake_cloud.sent[1]["interactive"]["type"] == "list"

    assert post_webhook(client, payload("inbound_order_3_items.json")).status_code == 200
    assert fake_cloud.wait_for(3)
    order = Order.objects.get(customer=customer)
    assert order.total_minor == 62450 and order.lines.count() == 3
    payment_request = fake_cloud.sent[2]["interactive"]
    assert [b["reply"]["id"] for b in payment_request["action"]["buttons"]] == [
        f"pay_wallet:{order.number}", f"pay_card:{order.number}", f"cancel:{order.number}"]

    tap = button_payload(f"pay_wallet:{order.number}", "Pay from wallet", "wamid.IN_PAY")
    assert post_webhook(client, tap).status_code == 200
    assert fake_cloud.wait_for(4)
    assert fake_cloud.sent[3]["text"]["body"] == (
        f"Payment received for order {order.number} (₹624.50). Thank you! We are preparing it.")
    order.refresh_from_db()
    assert order.status == "paid"
    assert Payment.objects.get(order=order).status == "captured"

    confirmation = OutboundMessage.objects.get(order_number=order.number, kind="text")
    assert eventually(lambda: OutboundMessage.objects.get(pk=confirmation.pk).status == "sent")
    confirmation.refresh_from_db()
    post_webhook(client, status_payload("status_read.json", confirmation.wa_message_id))
    assert eventually(lambda: OutboundMessage.objects.get(pk=confirmation.pk).status == "read")
    assert eventually(lambda: not InboundMessage.objects.filter(processed_at__isnull=True).exists())
    assert OutboundMessage.objects.filter(status="read").count() == 1
    time.sleep(0.2)  # nothing else is sent
    assert len(fake_cloud.requests) == 4
