"""Beat jobs of the support desk (thin: the rules are in support.services)."""
from celery import shared_task

from . import services


@shared_task(acks_late=True)
def close_solved_tickets() -> int:
    return services.close_solved_tickets()


@shared_task(acks_late=True)
def flag_breaching_tickets() -> int:
    return services.flag_breaching_tickets()
