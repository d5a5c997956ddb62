"""Celery tasks of the WhatsApp adapter (queue `notifications`): thin, idempotent wrappers."""
from celery import shared_task

from shopchat import outbox

from . import services


@shared_task(acks_late=True)
def process_inbound(business_id: int, keys: list) -> int:
    """Answer the messages, then send the replies from this same task (no second task per reply)."""
    with outbox.delivered_here():
        return services.process_inbound(business_id=business_id, keys=keys)


@shared_task
def sweep_inbound() -> int:
    return services.sweep_inbound()


@shared_task(bind=True, acks_late=True, max_retries=12)
def confirm_whatsapp_payment(self, business_id: int, reference_id: str, transaction_id: str) -> str:
    """Meta's rule: a reported capture is confirmed with the payment lookup API before the order
    is paid; asked again with backoff while the lookup says pending or cannot answer."""
    from .whatsapp_pay import LookupUnavailable, confirm_payment

    try:
        outcome = confirm_payment(business_id=business_id, reference_id=reference_id, transaction_id=transaction_id)
    except LookupUnavailable as exc:
        raise self.retry(exc=exc, countdown=min(600, 10 * 2 ** self.request.retries)) from exc
    if outcome == "pending":
        raise self.retry(exc=RuntimeError("still pending"), countdown=min(600, 10 * 2 ** self.request.retries))
    return outcome


@shared_task(acks_late=True)
def reconcile_whatsapp_payments() -> int:
    """Beat: captured WhatsApp Pay payments checked against Meta's lookup API."""
    from shopchat.models import Business

    from .models import WhatsAppConfig
    from .whatsapp_pay import reconcile_payments

    count = 0
    for business_id in WhatsAppConfig.objects.exclude(payment_configuration="").values_list("business_id", flat=True):
        count += len(reconcile_payments(business=Business.objects.get(pk=business_id)))
    return count
