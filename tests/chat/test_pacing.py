"""Send pacing (chat.pacing): each number's throughput and each recipient's pair limit, taken
in turns shared by every worker (Redis when REDIS_URL is set, else this process), and Meta's
throughput errors pausing the number or the pair for everyone."""
import threading
import uuid
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from chat import messages as wa
from chat import pacing
from chat.engine import Reply
from chat.services import queue_replies
from shopchat import outbox
from shopchat.models import OutboxEvent
from tests.chat.conftest import PHONE_NUMBER_ID
from tests.chat.fake_cloud import cloud_error
from tests.factories import CustomerFactory


@pytest.fixture(autouse=True)
def pacing_on(settings):
    settings.WHATSAPP_PACING = True


def number():
    return str(uuid.uuid4().int)[:15]


def immediate_turns(schedule, tries):
    return sum(1 for _ in range(tries) if pacing._run(schedule) == 0)


def test_a_number_sends_a_tenth_of_a_second_of_its_rate_at_once_then_waits_its_interval():
    assert (pacing.number_schedule("1", 80).interval, pacing.number_schedule("1", 80).burst) == (1 / 80, 8)
    schedule = pacing.number_schedule(number(), 20)  # 2 at once, then one per 50 ms
    assert immediate_turns(schedule, 2) == 2
    assert 0 < pacing._run(schedule) <= 0.05


def test_the_rate_is_kept_within_meta_tiers():
    assert pacing.number_schedule("1", None).interval == 1 / 80
    assert pacing.number_schedule("1", 5000).interval == 1 / 1000
    assert pacing.number_schedule("1", 0).interval == 1 / 80


def test_workers_share_a_numbers_turns():
    schedule = pacing.pair_schedule(number(), "919800000001")  # 45 at once, then one per 6 s
    granted = []

    def worker():
        granted.append(immediate_turns(schedule, 15))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == pacing.PAIR_BURST


def test_a_recipient_gets_a_burst_then_one_message_per_pair_interval():
    schedule = pacing.pair_schedule(number(), "919800000001")
    assert immediate_turns(schedule, 60) == pacing.PAIR_BURST
    assert pacing._run(schedule) > pacing.PAIR_INTERVAL_SECONDS - 1


def test_a_turn_further_than_the_longest_wait_is_refused_without_taking_it():
    pid = number()
    pacing.back_off(phone_number_id=pid, wa_id="919800000001", code=pacing.PAIR_ERROR)
    with pytest.raises(pacing.Later) as raised:
        pacing.take_turn(phone_number_id=pid, wa_id="919800000001", rate=80)
    assert raised.value.wait > pacing.MAX_WAIT_SECONDS
    pacing.take_turn(phone_number_id=pid, wa_id="919800000002", rate=80)  # another recipient: its own pair


def test_a_throughput_error_pauses_the_number_for_every_recipient():
    pid = number()
    pacing.back_off(phone_number_id=pid, wa_id="919800000001", code=pacing.THROUGHPUT_ERROR)
    assert pacing._run(pacing.number_schedule(pid, 80)) > 0.5


@pytest.mark.django_db(transaction=True)
def test_meta_answering_131056_pauses_the_pair_and_the_message_waits_for_a_retry(wa_config, customer, fake_cloud):
    pacing.forget(phone_number_id=PHONE_NUMBER_ID, wa_id=customer.wa_id)
    other = CustomerFactory(business=wa_config.business, wa_id="919800000777", last_inbound_at=timezone.now())
    pacing.forget(phone_number_id=PHONE_NUMBER_ID, wa_id=other.wa_id)
    fake_cloud.responses = [(400, cloud_error(131056, "(Business Account, Consumer Account) pair rate limit hit"))]
    with mock.patch.object(outbox, "enqueue_delivery"):
        with transaction.atomic():
            queue_replies(business=wa_config.business, customer=customer, replies=[Reply(wa.text("Hello"))])
        event = OutboxEvent.objects.get(channel="whatsapp")
        assert outbox.deliver(event.pk) == "retrying"
        assert outbox.deliver(event.pk) == "retrying"  # paused: not sent again at once
        assert len(fake_cloud.requests) == 1
        with transaction.atomic():
            queue_replies(business=wa_config.business, customer=other, replies=[Reply(wa.text("Hi"))])
        other_event = OutboxEvent.objects.exclude(pk=event.pk).get(channel="whatsapp")
        assert outbox.deliver(other_event.pk) == "delivered"
        pacing.forget(phone_number_id=PHONE_NUMBER_ID, wa_id=customer.wa_id)
        assert outbox.deliver(event.pk) == "delivered"


def test_a_send_takes_its_turns_on_the_pair_and_the_number_together_or_not_at_all():
    """One round trip for both schedules: when one has no turn, the other's is not used up."""
    key = number()
    scarce = pacing.Schedule(f"wa:pace:test:{key}:pair", interval=600.0, burst=1)
    plenty = pacing.Schedule(f"wa:pace:test:{key}", interval=600.0, burst=2)

    assert pacing._run_all((scarce, plenty)) == 0
    assert pacing._run_all((scarce, plenty)) > 500  # the pair waits ten minutes

    assert immediate_turns(plenty, tries=3) == 1  # the refused send left the number's second turn
