"""Celery tasks of payments (queue `payments`): thin wrappers around the services, safe to
run twice (settlement claims each payment once; callbacks are de-duplicated by event id)."""
import httpx
from celery import shared_task
from django.conf import settings

from shopchat.models import Business

from . import services
from .providers import sandbox


@shared_task(acks_late=True)
def settle_all() -> int:
    """Beat: the daily settlement of every business whose payout schedule is due, after the
    payouts a provider never answered are sent again (the same key: paid once)."""
    services.resend_unconfirmed_payouts()
    return len(services.settle_all())


@shared_task(acks_late=True)
def settle_business(business_id: int) -> int | None:
    settlement = services.settle_business(business=Business.objects.get(pk=business_id))
    return settlement.pk if settlement else None


@shared_task(acks_late=True)
def repair_pending_payments() -> dict[str, int]:
    """Beat: card payments whose provider answer was lost, asked about again by their key."""
    return services.repair_pending_payments()


@shared_task(bind=True, acks_late=True, max_retries=10)
def send_refund(self, refund_id: int) -> str:
    """A booked card refund sent to the provider (idempotent: the refund's own key)."""
    from .providers import ProviderUnavailable

    try:
        return services.send_refund(refund_id=refund_id).status
    except ProviderUnavailable as exc:
        raise self.retry(exc=exc, countdown=min(600, 5 * 2 ** self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, max_retries=8)
def deliver_sandbox_callback(self, reference: str, event_type: str, payment_key: str = "") -> int:
    """The sandbox PSP's side: POST a signed callback to our own webhook endpoint over HTTP,
    retrying with backoff until it is accepted (2xx)."""
    body = sandbox.callback_body(reference, event_type, **({"payment_key": payment_key} if payment_key else {}))
    url = settings.SITE_URL.rstrip("/") + "/api/v1/payments/providers/sandbox/webhook/"
    try:
        response = httpx.post(url, content=body, headers=sandbox.signed_headers(body), timeout=10)
    except httpx.HTTPError as exc:
        raise self.retry(exc=exc, countdown=min(600, 5 * 2 ** self.request.retries)) from exc
    if response.status_code >= 300:
        raise self.retry(exc=RuntimeError(f"HTTP {response.status_code}"),
                         countdown=min(600, 5 * 2 ** self.request.retries))
    return response.status_code
