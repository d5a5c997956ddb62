"""The SLA clock of a ticket (the arithmetic of business minutes is `support.sla`).

The clock runs only while the ticket waits on the business (new, open): the ticket banks the
business minutes used so far (`sla_elapsed_minutes`) when it pauses, and its due times are
computed again from the policy of its priority each time the clock starts. These set fields of
the ticket in memory; the caller saves it, under the ticket's lock.
"""
from datetime import datetime

from .. import sla
from ..models import SlaPolicy, Ticket


def policy_of(ticket: Ticket) -> SlaPolicy | None:
    """The SLA policy of the ticket's business and priority (None without one, or for a
    technical-support ticket: those have no targets)."""
    if ticket.is_platform:
        return None
    return SlaPolicy.objects.filter(business_id=ticket.business_id, priority=ticket.priority).first()


def start_clock(ticket: Ticket, now: datetime, policy: SlaPolicy | None) -> None:
    """(Re)start the clock at `now` and set the due times from `policy` (None: the business
    has none for the priority, so nothing is due)."""
    ticket.sla_resumed_at = now
    if policy is None:
        ticket.first_response_due_at = ticket.resolution_due_at = ticket.next_sla_due_at = None
        return
    hours = sla.BusinessHours.of(policy, ticket.business.time_zone)
    used = ticket.sla_elapsed_minutes
    ticket.first_response_due_at = (
        sla.add_business_minutes(now, policy.first_response_minutes - used, hours)
        if ticket.first_response_at is None else None
    )
    ticket.resolution_due_at = sla.add_business_minutes(now, policy.resolution_minutes - used, hours)
    set_next_due(ticket)


def stop_clock(ticket: Ticket, now: datetime) -> None:
    """Pause the clock: bank the business minutes used and clear the due times."""
    if ticket.sla_resumed_at is not None:
        policy = policy_of(ticket)
        if policy is not None:
            hours = sla.BusinessHours.of(policy, ticket.business.time_zone)
            ticket.sla_elapsed_minutes += sla.business_minutes_between(ticket.sla_resumed_at, now, hours)
    ticket.sla_resumed_at = None
    ticket.first_response_due_at = ticket.resolution_due_at = ticket.next_sla_due_at = None


def set_next_due(ticket: Ticket) -> None:
    """The next target to meet (what the breach job and the "breaching soon" queue look at):
    the first response while there is none, and the resolution."""
    dues = [d for d in (ticket.first_response_due_at if ticket.first_response_at is None else None,
                        ticket.resolution_due_at) if d is not None]
    ticket.next_sla_due_at = min(dues) if dues else None
