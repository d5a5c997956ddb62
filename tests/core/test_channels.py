"""The outbox's channel registry: apps register channels, the kernel delivers and copies events
through them without importing the apps."""
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from shopchat import channels, outbox
from shopchat.channels import UndeliveredMessage
from shopchat.models import OutboxEvent


@pytest.fixture
def sms():
    """A channel `sms` registered for one test: it records what it delivers, copies the events
    its rule names, and reports one undelivered message per order."""
    delivered = []
    copied_types = set()

    def undelivered(*, business, order_number="", ticket_id=""):
        at = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
        return [UndeliveredMessage(status_at=at, kind="sms", error_code=30003, error_title="Unreachable")] \
            if order_number else []

    channel = channels.register(
        "sms", label="Text message", deliver=delivered.append,
        copies=lambda business, event_type, data: event_type in copied_types,
        undelivered=undelivered,
    )
    yield SimpleNamespace(channel=channel, delivered=delivered, copied_types=copied_types)
    channels.unregister("sms")


def test_the_kernel_registers_its_own_channels():
    assert channels.get("webhook").deliver is outbox.post_webhook
    assert channels.get("email").deliver is outbox.send_email
    assert ("webhook", "Gateway webhook") in channels.choices()
    assert ("email", "E-mail to staff") in channels.choices()


def test_a_registered_channel_delivers_its_events(business, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = outbox.emit_event(business=business, event_type="promo.sent", data={"text": "hi"}, channel="sms")
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.DELIVERED
    assert [e.pk for e in sms.delivered] == [event.pk]


def test_a_registered_channel_labels_its_events(business, sms):
    event = outbox.emit_event(business=business, event_type="promo.sent", data={}, channel="sms")
    assert ("sms", "Text message") in channels.choices()
    assert event.get_channel_display() == "Text message"


def test_a_webhook_event_gets_a_copy_on_the_channels_whose_rule_asks(business, sms):
    sms.copied_types.add("order.shipped")
    outbox.emit_event(business=business, event_type="order.shipped", data={})
    outbox.emit_event(business=business, event_type="order.placed", data={})
    copies = OutboxEvent.objects.filter(channel="sms")
    assert list(copies.values_list("event_type", flat=True)) == ["order.shipped"]
    assert channels.copies_of(business, "order.placed", {}) == []


def test_only_webhook_events_are_copied(business, sms):
    sms.copied_types.add("staff.email")
    outbox.notify_staff(business=business, subject="New order", body="SC-1")
    assert not OutboxEvent.objects.filter(channel="sms").exists()


def test_registering_a_name_twice_is_refused_unless_it_is_the_same_registration(sms):
    channel = sms.channel
    again = channels.register("sms", label=channel.label, deliver=channel.deliver, copies=channel.copies,
                              undelivered=channel.undelivered)
    assert again == channel
    with pytest.raises(ValueError, match="already registered"):
        channels.register("sms", label="Another SMS", deliver=print)
    with pytest.raises(ValueError, match="already registered"):
        channels.register("webhook", label="Gateway webhook", deliver=print)


def test_a_channel_name_fits_the_event_column():
    with pytest.raises(ValueError):
        channels.register("a" * 11, label="Too long", deliver=print)
    with pytest.raises(ValueError):
        channels.register("", label="Empty", deliver=print)


def test_unknown_channel_is_named():
    with pytest.raises(channels.UnknownChannel, match="'fax'"):
        channels.get("fax")


def test_event_on_an_unknown_channel_stays_pending(business):
    event = OutboxEvent.objects.create(business=business, channel="fax", event_type="x", payload={},
                                       next_attempt_at=datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(channels.UnknownChannel):
        outbox.deliver(event.pk)
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.PENDING
    assert event.get_channel_display() == "fax"


def test_undelivered_messages_come_from_every_channel_that_reports_them(business, sms):
    [message] = channels.undelivered_messages(business=business, order_number="SC-1")
    assert (message.kind, message.error_code, message.error_title) == ("sms", 30003, "Unreachable")
    assert channels.undelivered_messages(business=business, ticket_id="7") == []


def test_business_relations_are_collected_once():
    channels.register("one", label="One", deliver=print, business_relations=["profile"])
    channels.register("two", label="Two", deliver=print, business_relations=["profile", "settings"])
    try:
        relations = channels.business_relations()
        assert relations.count("profile") == 1 and "settings" in relations
    finally:
        channels.unregister("one")
        channels.unregister("two")
