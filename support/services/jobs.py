"""The desk's beat jobs (support.tasks runs them): auto-closing solved tickets and flagging
tickets that breach their SLA."""
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from shopchat.models import Business, Membership, OutboxEvent
from shopchat.outbox import emit_event, emit_events, staff_email

from .. import system_notes
from ..models import Ticket
from .notes import system_note

Status = Ticket.Status

# The SLA-breach mail, per missed target (English messages of the catalogs; see staff_email).
SLA_SUBJECT = gettext_noop("[%(business)s] SLA breached on ticket #%(number)s: %(subject)s")
SLA_BODY = {
    ("first response",): gettext_noop("Ticket #%(number)s (%(priority)s) missed its first response target. "
                                      "Assignee: %(assignee)s."),
    ("resolution",): gettext_noop("Ticket #%(number)s (%(priority)s) missed its resolution target. "
                                  "Assignee: %(assignee)s."),
    ("first response", "resolution"): gettext_noop("Ticket #%(number)s (%(priority)s) missed its first response "
                                                   "and resolution target. Assignee: %(assignee)s."),
}
NOBODY = gettext_noop("nobody")


def english(message: Any) -> str:
    """A lazy message's English text (its msgid), for a translatable staff e-mail's params."""
    with translation.override("en"):
        return str(message)


def close_solved_tickets(*, now: datetime | None = None) -> int:
    """Close tickets solved more than their business's `ticket_auto_close_days` ago (a solved
    ticket the customer did not reopen is done); the number closed.

    One UPDATE per auto-close period in use, each in its own transaction; no row is read or
    locked first (a ticket reopened meanwhile no longer matches). Idempotent: a second run
    finds nothing left to close.
    """
    now = now or timezone.now()
    closed = 0
    days_in_use = Business.objects.filter(tickets__status=Status.SOLVED).values_list(
        "ticket_auto_close_days", flat=True).distinct()
    for days in sorted(set(days_in_use)):
        with transaction.atomic():
            closed += Ticket.objects.filter(
                status=Status.SOLVED, business__ticket_auto_close_days=days,
                solved_at__lte=now - timedelta(days=days),
            ).update(status=Status.CLOSED, closed_at=now, updated_at=now)
    return closed


def flag_breaching_tickets(*, now: datetime | None = None, limit: int = 500) -> int:
    """Flag tickets whose first-response or resolution target has passed, once each, and
    e-mail their assignee and the business's owners and managers, so a late ticket gets
    attention; the number flagged (at most `limit` per run).

    One transaction per ticket, holding its row lock; the breach is checked again under the
    lock (a reply or a pause meanwhile wins), and the note and e-mails are written with it.
    """
    now = now or timezone.now()
    due = (Ticket.objects.filter(status__in=(Status.NEW, Status.OPEN), next_sla_due_at__lte=now)
           .filter(Q(first_response_breached=False, first_response_at__isnull=True, first_response_due_at__lte=now)
                   | Q(resolution_breached=False, resolution_due_at__lte=now))
           .order_by("pk").values_list("pk", flat=True)[:limit])
    flagged = 0
    for pk in list(due):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update(of=("self",)).select_related("business", "assignee").get(pk=pk)
            breaches = []
            if (not ticket.first_response_breached and ticket.first_response_at is None
                    and ticket.first_response_due_at and ticket.first_response_due_at <= now):
                ticket.first_response_breached = True
                breaches.append("first response")
            if not ticket.resolution_breached and ticket.resolution_due_at and ticket.resolution_due_at <= now:
                ticket.resolution_breached = True
                breaches.append("resolution")
            if not breaches or ticket.status not in (Status.NEW, Status.OPEN):
                continue
            ticket.save(update_fields=["first_response_breached", "resolution_breached"])
            system_note(ticket, system_notes.SLA_BREACHES[tuple(breaches)])
            # each recipient reads the mail in their back-office language (shopchat.outbox.staff_email)
            mail = staff_email(subject=SLA_SUBJECT, body=SLA_BODY[tuple(breaches)], roles=("owner", "manager"),
                               params={"business": ticket.business.name, "number": ticket.number,
                                       "subject": ticket.subject,
                                       "priority": {"text": english(Ticket.Priority(ticket.priority).label)},
                                       "assignee": ticket.assignee.get_username() if ticket.assignee
                                       else {"text": NOBODY}})
            emit_events(business=ticket.business, events=[mail])
            if ticket.assignee and ticket.assignee.email and not Membership.objects.filter(
                    business=ticket.business, user=ticket.assignee, role__in=("owner", "manager")).exists():
                emit_event(business=ticket.business, event_type="staff.email", channel=OutboxEvent.Channel.EMAIL,
                           data={**mail.data, "recipients": [ticket.assignee.email]})
            flagged += 1
    return flagged
