"""A Celery worker killed with SIGKILL in the middle of a burst loses no message and reorders no
conversation: its unfinished transactions roll back, the sweep hands their messages out again,
and the conversation lock makes whichever worker takes them answer each customer's oldest
message first. PostgreSQL + Redis with real worker processes (the CI's second run)."""
import os
import signal
import time

import pytest
from django.conf import settings
from django.utils import timezone

from chat.models import InboundMessage, OutboundMessage
from chat.services import sweep_inbound
from shopchat import outbox
from tests.chat.conftest import post_webhook, text_payload
from tests.conftest import start_celery_worker
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not (settings.IS_POSTGRES and settings.REDIS_URL), reason="needs PostgreSQL and Redis"),
]

CONVERSATIONS = 12
MESSAGES_EACH = 8


def _wait(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


@pytest.fixture
def doomed_worker(real_celery):
    """A second worker, prefork with two children, in its own process group so that the test can
    kill the whole of it at once, as the kernel's OOM killer or a lost machine would."""
    proc = start_celery_worker("test-worker-doomed.log", "--concurrency", "2", "--pool", "prefork",
                               "--prefetch-multiplier", "4", start_new_session=True)
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def test_a_killed_worker_loses_no_message_and_keeps_each_conversation_in_order(
        client, business, wa_config, fake_cloud, products, doomed_worker):
    customers = [CustomerFactory(business=business, wa_id=f"9198450{n:05d}", name=f"Shopper {n}",
                                 last_inbound_at=timezone.now()) for n in range(CONVERSATIONS)]
    time.sleep(2)  # the doomed worker is up and takes its share of the queue
    # One message per webhook, the conversations interleaved: a conversation's messages are in
    # different tasks, taken by different workers at once.
    for round_ in range(MESSAGES_EACH):
        for customer in customers:
            body = text_payload("tea", f"wamid.KILL.{customer.pk}.{round_}", wa_id=customer.wa_id)
            assert post_webhook(client, body).status_code == 200
    total = CONVERSATIONS * MESSAGES_EACH
    inbound = InboundMessage.objects.filter(business=business, wa_message_id__startswith="wamid.KILL.")
    assert inbound.count() == total

    assert _wait(lambda: inbound.filter(processed_at__isnull=False).count() >= total // 5, timeout=60)
    os.killpg(doomed_worker.pid, signal.SIGKILL)
    doomed_worker.wait(timeout=10)
    assert inbound.filter(processed_at__isnull=True).exists(), "the worker died after the burst, not in it"

    # The beat's sweep (grace 0 here) gives the dead worker's messages to the surviving worker.
    def all_answered() -> bool:
        sweep_inbound(grace_seconds=0)
        return not inbound.filter(processed_at__isnull=True).exists()

    assert _wait(all_answered, timeout=120)
    assert not inbound.exclude(error="").exists()

    replies = list(OutboundMessage.objects.filter(in_reply_to__in=inbound).order_by("pk")
                   .values_list("customer_id", "in_reply_to_id"))
    per_message: dict[int, int] = {}
    for _, inbound_id in replies:
        per_message[inbound_id] = per_message.get(inbound_id, 0) + 1
    assert len(per_message) == total  # every message answered
    assert len(set(per_message.values())) == 1  # and each once: the same reply, never twice
    for customer in customers:
        answered = [inbound_id for customer_id, inbound_id in replies if customer_id == customer.pk]
        assert answered == sorted(answered), f"conversation {customer.pk} answered out of order"

    # The replies the dead worker was sending go out once its lease ends (the outbox's sweep).
    def all_sent() -> bool:
        outbox.sweep(grace_seconds=0)
        return not OutboundMessage.objects.filter(in_reply_to__in=inbound, status="queued").exists()

    assert _wait(all_sent, timeout=90)
    assert not OutboundMessage.objects.filter(in_reply_to__in=inbound, status="failed").exists()
