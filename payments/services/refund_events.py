"""A provider's own word on a card refund, later than its API answer: Stripe's `refund.failed`
and `refund.updated`/`charge.refund.updated`, Razorpay's `refund.failed` and `refund.processed`.

A refund is booked in the ledger when it is made and sent after the commit (`send_refund`);
the API's answer marks it succeeded. A bank can still refuse it days later: the provider's
`failed` event marks the refund failed and tells the staff to refund the customer by hand (the
ledger keeps it booked, as when the API refuses at once: the customer is owed it, and
`reconcile` stays clean). A `succeeded` event only settles a refund still pending (the API's
answer was lost: the repair job would otherwise ask again); a failed refund never becomes
succeeded again. Each event is applied once (ProviderEvent), in any order.

The refund is found by the provider's refund id, or by the key we sent with it (`refund_<id>`,
in Stripe's metadata and Razorpay's receipt) when the event came before the API's answer was
stored. Locks: the refund row only."""
import logging

from django.db import transaction
from django.utils.translation import gettext_noop

from shopchat.models import Business
from shopchat.outbox import notify_staff

from ..models import Refund
from ..providers import CallbackEvent, Provider

log = logging.getLogger(__name__)
KEY_PREFIX = "refund_"
NO_REASON = gettext_noop("no reason given")


def _find(provider: Provider, business: Business, event: CallbackEvent) -> Refund | None:
    refunds = (Refund.objects.select_for_update(of=("self",)).select_related("payment__order")
               .filter(business=business, payment__provider=provider.name))
    found = refunds.filter(provider_reference=event.reference).first() if event.reference else None
    key = event.payment_key
    if found is None and key.startswith(KEY_PREFIX) and key[len(KEY_PREFIX):].isdigit():
        found = refunds.filter(pk=int(key[len(KEY_PREFIX):])).first()
    return found


def apply_refund_event(provider: Provider, business: Business, event: CallbackEvent) -> str:
    """`refund.failed` or `refund.succeeded` (as the provider adapters name them)."""
    with transaction.atomic():
        refund = _find(provider, business, event)
        if refund is None:
            log.info("payments: %s %s for an unknown refund of business %s", provider.name, event.type, business.pk)
            return "ignored: unknown refund"
        reference = refund.provider_reference or event.reference
        if event.type == "refund.succeeded":
            if refund.status != Refund.Status.PENDING:
                return f"ignored: refund already {refund.status}"
            Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.SUCCEEDED, provider_reference=reference)
            return "refund_succeeded"
        if refund.status == Refund.Status.FAILED:
            return "ignored: refund already failed"
        Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED, provider_reference=reference)
        order = refund.payment.order
        reason = (event.failure_reason or event.failure_code or "")[:200]
        notify_staff(business=business,  # in each recipient's language
                     subject=gettext_noop("Refund of order %(number)s failed at %(provider)s"),
                     body=gettext_noop("%(provider)s reports that the refund of %(amount)s failed (%(reason)s). The "
                                       "customer has not received it: please refund it in your provider's "
                                       "dashboard or by another way."),
                     params={"number": order.number, "provider": provider.name,
                             "amount": {"money": [refund.amount_minor, refund.currency]},
                             "reason": reason or {"text": NO_REASON}})
        return "refund_failed"
