"""Retention: per business, messages, raw payloads, dead letters and delivered notifications
older than the business keeps them are purged in batches, idempotently, and money records
are never touched."""
from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import DeadLetter, InboundMessage, OutboundMessage
from orders.models import Order
from shopchat.models import OutboxEvent
from shopchat.privacy import services as privacy
from shopchat.tasks import purge_expired_data
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def aged(model, days, **fields):
    row = model.objects.create(**fields)
    stamp = {"InboundMessage": "received_at", "OutboundMessage": "created_at", "DeadLetter": "received_at",
             "OutboxEvent": "created_at"}[model.__name__]
    model.objects.filter(pk=row.pk).update(**{stamp: NOW - timedelta(days=days)})
    return row


def inbound(business, customer, days, key, kind="text"):
    return aged(InboundMessage, days, business=business, customer=customer, wa_message_id=key, wa_id=customer.wa_id,
                type=kind, payload={"text": {"body": "hello"}}, processed_at=NOW)


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business)


def test_chat_messages_older_than_the_business_keeps_them_are_purged(business, customer):
    old, recent = inbound(business, customer, 181, "old"), inbound(business, customer, 179, "new")
    aged(OutboundMessage, 200, business=business, customer=customer, kind="text", body={"text": {"body": "x"}},
         status="read")
    privacy.purge_expired(businesses=[business])
    assert list(InboundMessage.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not OutboundMessage.objects.exists() and old.pk


def test_each_business_has_its_own_retention(business, other_business, customer):
    other_business.retention_chat_days = 400
    other_business.save()
    inbound(business, customer, 200, "a")
    inbound(other_business, CustomerFactory(business=other_business), 200, "b")
    privacy.purge_expired()
    assert list(InboundMessage.objects.values_list("wa_message_id", flat=True)) == ["b"]


def test_raw_delivery_statuses_go_sooner_than_chat_text(business, customer):
    inbound(business, customer, 31, "status-1", kind="status")
    inbound(business, customer, 31, "text-1")
    privacy.purge_expired(businesses=[business])
    assert list(InboundMessage.objects.values_list("wa_message_id", flat=True)) == ["text-1"]


def test_dead_letters_and_delivered_events_are_purged_but_pending_events_stay(business):
    aged(DeadLetter, 31, business=business, reason="bad json", body="{")
    kept = aged(OutboxEvent, 60, business=business, event_type="order.paid", next_attempt_at=NOW, status="pending")
    aged(OutboxEvent, 60, business=business, event_type="order.paid", next_attempt_at=NOW, status="delivered")
    privacy.purge_expired(businesses=[business])
    assert not DeadLetter.objects.exists()
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_purge_works_in_batches_and_a_second_run_finds_nothing(business, customer):
    for i in range(5):
        inbound(business, customer, 365, f"m{i}")
    assert privacy.purge_expired(businesses=[business], batch=2)["messages received"] == 2
    assert purge_expired_data.delay().get()["messages received"] == 3
    assert not any(purge_expired_data.delay().get().values())


def test_purge_never_touches_money_records(business, customer):
    order = OrderFactory(business=business, customer=customer, status="delivered")
    Order.objects.filter(pk=order.pk).update(created_at=NOW - timedelta(days=3650))
    purge_expired_data.delay().get()
    assert Order.objects.filter(pk=order.pk).exists()
