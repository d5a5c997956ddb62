"""The kernel's own part of export, erasure and retention: the customer row (profile, locale,
consents), outbox event payloads, stored idempotent responses, and delivered events by age."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from ..models import Business, Customer, IdempotencyRecord, OutboxEvent
from .registry import TOMBSTONE, Erasure

BATCH = 500


def export(customer: Customer) -> dict[str, Any]:
    return {
        "customer": {
            "wa_id": customer.wa_id,
            "name": customer.name,
            "locale": customer.locale,
            "created_at": customer.created_at,
            "last_message_at": customer.last_inbound_at,
            "is_test": customer.is_test,
        },
        "consents": {
            "marketing": {
                "opted_in_at": customer.marketing_opt_in_at,
                "opt_in_source": customer.marketing_opt_in_source,
                "opted_out_at": customer.marketing_opt_out_at,
                "opt_out_source": customer.marketing_opt_out_source,
            },
        },
    }


def _mentioning(queryset, column: str, erasure: Erasure):
    """Rows whose JSON column holds the customer's number (as text; any database)."""
    return queryset.annotate(_text=Cast(column, output_field=TextField())).filter(_text__contains=erasure.wa_id)


def erase(erasure: Erasure) -> None:
    """Outbox payloads and idempotent responses that carry the number: every string in them that
    names the customer or repeats what they wrote becomes the tombstone. Then the customer row."""
    events = list(_mentioning(OutboxEvent.objects.filter(business=erasure.business), "payload", erasure)
                  .only("id", "payload", "last_error"))
    for event in events:
        event.payload = erasure.scrub_json(event.payload)
        event.last_error = erasure.scrub(event.last_error)
    OutboxEvent.objects.bulk_update(events, ["payload", "last_error"], batch_size=BATCH)
    erasure.count("outbox events", len(events))

    records = list(_mentioning(IdempotencyRecord.objects.filter(business=erasure.business), "response_body", erasure)
                   .only("id", "response_body"))
    for record in records:
        record.response_body = erasure.scrub_json(record.response_body)
    IdempotencyRecord.objects.bulk_update(records, ["response_body"], batch_size=BATCH)
    erasure.count("idempotency records", len(records))

    _erase_admin_log(erasure)
    Customer.objects.filter(pk=erasure.customer.pk).update(
        wa_id=erasure.tombstone_wa_id, name="", locale="", erased_at=timezone.now(), updated_at=timezone.now(),
        marketing_opt_in_at=None, marketing_opt_in_source="",
        marketing_opt_out_at=erasure.customer.marketing_opt_out_at or timezone.now(), marketing_opt_out_source="erased",
    )
    erasure.count("customers", 1)


def _erase_admin_log(erasure: Erasure) -> None:
    """The back office's history names rows by their text (a customer is "Asha (+91...)")."""
    near = (Q(object_repr__contains=erasure.wa_id) | Q(change_message__contains=erasure.wa_id)
            | Q(content_type=ContentType.objects.get_for_model(Customer), object_id=str(erasure.customer.pk)))
    entries = list(LogEntry.objects.filter(near).only("id", "object_repr", "change_message"))
    for entry in entries:
        entry.object_repr = TOMBSTONE
        entry.change_message = erasure.scrub(entry.change_message)
    LogEntry.objects.bulk_update(entries, ["object_repr", "change_message"], batch_size=BATCH)
    erasure.count("back-office history", len(entries))


def purge(business: Business, now: datetime, batch: int) -> dict[str, int]:
    """Delivered (or skipped) notifications older than the business keeps them."""
    cutoff = now - timedelta(days=business.retention_outbox_days)
    done = (OutboxEvent.Status.DELIVERED, OutboxEvent.Status.SKIPPED)
    ids = list(OutboxEvent.objects.filter(business=business, status__in=done, created_at__lt=cutoff)
               .values_list("pk", flat=True)[:batch])
    deleted = OutboxEvent.objects.filter(pk__in=ids).delete()[0] if ids else 0
    return {"outbox events": deleted}
