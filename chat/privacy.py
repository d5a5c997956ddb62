"""The chat's part of a customer's export, erasure and retention (registered in
`ChatConfig.ready()`).

Erasure: every message in and out keeps its ids, type, times and delivery state (de-duplication
and the delivery reports need them) and loses its content: the payload, the sender's profile
name and number (the tombstone number instead), the text sent. Messages still queued are not
sent any more. Dead letters holding the number are emptied; a checkout in progress (the address
typed so far) is deleted. Files the customer sent (`ReceivedMedia`) are listed in the export
(what, when, type, size, caption, file name, state, ticket); erasure deletes each file from the
storage once the erasure commits and keeps the row without its caption, file name, checksum or
Meta's id (state `erased`). Retention: messages older than the
business keeps chat text (the files they carried first, out of the storage too), processed delivery
statuses older than it keeps raw payloads, checkout drafts untouched for as long as it keeps chat
text, and dead letters older than it keeps them are deleted, in batches."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q

from shopchat.models import Business, Customer
from shopchat.privacy import TOMBSTONE, Erasure

from . import media
from .models import (
    CheckoutStep,
    DeadLetter,
    InboundMessage,
    OutboundMessage,
    ReceivedMedia,
    WebChatMessage,
    WebChatVisitor,
    summarize,
)

ERASED = {"erased": True}
DRAFT_TEXTS = ("name", "line1", "line2", "phone")  # what a checkout draft holds that the customer typed


def _inbound(customer: Customer):
    return InboundMessage.objects.filter(Q(customer=customer) | Q(wa_id=customer.wa_id),
                                         business_id=customer.business_id)


def export(customer: Customer) -> dict[str, Any]:
    inbound = _inbound(customer).exclude(type=InboundMessage.STATUS).order_by("id")
    outbound = OutboundMessage.objects.filter(customer=customer).order_by("id")
    web = WebChatMessage.objects.filter(customer=customer).order_by("id")
    steps = CheckoutStep.objects.filter(customer=customer).select_related("order")
    files = ReceivedMedia.objects.filter(customer=customer).select_related("ticket").order_by("id")
    return {"files_sent": [{"kind": m.kind, "mime_type": m.mime_type, "size": m.size, "caption": m.caption,
                            "file_name": m.file_name, "sha256": m.sha256, "status": m.status, "at": m.created_at,
                            "ticket": m.ticket.number if m.ticket else None} for m in files],
            "checkout_in_progress": [{"order": s.order.number, "step": s.step, "address_so_far": s.draft,
                                      "updated_at": s.updated_at} for s in steps], "chat_messages": {
        "received": [{"id": m.wa_message_id, "type": m.type, "text": summarize(m.type, m.payload),
                      "profile_name": m.profile_name, "at": m.received_at} for m in inbound],
        "sent": [{"id": m.wa_message_id, "kind": m.kind, "text": summarize(m.kind, m.body), "status": m.status,
                  "at": m.created_at, "status_at": m.status_at} for m in outbound],
        "browser_chat": [{"direction": m.direction, "kind": m.kind, "text": summarize(m.kind, m.body),
                          "at": m.created_at} for m in web],
    }}


def collect(customer: Customer) -> list[str]:
    texts = []
    for kind, payload in _inbound(customer).exclude(type=InboundMessage.STATUS).values_list("type", "payload"):
        if kind == "text":
            texts.append(summarize(kind, payload))
    for kind, body in WebChatMessage.objects.filter(customer=customer, direction=WebChatMessage.Direction.IN,
                                                    kind="text").values_list("kind", "body"):
        texts.append(summarize(kind, body))
    for caption, name in ReceivedMedia.objects.filter(customer=customer).values_list("caption", "file_name"):
        texts += [t for t in (caption, name) if t]
    for draft in CheckoutStep.objects.filter(customer=customer).values_list("draft", flat=True):
        texts += [str(v) for k, v in (draft or {}).items() if k in DRAFT_TEXTS and v]
    return texts


def erase(erasure: Erasure) -> None:
    customer, business = erasure.customer, erasure.business
    erasure.count("messages received", _inbound(customer).update(
        wa_id=erasure.tombstone_wa_id, profile_name="", payload=ERASED, error=""))
    outbound = OutboundMessage.objects.filter(customer=customer)
    outbound.filter(status=OutboundMessage.Status.QUEUED).update(status=OutboundMessage.Status.FAILED,
                                                                  error_title="not sent: the customer was erased")
    erasure.count("messages sent", outbound.update(body=ERASED, note=""))
    failed = [m for m in outbound.exclude(error_title="").only("id", "error_title") if erasure.mentions(m.error_title)]
    OutboundMessage.objects.filter(pk__in=[m.pk for m in failed]).update(error_title=TOMBSTONE)
    erasure.count("browser-chat messages", WebChatMessage.objects.filter(customer=customer).update(body=ERASED))
    # the browser's cookie token no longer leads to the erased customer
    erasure.count("browser-chat visitors", WebChatVisitor.objects.filter(customer=customer).delete()[0])
    # the address typed so far in a chat checkout
    erasure.count("checkout drafts", CheckoutStep.objects.filter(customer=customer).delete()[0])
    # the files they sent: gone from the storage once the erasure commits (kept if it rolls back)
    files = ReceivedMedia.objects.filter(customer=customer)
    names = [name for name in files.exclude(file="").values_list("file", flat=True) if name]
    erasure.count("files sent", files.update(file="", caption="", file_name="", sha256="", wa_media_id="",
                                             error="", status=ReceivedMedia.Status.ERASED))
    if names:
        transaction.on_commit(lambda: media.delete_files(names))
    letters = DeadLetter.objects.filter(Q(business=business) | Q(business__isnull=True), body__contains=erasure.wa_id)
    erasure.count("dead letters", letters.update(body=TOMBSTONE, reason=TOMBSTONE))


def _delete_batch(queryset, batch: int) -> int:
    ids = list(queryset.values_list("pk", flat=True)[:batch])
    return queryset.model.objects.filter(pk__in=ids).delete()[0] if ids else 0


def _purge_files(queryset, batch: int) -> int:
    """Delete a batch of received files: the rows, then (once that commits) the stored files."""
    rows = list(queryset.values_list("pk", "file")[:batch])
    if not rows:
        return 0
    deleted = ReceivedMedia.objects.filter(pk__in=[pk for pk, _ in rows]).delete()[0]
    names = [name for _, name in rows if name]
    if names:
        transaction.on_commit(lambda: media.delete_files(names))
    return deleted


def purge(business: Business, now: datetime, batch: int) -> dict[str, int]:
    chat_cutoff = now - timedelta(days=business.retention_chat_days)
    payload_cutoff = now - timedelta(days=business.retention_payload_days)
    letter_cutoff = now - timedelta(days=business.retention_dead_letter_days)
    done = Q(processed_at__isnull=False)
    inbound = InboundMessage.objects.filter(business=business)
    return {
        # the files first (out of the storage too), then the messages that carried them
        "files sent": _purge_files(ReceivedMedia.objects.filter(
            Q(created_at__lt=chat_cutoff) | Q(inbound__received_at__lt=chat_cutoff), business=business), batch),
        "messages received": _delete_batch(inbound.filter(done, received_at__lt=chat_cutoff), batch),
        "delivery statuses": _delete_batch(
            inbound.filter(done, type=InboundMessage.STATUS, received_at__lt=payload_cutoff), batch),
        "messages sent": _delete_batch(OutboundMessage.objects.filter(
            business=business, created_at__lt=chat_cutoff).exclude(status=OutboundMessage.Status.QUEUED), batch),
        "browser-chat messages": _delete_batch(WebChatMessage.objects.filter(
            business=business, created_at__lt=chat_cutoff), batch),
        "checkout drafts": _delete_batch(CheckoutStep.objects.filter(business=business, updated_at__lt=chat_cutoff),
                                         batch),
        "dead letters": _delete_batch(DeadLetter.objects.filter(business=business, received_at__lt=letter_cutoff),
                                      batch),
    }


