"""Support's part of a customer's export and erasure (registered in `SupportConfig.ready()`).

Export: the customer's tickets with their public messages (internal notes are the merchant's
own working papers). Erasure: what the customer wrote (ticket subjects they opened, their
messages, satisfaction comments) becomes a tombstone, and so does any agent reply or note
that names them or quotes them; the tickets' numbers, dates and states stay."""
from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from shopchat.models import Customer
from shopchat.privacy import TOMBSTONE, Erasure

from .models import SatisfactionRating, Ticket, TicketMessage


def export(customer: Customer) -> dict[str, Any]:
    public = TicketMessage.objects.filter(internal=False).order_by("created_at", "id")
    tickets = (Ticket.objects.filter(customer=customer).select_related("order", "rating")
               .prefetch_related(Prefetch("messages", public)).order_by("created_at", "id"))
    result = []
    for t in tickets:
        rating = getattr(t, "rating", None)
        result.append({
            "number": t.number, "subject": t.subject, "status": t.status, "order": t.order.number if t.order else None,
            "created_at": t.created_at, "solved_at": t.solved_at,
            "rating": {"rating": rating.rating, "comment": rating.comment} if rating else None,
            "messages": [{"from": m.author_kind, "text": m.body, "at": m.created_at} for m in t.messages.all()],
        })
    return {"tickets": result}


def collect(customer: Customer) -> list[str]:
    texts = list(TicketMessage.objects.filter(ticket__customer=customer, author_kind=TicketMessage.AuthorKind.CUSTOMER)
                 .values_list("body", flat=True))
    texts += list(SatisfactionRating.objects.filter(ticket__customer=customer).exclude(comment="")
                  .values_list("comment", flat=True))
    return texts


def erase(erasure: Erasure) -> None:
    customer = erasure.customer
    erasure.count("ticket subjects", Ticket.objects.filter(customer=customer).update(subject=TOMBSTONE))
    messages = TicketMessage.objects.filter(ticket__customer=customer)
    # a desk note's code goes too: its params would show the words again
    erasure.count("ticket messages", messages.filter(author_kind=TicketMessage.AuthorKind.CUSTOMER)
                  .update(body=TOMBSTONE, note_code="", note_params={}))
    others = [m for m in messages.exclude(author_kind=TicketMessage.AuthorKind.CUSTOMER).only("id", "body")
              if erasure.mentions(m.body)]
    erasure.count("ticket messages", TicketMessage.objects.filter(pk__in=[m.pk for m in others])
                  .update(body=TOMBSTONE, note_code="", note_params={}))
    erasure.count("satisfaction comments", SatisfactionRating.objects.filter(ticket__customer=customer)
                  .exclude(comment="").update(comment=TOMBSTONE))
