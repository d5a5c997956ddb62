"""Celery tasks of the core: thin wrappers that load ids and call the outbox and e-mail code."""
from celery import shared_task

from . import idempotency, outbox


@shared_task(acks_late=True)
def deliver_event(event_id: str) -> str:
    return outbox.deliver(event_id)


@shared_task(acks_late=True)
def deliver_events(event_ids: list) -> int:
    """The events of one transaction: each gets its own delivery task, so a slow webhook never
    holds back the chat message or the e-mail written with it."""
    for event_id in event_ids:
        outbox.enqueue_delivery(event_id)
    return len(event_ids)


@shared_task
def sweep_outbox() -> int:
    return outbox.sweep()


@shared_task
def purge_idempotency_records() -> int:
    return idempotency.purge_expired()


@shared_task(acks_late=True)
def purge_expired_data(rounds: int = 50) -> dict[str, int]:
    """Retention (docs/PRIVACY.md): batches of what each business keeps no longer, until a round
    finds nothing (or `rounds` batches ran; the next run goes on). Idempotent."""
    from .privacy import services

    totals: dict[str, int] = {}
    for _ in range(rounds):
        purged = services.purge_expired()
        for what, rows in purged.items():
            totals[what] = totals.get(what, 0) + rows
        if not any(purged.values()):
            break
    return totals
