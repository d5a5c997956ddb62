"""The whole chat flow through webhooks and the fake Cloud API: Hi -> catalog -> cart ->
payment request -> pay -> confirmation -> delivery statuses. With PostgreSQL and Redis it runs
on a real Celery worker; otherwise tasks run eagerly. Orders and payments are small fakes
here (their apps live on other branches); the lead runs this flow on the real services."""
import sys
import types

import pytest
from django.conf import settings
from django.db import connection, transaction

from orders.models import Order, OrderLine
from shopchat import outbox
from shopchat.whatsapp.models import InboundMessage, OutboundMessage
from tests.whatsapp.conftest import button_payload, payload, post_webhook, status_payload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def celery_worker_or_eager():
    """A real Celery worker (thread) on Redis when REDIS_URL and PostgreSQL are set."""
    if not (settings.REDIS_URL and settings.IS_POSTGRES):
        yield None
        return
    from celery.contrib.testing.worker import start_worker

    from shopchat.celery import app

    app.conf.task_always_eager = False
    try:
        app.control.purge()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=5) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True
        connection.close()


@pytest.fixture
def shop_services(monkeypatch):
    """Stand-ins for orders.services.place_order and payments.services.pay_order that write
    what the real ones write: the order and its lines, then on payment the `order.paid` event."""
    orders = types.ModuleType("orders.services")
    payments = types.ModuleType("payments.services")

    def place_order(*, business, customer, items, note=""):
        from catalog.models import Product

        with transaction.atomic():
            order = Order.objects.create(business=business, customer=customer, number="SC-1", sequence=1,
                                         currency="INR", note=note)
            subtotal = 0
            for item in items:
                product = Product.objects.get(business=business, retailer_id=item["retailer_id"])
                line_total = product.price_minor * item["quantity"]
                OrderLine.objects.create(order=order, product=product, retailer_id=product.retailer_id,
                                         title=product.title, unit_price_minor=product.price_minor,
                                         quantity=item["quantity"], line_total_minor=line_total)
                subtotal += line_total
            Order.objects.filter(pk=order.pk).update(subtotal_minor=subtotal, total_minor=subtotal)
            order.refresh_from_db()
        return order

    def pay_order(*, order, method, funding_source=None):
        with transaction.atomic():
            Order.objects.filter(pk=order.pk).update(status="paid")
            outbox.emit_event(business=order.business, event_type="order.paid", data={
                "order": order.number, "status": "paid", "total": "624.50", "currency": "INR",
                "customer": {"wa_id": order.customer.wa_id, "name": order.customer.name}})

    orders.place_order, payments.pay_order = place_order, pay_order
    monkeypatch.setitem(sys.modules, "orders.services", orders)
    monkeypatch.setitem(sys.modules, "payments.services", payments)


def test_hi_catalog_order_pay_confirmation(client, wa_config, fake_cloud, products, shop_services,
                                           celery_worker_or_eager):
    assert post_webhook(client, payload("inbound_text_hi.json")).status_code == 200
    assert fake_cloud.wait_for(2)
    assert fake_cloud.sent[1]["interactive"]["type"] == "list"

    assert post_webhook(client, payload("inbound_order_3_items.json")).status_code == 200
    assert fake_cloud.wait_for(3)
    payment_request = fake_cloud.sent[2]["interactive"]
    assert [b["reply"]["id"] for b in payment_request["action"]["buttons"]] == [
        "pay_wallet:SC-1", "pay_card:SC-1", "cancel:SC-1"]

    assert post_webhook(client, button_payload("pay_wallet:SC-1", "Pay from wallet", "wamid.IN_PAY")).status_code == 200
    assert fake_cloud.wait_for(4)
    assert fake_cloud.sent[3]["text"]["body"] == "Payment received for order SC-1 (INR 624.50). Thank you! We are " \
                                                 "preparing it."
    assert Order.objects.get().status == "paid"

    confirmation = OutboundMessage.objects.get(order_number="SC-1", kind="text")
    assert confirmation.status == "sent"
    post_webhook(client, status_payload("status_read.json", confirmation.wa_message_id))
    for _ in range(200):
        confirmation.refresh_from_db()
        if confirmation.status == "read":
            break
        import time

        time.sleep(0.05)
    assert confirmation.status == "read"
    assert InboundMessage.objects.filter(processed_at__isnull=True).count() == 0
    assert OutboundMessage.objects.filter(status="read").count() == 1
    assert len(fake_cloud.requests) == 4
