"""Marketing consent: whether a business may send a customer business-initiated (marketing)
messages. The opt-in is recorded with its time and source; an opt-out ("STOP" in the chat, or
the API) wins over an earlier opt-in. Service messages (answers inside WhatsApp's 24-hour window,
order and payment notifications) need no consent and are never checked here.

Every sender of a template marked marketing calls `may_send_marketing` first and sends nothing
when it answers False (docs/PRIVACY.md, "Consent")."""
from django.utils import timezone

from .models import Customer

MAX_SOURCE = 40


def may_send_marketing(customer: Customer) -> bool:
    """True only for a customer who opted in and has not opted out since (nor been erased)."""
    if customer.erased_at is not None or customer.marketing_opt_in_at is None:
        return False
    return customer.marketing_opt_out_at is None or customer.marketing_opt_out_at < customer.marketing_opt_in_at


def opt_in(*, customer: Customer, source: str) -> Customer:
    """Record the customer's opt-in to marketing messages now, and where it came from (chat,
    api, web, import...). One UPDATE; the row in hand is updated too."""
    now = timezone.now()
    values = {"marketing_opt_in_at": now, "marketing_opt_in_source": source[:MAX_SOURCE], "updated_at": now}
    Customer.objects.filter(pk=customer.pk).update(**values)
    for field, value in values.items():
        setattr(customer, field, value)
    return customer


def opt_out(*, customer: Customer, source: str) -> Customer:
    """Record the customer's opt-out now ("STOP"); it holds until a later opt-in. One UPDATE."""
    now = timezone.now()
    values = {"marketing_opt_out_at": now, "marketing_opt_out_source": source[:MAX_SOURCE], "updated_at": now}
    Customer.objects.filter(pk=customer.pk).update(**values)
    for field, value in values.items():
        setattr(customer, field, value)
    return customer


def record_choice(*, customer: Customer, agreed: bool, source: str) -> Customer:
    """The customer's stated choice (e.g. the API's `marketing_opt_in`): writes only a change,
    so telling the same choice again keeps the time it was first given."""
    if agreed and not may_send_marketing(customer):
        return opt_in(customer=customer, source=source)
    if not agreed and (may_send_marketing(customer) or customer.marketing_opt_out_at is None):
        return opt_out(customer=customer, source=source)
    return customer
