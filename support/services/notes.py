"""System notes: the internal messages the desk writes about itself (assignments, breaches),
stored as a code of `support.system_notes` with params, shown in the reader's language."""
from django.contrib.auth.models import User

from .. import system_notes
from ..models import Ticket, TicketMessage


def system_note(ticket: Ticket, code: str, params: dict | None = None, *, user: User | None = None,
                save: bool = True) -> TicketMessage:
    """An internal note by the system (on behalf of `user`, if any), saved unless `save` is
    False (the caller then writes it with the ticket's other messages)."""
    note = TicketMessage(ticket=ticket, author_kind=TicketMessage.AuthorKind.SYSTEM, author_user=user,
                         body=system_notes.english(code, params), note_code=code, note_params=params or {},
                         internal=True)
    if save:
        note.save()
    return note
