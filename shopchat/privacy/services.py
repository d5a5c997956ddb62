"""Export, erasure and retention of a customer's personal data: one service each, called alike
by the management commands, the API, the back office and the chat engine.

- `export_customer`: one versioned JSON document (docs/PRIVACY.md, "Export format") built from
  every registered app's sections, a constant number of queries per table;
- `erase_customer`: tombstones everywhere the customer's data lives, money records kept (their
  amounts, dates and ledger entries), the erasure recorded without personal data;
- `request_erasure`: the customer asked in the chat; staff confirm it in the back office;
- `purge_expired`: the retention job, per business, in batches.

Locks of `erase_customer`, in this order (DESIGN.md "Locks", the customer row first as the chat
engine's upsert does): the customer row; the customer's orders in id order (orders' check);
the wallet (payments' check). Then plain UPDATEs of rows nobody else locks for money.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopchat.actors import Actor, staff_user

from ..models import Business, Customer
from .errors import AlreadyErased, ErasureRefused
from .models import ErasureRecord
from .registry import Erasure, handlers

FORMAT = "shopchat.customer-export"
VERSION = 1
ERASED_PREFIX = "erased"


def export_customer(*, customer: Customer) -> dict[str, Any]:
    """Everything the business holds about `customer`, as one JSON-ready document
    (`format`, `version`, `exported_at`, `business`, then each app's sections). Reads only."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "business": {"name": customer.business.name, "slug": customer.business.slug},
    }
    for handler in handlers():
        if handler.export is not None:
            document.update(handler.export(customer))
    return document


def actor_label(actor: Actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor[:150]
    user = staff_user(actor)
    if user is not None:
        return (user.get_username() or str(user.pk))[:150]
    return str(actor)[:150]


def erasure_refusals(*, customer: Customer) -> list[str]:
    """Why `customer` cannot be erased now (empty: nothing stops it). Takes no locks; the
    erasure itself asks again under its locks."""
    return [reason for h in handlers() if h.check is not None for reason in h.check(customer)]


def erase_customer(*, customer: Customer, actor: Actor, reason: str = "",
                   source: str = ErasureRecord.Source.API,
                   request: ErasureRecord | None = None) -> ErasureRecord:
    """Replace `customer`'s personal data with tombstones in every app, in one transaction.

    Refused (`ErasureRefused`, nothing written) while an order is open or the wallet holds money:
    the merchant still owes or is owed something the customer must be reachable for. Money
    records stay; the customer row stays (orders, payments and ledger accounts point at it) with
    a tombstone number, so a later message from the same number starts a new customer.
    Locks: see the module docstring. Returns the erasure record (no personal data in it).
    """
    with transaction.atomic():
        locked = Customer.objects.select_for_update(of=("self",)).select_related("business").get(pk=customer.pk)
        if locked.erased_at is not None:
            raise AlreadyErased(_("This customer's personal data was already erased."))
        reasons = erasure_refusals(customer=locked)
        if reasons:
            raise ErasureRefused(_("The customer's data cannot be erased yet: %(reasons)s.")
                                 % {"reasons": "; ".join(reasons)}, data={"reasons": reasons})
        erasure = Erasure(business=locked.business, customer=locked, wa_id=locked.wa_id, name=locked.name or "",
                          tombstone_wa_id=_tombstone_number(locked.business))
        for handler in handlers():
            if handler.collect is not None:
                erasure.texts.update(t for t in handler.collect(locked) if t and t.strip())
        for handler in handlers():
            if handler.erase is not None:
                handler.erase(erasure)
        now = timezone.now()
        values = {"status": ErasureRecord.Status.DONE, "done_at": now, "done_by": staff_user(actor),
                  "done_by_label": actor_label(actor), "reason": erasure.scrub(reason or "")[:300],
                  "counts": erasure.counts}
        record = request or ErasureRecord.objects.filter(customer=locked, status=ErasureRecord.Status.REQUESTED).first()
        if record is None:
            record = ErasureRecord.objects.create(business=locked.business, customer=locked, source=source, **values)
        else:
            for key, value in values.items():
                setattr(record, key, value)
            record.save()
        return record


def _tombstone_number(business: Business) -> str:
    """A number no WhatsApp sender has (letters), unique in the business."""
    while True:
        candidate = f"{ERASED_PREFIX}{secrets.token_hex(4)}"[:15]
        if not Customer.objects.filter(business=business, wa_id=candidate).exists():
            return candidate


def request_erasure(*, customer: Customer, source: str = ErasureRecord.Source.CHAT) -> tuple[ErasureRecord, bool]:
    """The customer asked to have their data deleted: an open request staff confirm in the back
    office (`erase_customer(request=...)`). Returns (request, created); asking twice keeps one."""
    with transaction.atomic():
        existing = ErasureRecord.objects.filter(customer=customer, status=ErasureRecord.Status.REQUESTED).first()
        if existing is not None:
            return existing, False
        return ErasureRecord.objects.create(business_id=customer.business_id, customer=customer, source=source), True


def decline_erasure(*, request: ErasureRecord, actor: Actor, reason: str) -> ErasureRecord:
    """Staff decline a customer's request (e.g. an order is still open), saying why."""
    request.status = ErasureRecord.Status.DECLINED
    request.done_at = timezone.now()
    request.done_by = staff_user(actor)
    request.done_by_label = actor_label(actor)
    request.reason = reason[:300]
    request.save(update_fields=["status", "done_at", "done_by", "done_by_label", "reason"])
    return request


def purge_expired(*, businesses: Iterable[Business] | None = None, batch: int = 1000,
                  now: datetime | None = None) -> dict[str, int]:
    """Retention: every registered app deletes (or empties) what is older than each business
    keeps it, at most `batch` rows of a kind per business per run; run again until it answers
    zeros. Idempotent; never touches money records."""
    now = now or timezone.now()
    totals: dict[str, int] = {}
    for business in businesses if businesses is not None else Business.objects.all():
        for handler in handlers():
            if handler.purge is None:
                continue
            for what, rows in handler.purge(business, now, batch).items():
                totals[what] = totals.get(what, 0) + rows
    return totals
