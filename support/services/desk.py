"""Working the desk: who has a ticket (by hand or round-robin), and moving its status and
priority on."""
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from shopchat.errors import InvalidInput
from shopchat.models import Membership

from .. import queries, system_notes
from ..errors import NotAllowed
from ..models import Ticket
from .clock import policy_of, start_clock, stop_clock
from .locking import lock_ticket
from .notes import system_note
from .platform import is_platform_agent
from .transitions import check_transition, emit_status_events, move


def assign_ticket(*, ticket: Ticket, assignee: User | None, actor: User | None = None) -> Ticket:
    """Give the ticket to `assignee` (None: unassign), so it is in their queue; a system note
    by `actor` records it. The assignee must work for the business (or, for technical
    support, be platform staff): InvalidInput otherwise. The same assignee is a no-op. One
    transaction, holding the ticket's row lock.
    """
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if assignee is not None and not _may_work(ticket, assignee):
            raise InvalidInput("assignee", "This person does not work on this business's tickets.")
        if ticket.assignee_id == (assignee.pk if assignee else None):
            return ticket
        ticket.assignee = assignee
        ticket.save()
        system_note(ticket, *((system_notes.ASSIGNED, {"user": assignee.get_username()}) if assignee
                              else (system_notes.UNASSIGNED, {})), user=actor)
    return ticket


def auto_assign(*, ticket: Ticket) -> Ticket:
    """Round-robin: give an unassigned customer ticket to the next available agent of its
    business (nothing when there is none, or for technical support).

    One transaction, holding the ticket's row lock; the agent is drawn from the desk row
    (`queries.draw_from_desk`), whose lock is then held to the end of this transaction.
    """
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if ticket.assignee_id is None and not ticket.is_platform:
            chosen = queries.draw_from_desk(ticket.business, assign=True).assignee_id
            if chosen is not None:
                Ticket.objects.filter(pk=ticket.pk).update(assignee_id=chosen)
                ticket.assignee_id = chosen
                system_note(ticket, system_notes.ROUND_ROBIN)
    return ticket


def change_status(*, ticket: Ticket, status: str, actor: User | None = None) -> Ticket:
    """Move the ticket on (see TRANSITIONS), pausing or starting its SLA clock.

    The same status is a no-op; an unknown one raises InvalidInput, an illegal move
    IllegalStatusChange; only platform staff move technical-support tickets (NotAllowed when
    `actor` is someone else). Solving a customer ticket emits `ticket.solved`. One
    transaction, holding the ticket's row lock.
    """
    now = timezone.now()
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if actor is not None and ticket.is_platform and not is_platform_agent(actor):
            raise NotAllowed("Only platform staff change the status of technical-support tickets.")
        if status == ticket.status:
            return ticket
        check_transition(ticket, status)
        move(ticket, status, now)
        ticket.save()
        emit_status_events(ticket, status)
    return ticket


def change_priority(*, ticket: Ticket, priority: str) -> Ticket:
    """A new priority brings the SLA targets of its policy (the business minutes used so far
    stay). An unknown priority raises InvalidInput; the same one is a no-op. One transaction,
    holding the ticket's row lock.
    """
    if priority not in Ticket.Priority.values:
        raise InvalidInput("priority", f"Unknown priority {priority!r}.")
    now = timezone.now()
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if ticket.priority == priority:
            return ticket
        running = ticket.status not in Ticket.PAUSED
        if running:
            stop_clock(ticket, now)
        ticket.priority = priority
        if running:
            start_clock(ticket, now, policy_of(ticket))
        ticket.save()
    return ticket


def _may_work(ticket: Ticket, user: User) -> bool:
    """Whether `user` may be given the ticket: an active member of its business, or platform
    staff for technical support."""
    if ticket.is_platform:
        return is_platform_agent(user)
    return Membership.objects.filter(user=user, business_id=ticket.business_id, user__is_active=True).exists()
