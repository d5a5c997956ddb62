"""Celery tasks of the WhatsApp adapter (queue `notifications`): thin, idempotent wrappers."""
from celery import shared_task

from . import services


@shared_task(acks_late=True)
def process_inbound(business_id: int, keys: list) -> int:
    return services.process_inbound(business_id=business_id, keys=keys)


@shared_task
def sweep_inbound() -> int:
    return services.sweep_inbound()
