"""`outbox.delivered_here`: a task's own events are sent by the task itself, not by a second one."""
from unittest import mock

import pytest
from django.db import transaction

from shopchat import outbox
from shopchat.models import OutboxEvent

pytestmark = pytest.mark.django_db(transaction=True)


def emit(business):
    with transaction.atomic():
        return outbox.emit_event(business=business, event_type="order.placed", data={"number": "SC-1"})


def test_events_committed_in_the_block_are_delivered_when_it_ends_without_a_second_task(business, receiver):
    business.webhook_url = receiver.url
    business.save()
    with mock.patch("shopchat.outbox.enqueue_delivery") as enqueue:
        with outbox.delivered_here():
            event = emit(business)
            assert receiver.requests == []  # not before the block ends
    assert len(receiver.requests) == 1
    enqueue.assert_not_called()
    assert OutboxEvent.objects.get(pk=event.pk).status == OutboxEvent.Status.DELIVERED


def test_a_block_that_raises_hands_its_committed_events_to_celery(business, receiver):
    with mock.patch("shopchat.outbox.enqueue_delivery") as enqueue, pytest.raises(RuntimeError):
        with outbox.delivered_here():
            event = emit(business)
            raise RuntimeError("the task failed after its commit")
    enqueue.assert_called_once_with(event.pk)
    assert receiver.requests == []
