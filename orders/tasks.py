"""Celery tasks of orders: thin, idempotent (a second run finds nothing left to expire)."""
from celery import shared_task

from . import services


@shared_task(acks_late=True)
def expire_unpaid_orders() -> int:
    """Beat, every minute: unpaid orders past their time expire and give their stock back."""
    return services.expire_unpaid_orders()
