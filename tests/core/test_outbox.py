"""Events go through the transactional outbox: signed, retried, swept, never lost."""
import json
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from shopchat import outbox
from shopchat.models import Membership, OutboxEvent
from tests.factories import MembershipFactory
from tests.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


def emit(business, event_type="order.placed", data=None):
    with transaction.atomic():
        return outbox.emit_event(business=business, event_type=event_type, data=data or {"number": "SC-1"})


def test_event_reaches_the_webhook_with_a_valid_signature(business, receiver):
    business.webhook_url = receiver.url + "/hooks"
    business.save()
    event = emit(business)
    assert receiver.wait_for(1)
    request = receiver.requests[0]
    assert outbox.verify_signature(business.webhook_secret, request["body"], request["headers"]["X-Shopchat-Signature"])
    body = json.loads(request["body"])
    assert body["id"] == str(event.pk) and body["type"] == "order.placed" and body["data"] == {"number": "SC-1"}
    assert request["headers"]["X-Shopchat-Event-Id"] == str(event.pk)
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.DELIVERED and event.attempts == 1


def test_tampered_body_fails_verification(business):
    header = outbox.sign(business.webhook_secret, b'{"a":1}', 1_700_000_000)
    assert not outbox.verify_signature(business.webhook_secret, b'{"a":2}', header, now=1_700_000_000)
    assert outbox.verify_signature(business.webhook_secret, b'{"a":1}', header, now=1_700_000_000)


def test_old_signature_is_refused(business):
    header = outbox.sign(business.webhook_secret, b"{}", 1_700_000_000)
    assert not outbox.verify_signature(business.webhook_secret, b"{}", header, now=1_700_000_000 + 3600)


def test_receiver_500_is_retried_later(business):
    with Receiver(statuses=(500, 200)) as receiver:
        business.webhook_url = receiver.url
        business.save()
        with mock.patch.object(outbox, "enqueue_delivery") as enqueue:
            event = emit(business)
            outbox.deliver(event.pk)
            event.refresh_from_db()
            assert event.status == OutboxEvent.Status.PENDING
            assert event.attempts == 1 and "HTTP 500" in event.last_error
            assert event.next_attempt_at > timezone.now()
            assert enqueue.call_args.kwargs["countdown"] > 0
            outbox.deliver(event.pk)
        event.refresh_from_db()
        assert event.status == OutboxEvent.Status.DELIVERED and event.attempts == 2
        assert len(receiver.requests) == 2


def test_event_gives_up_after_a_day(business, settings):
    with Receiver(statuses=(503,)) as receiver:
        business.webhook_url = receiver.url
        business.save()
        with mock.patch.object(outbox, "enqueue_delivery"):
            event = emit(business)
            OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=2))
            outbox.deliver(event.pk)
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.FAILED


def test_event_written_while_the_broker_is_down_is_delivered_by_the_sweep(business, receiver):
    business.webhook_url = receiver.url
    business.save()
    with mock.patch("shopchat.tasks.deliver_event.apply_async", side_effect=ConnectionError("broker down")):
        event = emit(business)  # the commit succeeds although nothing could be enqueued
    assert OutboxEvent.objects.get(pk=event.pk).status == OutboxEvent.Status.PENDING
    assert receiver.requests == []
    OutboxEvent.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=2))
    assert outbox.sweep() == 1
    assert receiver.wait_for(1)
    assert OutboxEvent.objects.get(pk=event.pk).status == OutboxEvent.Status.DELIVERED


def test_rolled_back_change_leaves_no_event(business):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            outbox.emit_event(business=business, event_type="order.placed", data={})
            raise RuntimeError
    assert not OutboxEvent.objects.exists()


def test_delivering_twice_posts_once(business, receiver):
    business.webhook_url = receiver.url
    business.save()
    with mock.patch.object(outbox, "enqueue_delivery"):
        event = emit(business)
    outbox.deliver(event.pk)
    outbox.deliver(event.pk)
    assert len(receiver.requests) == 1


def test_leased_event_is_not_delivered_by_a_second_worker(business, receiver):
    business.webhook_url = receiver.url
    business.save()
    with mock.patch.object(outbox, "enqueue_delivery"):
        event = emit(business)
    assert outbox.claim(event.pk) is not None
    assert outbox.deliver(event.pk) == "skipped"
    assert receiver.requests == []


def test_slow_receiver_does_not_block_the_emitting_request(business, settings):
    settings.OUTBOX_TIMEOUT_SECONDS = 0.3
    with Receiver(delay=2) as receiver:
        business.webhook_url = receiver.url
        business.save()
        with mock.patch.object(outbox, "enqueue_delivery"):
            event = emit(business)
            outbox.deliver(event.pk)
    event.refresh_from_db()
    assert event.status == OutboxEvent.Status.PENDING and "Timeout" in event.last_error


def test_event_without_a_webhook_is_skipped(business):
    event = emit(business)
    assert OutboxEvent.objects.get(pk=event.pk).status == OutboxEvent.Status.SKIPPED


def test_staff_email_goes_through_the_outbox(business):
    MembershipFactory(business=business, role=Membership.Role.OWNER, user__email="boss@example.com",
                      user__username="boss@example.com")
    MembershipFactory(business=business, role=Membership.Role.AGENT, user__email="agent@example.com",
                      user__username="agent@example.com")
    with transaction.atomic():
        event = outbox.notify_staff(business=business, subject="New order SC-1", body="Someone ordered.")
    assert event.channel == OutboxEvent.Channel.EMAIL
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["boss@example.com"]
    delivered = OutboxEvent.objects.get(pk=event.pk)
    assert delivered.status == OutboxEvent.Status.DELIVERED
    assert delivered.payload["recipients"] == ["boss@example.com"]


def test_staff_email_goes_to_the_staff_of_when_it_is_sent(business):
    with mock.patch.object(outbox, "enqueue_delivery"):
        with transaction.atomic():
            event = outbox.notify_staff(business=business, subject="New order SC-1", body="Someone ordered.")
    MembershipFactory(business=business, role=Membership.Role.MANAGER, user__email="new.manager@example.com",
                      user__username="new.manager@example.com")
    assert outbox.deliver(event.pk) == OutboxEvent.Status.DELIVERED
    assert mail.outbox[0].to == ["new.manager@example.com"]


def test_staff_email_without_staff_is_skipped(business):
    event = outbox.notify_staff(business=business, subject="New order SC-1", body="Someone ordered.")
    assert OutboxEvent.objects.get(pk=event.pk).status == OutboxEvent.Status.SKIPPED
    assert mail.outbox == []


def test_events_of_one_transaction_are_handed_to_celery_in_one_message(business):
    with mock.patch("shopchat.tasks.deliver_events.apply_async") as batch, \
            mock.patch("shopchat.tasks.deliver_event.apply_async") as single:
        with transaction.atomic():
            first = outbox.emit_event(business=business, event_type="order.placed", data={})
            with transaction.atomic():
                second = outbox.emit_event(business=business, event_type="order.paid", data={})
            third = outbox.notify_staff(business=business, subject="New order", body="...")
    assert single.call_count == 0 and batch.call_count == 1
    assert batch.call_args.args[0] == ([str(first.pk), str(second.pk), str(third.pk)],)


def test_event_of_a_rolled_back_savepoint_is_not_delivered(business, receiver):
    business.webhook_url = receiver.url
    business.save()
    with transaction.atomic():
        kept = outbox.emit_event(business=business, event_type="order.placed", data={})
        try:
            with transaction.atomic():
                outbox.emit_event(business=business, event_type="order.paid", data={})
                raise RuntimeError
        except RuntimeError:
            pass
    assert receiver.wait_for(1)
    assert [r["headers"]["X-Shopchat-Event-Id"] for r in receiver.requests] == [str(kept.pk)]
    assert list(OutboxEvent.objects.values_list("event_type", "status")) == [("order.placed", "delivered")]


def test_resend_queues_a_failed_event_again(business, receiver):
    event = emit(business)
    OutboxEvent.objects.filter(pk=event.pk).update(status=OutboxEvent.Status.FAILED)
    business.webhook_url = receiver.url
    business.save()
    outbox.resend(events=OutboxEvent.objects.filter(pk=event.pk))
    assert receiver.wait_for(1)
    assert OutboxEvent.objects.get(pk=event.pk).status == OutboxEvent.Status.DELIVERED


def test_background_publisher_hands_committed_events_to_celery(business, settings):
    settings.OUTBOX_PUBLISH_IN_BACKGROUND = True
    published = []
    with mock.patch.object(outbox, "enqueue_delivery", side_effect=lambda *ids, **kw: published.extend(ids)):
        with transaction.atomic():
            first = outbox.emit_event(business=business, event_type="order.placed", data={})
            second = outbox.notify_staff(business=business, subject="New order", body="...")
        deadline = time.monotonic() + 5
        while len(published) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert sorted(map(str, published)) == sorted([str(first.pk), str(second.pk)])


def test_background_publisher_survives_a_broker_error(business, settings):
    settings.OUTBOX_PUBLISH_IN_BACKGROUND = True
    calls = []

    def flaky(*ids, **kw):
        calls.append(ids)
        if len(calls) == 1:
            raise ConnectionError("broker down")

    def wait_for(count):
        deadline = time.monotonic() + 5
        while len(calls) < count and time.monotonic() < deadline:
            time.sleep(0.01)

    with mock.patch.object(outbox, "enqueue_delivery", side_effect=flaky):
        outbox.publisher.submit(["a"])
        wait_for(1)
        outbox.publisher.submit(["b"])
        wait_for(2)
    assert calls == [("a",), ("b",)]


def test_background_publisher_sends_events_committed_close_together_in_one_message(settings):
    settings.OUTBOX_PUBLISH_IN_BACKGROUND = True
    settings.OUTBOX_PUBLISH_LINGER_MS = 300
    calls = []
    with mock.patch.object(outbox, "enqueue_delivery", side_effect=lambda *ids, **kw: calls.append(ids)):
        outbox.publisher.submit(["a"])
        outbox.publisher.submit(["b", "c"])
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.4)
    assert calls == [("a", "b", "c")]


def test_a_translatable_staff_email_reaches_each_recipient_in_their_language(business):
    """Saved back-office language first, else the business's language, else English; amounts in
    the reader's locale; the payload keeps the English text."""
    from django.utils.translation import gettext_noop

    from shopchat.backoffice.language import set_staff_language

    business.language, business.currency = "it", "EUR"
    business.save(update_fields=["language", "currency"])
    for email, language in (("de@example.com", "de"), ("en@example.com", "en"), ("it@example.com", None)):
        member = MembershipFactory(business=business, role=Membership.Role.OWNER, user__email=email,
                                   user__username=email)
        if language:
            set_staff_language(user=member.user, language=language)
    with transaction.atomic():
        event = outbox.notify_staff(
            business=business, subject=gettext_noop("Settlement %(number)s: %(payout)s paid out"),
            body=gettext_noop("%(payments)s payments, gross %(gross)s, refunds %(refunds)s, commission "
                              "%(commission)s; paid out %(payout)s to %(account)s."),
            params={"number": 7, "payments": 3, "gross": {"money": [123450, "EUR"]}, "refunds": {"money": [0, "EUR"]},
                    "commission": {"money": [1000, "EUR"]}, "payout": {"money": [122450, "EUR"]},
                    "account": "****1234"})
    assert OutboxEvent.objects.get(pk=event.pk).payload["subject"] == "Settlement 7: EUR 1224.50 paid out"
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_recipient) == ["de@example.com", "en@example.com", "it@example.com"]
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert by_recipient["en@example.com"].subject == "Settlement 7: EUR 1224.50 paid out"
    assert by_recipient["de@example.com"].subject == "Abrechnung 7: 1.224,50\xa0€ ausgezahlt"
    assert by_recipient["it@example.com"].subject == "Rendiconto 7: 1.224,50\xa0€ pagati"
    assert "Provision 10,00\xa0€" in by_recipient["de@example.com"].body


def test_every_staff_email_of_the_code_is_written_for_translation():
    """Each e-mail to staff is written as catalog messages with params (`staff_email(params=...)`),
    so its reader gets it in their language: a call without them, or a staff.email event written
    by hand from plain text, would reach a German owner in English."""
    import ast
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    plain = []
    for package in ("shopchat", "catalog", "orders", "payments", "support", "chat", "web"):
        for path in (root / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                keywords = {k.arg: k.value for k in node.keywords}
                if name in ("notify_staff", "staff_email") and "params" not in keywords and None not in keywords:
                    plain.append(f"{path.relative_to(root)}:{node.lineno}")
                event_type = keywords.get("event_type")
                if name == "emit_event" and isinstance(event_type, ast.Constant) and event_type.value == "staff.email":
                    data = keywords.get("data")
                    if not (isinstance(data, ast.Dict) and None in data.keys):  # {**mail.data, ...} keeps its i18n
                        plain.append(f"{path.relative_to(root)}:{node.lineno}")
    assert plain == []
