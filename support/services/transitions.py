"""The status machine of a ticket: which moves are allowed, and what a move changes."""
from datetime import datetime

from shopchat.errors import InvalidInput
from shopchat.outbox import customer_ref, emit_event

from ..errors import IllegalStatusChange
from ..models import Ticket
from .clock import policy_of, start_clock, stop_clock

Status = Ticket.Status

TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED},
    Status.OPEN: {Status.PENDING, Status.ON_HOLD, Status.SOLVED},
    Status.PENDING: {Status.OPEN, Status.ON_HOLD, Status.SOLVED},
    Status.ON_HOLD: {Status.OPEN, Status.PENDING, Status.SOLVED},
    Status.SOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}


def check_transition(ticket: Ticket, status: str) -> None:
    """Raise InvalidInput for an unknown status, IllegalStatusChange for a move TRANSITIONS
    does not allow from the ticket's status."""
    if status not in Status.values:
        raise InvalidInput("status", f"Unknown status {status!r}.")
    if status not in TRANSITIONS[ticket.status]:
        raise IllegalStatusChange(number=ticket.number, current=ticket.status, wanted=status)


def move(ticket: Ticket, status: str, now: datetime) -> None:
    """Set the status with its timestamps, and pause or start the SLA clock (in memory; the
    caller checks the transition and saves the ticket under its lock)."""
    was_running = ticket.status not in Ticket.PAUSED
    ticket.status = status
    runs = status not in Ticket.PAUSED
    if was_running and not runs:
        stop_clock(ticket, now)
    elif runs and not was_running:
        start_clock(ticket, now, policy_of(ticket))
    if status == Status.SOLVED:
        ticket.solved_at = now
    elif status == Status.CLOSED:
        ticket.closed_at = now
    elif status in Ticket.UNSOLVED:
        ticket.solved_at = None


def emit_status_events(ticket: Ticket, status: str) -> None:
    """The events of a move, in the caller's transaction: solving a customer ticket emits
    `ticket.solved`, on which the chat (its `whatsapp`/`webchat` copy) or the gateway asks the
    customer for a rating (POST .../rating/)."""
    if status == Status.SOLVED and not ticket.is_platform:
        emit_event(business=ticket.business, event_type="ticket.solved", data={
            "ticket": ticket.pk, "number": ticket.number, "customer": customer_ref(ticket.customer),
        })
