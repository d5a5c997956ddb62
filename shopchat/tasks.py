"""Celery tasks of the core: thin wrappers that load ids and call the outbox and e-mail code."""
from celery import shared_task
from . import idempotency, outbox
from .whatsapp import tasks as whatsapp_tasks  # noqa: F401  (registers the adapter's tasks)


@shared_task(acks_late=True)
def deliver_event(event_id: str) -> str:
    return outbox.deliver(event_id)


@shared_task
def sweep_outbox() -> int:
    return outbox.sweep()


@shared_task
def purge_idempotency_records() -> int:
    return idempotency.purge_expired()
