"""A conversation's waiting messages are answered together, in order, and one bad message
neither loses the others nor blocks the customer for good."""
import pytest

from chat import engine
from chat.models import DeadLetter, InboundMessage, OutboundMessage
from chat.notifications import REPLY_EVENT
from chat.services import MAX_ATTEMPTS, answer_conversation
from shopchat.models import OutboxEvent
from tests.chat.conftest import CUSTOMER_WA_ID

pytestmark = pytest.mark.django_db


def _waiting(business, *texts):
    return [InboundMessage.objects.create(
        business=business, wa_message_id=f"wamid.BATCH{n}", wa_id=CUSTOMER_WA_ID, type="text",
        payload={"from": CUSTOMER_WA_ID, "id": f"wamid.BATCH{n}", "type": "text", "text": {"body": text}},
    ) for n, text in enumerate(texts)]


@pytest.fixture
def failing_on_boom(monkeypatch):
    respond = engine.respond

    def respond_or_fail(**kwargs):
        if kwargs["message"]["text"]["body"] == "boom":
            raise RuntimeError("engine bug")
        return respond(**kwargs)

    monkeypatch.setattr(engine, "respond", respond_or_fail)


def test_waiting_messages_are_answered_in_order_by_one_outbox_event(wa_config, customer, products):
    inbound = _waiting(wa_config.business, "tea", "mug", "biscuits")

    assert answer_conversation(business_id=wa_config.business_id, wa_id=CUSTOMER_WA_ID) == 3

    replies = list(OutboundMessage.objects.order_by("pk").values_list("pk", "in_reply_to_id"))
    assert [reply_to for _, reply_to in replies] == [m.pk for m in inbound]
    event = OutboxEvent.objects.get(event_type=REPLY_EVENT)
    assert event.payload["messages"] == [pk for pk, _ in replies]
    assert not InboundMessage.objects.filter(processed_at__isnull=True).exists()


def test_a_failing_message_is_retried_later_and_the_ones_after_it_wait(wa_config, customer, products,
                                                                         failing_on_boom):
    first, bad, after = _waiting(wa_config.business, "tea", "boom", "mug")

    assert answer_conversation(business_id=wa_config.business_id, wa_id=CUSTOMER_WA_ID) == 1

    assert list(OutboundMessage.objects.values_list("in_reply_to_id", flat=True)) == [first.pk]
    bad.refresh_from_db()
    after.refresh_from_db()
    assert (bad.processed_at, bad.attempts, "engine bug" in bad.error) == (None, 1, True)
    assert after.processed_at is None


def test_a_message_failing_every_attempt_is_dead_lettered_and_the_conversation_goes_on(
        wa_config, customer, products, failing_on_boom):
    _, bad, after = _waiting(wa_config.business, "tea", "boom", "mug")

    for _ in range(MAX_ATTEMPTS):
        answer_conversation(business_id=wa_config.business_id, wa_id=CUSTOMER_WA_ID)

    bad.refresh_from_db()
    after.refresh_from_db()
    assert bad.processed_at is not None and bad.attempts == MAX_ATTEMPTS
    assert DeadLetter.objects.filter(business=wa_config.business).count() == 1
    assert after.processed_at is not None
    assert not OutboundMessage.objects.filter(in_reply_to=bad).exists()
    assert OutboundMessage.objects.filter(in_reply_to=after).exists()


def test_a_switched_off_number_answers_nothing_but_takes_the_messages(wa_config, customer, products):
    type(wa_config).objects.filter(pk=wa_config.pk).update(enabled=False)
    _waiting(wa_config.business, "tea", "mug")

    assert answer_conversation(business_id=wa_config.business_id, wa_id=CUSTOMER_WA_ID) == 2

    assert not OutboundMessage.objects.exists()
    assert not InboundMessage.objects.filter(processed_at__isnull=True).exists()
