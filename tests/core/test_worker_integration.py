"""On PostgreSQL + Redis: a real Celery worker delivers outbox events to an HTTP receiver."""
import json

import pytest
from django.db import transaction

from shopchat import outbox
from shopchat.models import OutboxEvent
from tests.receiver import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_status(event, status, timeout=20):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event.refresh_from_db()
        if event.status == status:
            return True
        time.sleep(0.1)
    return False


def test_worker_delivers_a_signed_event(business, real_celery):
    with Receiver() as receiver:
        business.webhook_url = receiver.url
        business.save()
        with transaction.atomic():
            event = outbox.emit_event(business=business, event_type="order.paid", data={"number": "SC-9"})
        assert receiver.wait_for(1), "the worker did not deliver the event"
        request = receiver.requests[0]
        assert outbox.verify_signature(business.webhook_secret, request["body"],
                                       request["headers"]["X-Shopchat-Signature"])
        assert json.loads(request["body"])["id"] == str(event.pk)
        assert wait_status(event, OutboxEvent.Status.DELIVERED)


def test_worker_retries_after_a_500(business, real_celery):
    with Receiver(statuses=(500, 200)) as receiver:
        business.webhook_url = receiver.url
        business.save()
        with transaction.atomic():
            event = outbox.emit_event(business=business, event_type="order.paid", data={"number": "SC-10"})
        assert receiver.wait_for(2, timeout=30), "the worker did not retry"
        assert wait_status(event, OutboxEvent.Status.DELIVERED)
        assert event.attempts == 2


def _worker_connections() -> list:
    """(pid, backend_start) of the other sessions on the test database: the worker's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid, backend_start FROM pg_stat_activity WHERE datname = current_database()"
                       " AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
        return cursor.fetchall()


def test_a_worker_keeps_its_database_connection_from_task_to_task(business, real_celery):
    """Celery's Django fixup would close it before and after every task (a new PostgreSQL
    connection for every chat message); shopchat.celery has the worker keep it."""
    with Receiver() as receiver:
        business.webhook_url = receiver.url
        business.save()
        with transaction.atomic():
            first = outbox.emit_event(business=business, event_type="order.paid", data={"number": "SC-11"})
        assert wait_status(first, OutboxEvent.Status.DELIVERED)
        before = set(_worker_connections())
        for n in range(3):
            with transaction.atomic():
                event = outbox.emit_event(business=business, event_type="order.paid", data={"number": f"SC-2{n}"})
            assert wait_status(event, OutboxEvent.Status.DELIVERED)
        assert before, "the worker holds no connection after its task"
        assert before <= set(_worker_connections()), "the worker opened a new connection for a task"
