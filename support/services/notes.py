"""System notes: the internal messages the desk writes about itself (assignments, breaches)."""
from django.contrib.auth.models import User

from ..models import Ticket, TicketMessage

ROUND_ROBIN_NOTE = "Assigned automatically (round-robin)."


def system_note(ticket: Ticket, text: str, *, user: User | None = None, save: bool = True) -> TicketMessage:
    """An internal note by the system (on behalf of `user`, if any), saved unless `save` is
    False (the caller then writes it with the ticket's other messages)."""
    note = TicketMessage(ticket=ticket, author_kind=TicketMessage.AuthorKind.SYSTEM, author_user=user, body=text,
                         internal=True)
    if save:
        note.save()
    return note
