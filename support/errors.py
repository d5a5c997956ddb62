"""The support desk's domain errors: what its services raise when a rule refuses an operation.

Each is a kind of the kernel (`shopchat.errors`), so the API answers it with that kind's status
and the `{"error": ...}` body (its `data` become extra members of the body, e.g. `"status"`);
the admin shows its message. Bad input is the kernel's `InvalidInput(field, message)`
(`validation_error`, naming the field).
"""
from enum import StrEnum

from shopchat.errors import Conflict, CoreErrorCode, Forbidden


class SupportErrorCode(StrEnum):
    TICKET_CLOSED = "ticket_closed"
    ILLEGAL_STATUS_CHANGE = "illegal_status_change"
    TICKET_NOT_SOLVED = "ticket_not_solved"
    ALREADY_RATED = "already_rated"
    NO_COMMENT_ASKED = "no_comment_asked"


class TicketClosed(Conflict):
    """A closed ticket is final: it takes no more messages or replies."""

    default_code = SupportErrorCode.TICKET_CLOSED

    def __init__(self, *, number: int) -> None:
        super().__init__(f"Ticket #{number} is closed; open a new ticket instead.")
        self.number = number


class IllegalStatusChange(Conflict):
    """The status machine (`support.services.TRANSITIONS`) does not allow this move; `data`
    carries the ticket's current status."""

    default_code = SupportErrorCode.ILLEGAL_STATUS_CHANGE

    def __init__(self, *, number: int, current: str, wanted: str) -> None:
        super().__init__(f"Ticket #{number} cannot go from {current} to {wanted}.", data={"status": current})
        self.number, self.current, self.wanted = number, current, wanted


class TicketNotSolved(Conflict):
    """A ticket is rated only once it is solved (or closed); `data` carries its status."""

    default_code = SupportErrorCode.TICKET_NOT_SOLVED

    def __init__(self, *, status: str) -> None:
        super().__init__("A ticket can be rated only once it is solved.", data={"status": status})
        self.status = status


class AlreadyRated(Conflict):
    """A ticket takes one satisfaction rating."""

    default_code = SupportErrorCode.ALREADY_RATED

    def __init__(self) -> None:
        super().__init__("This ticket has already been rated.")


class NoCommentAsked(Conflict):
    """A comment is added to a rating only while the chat waits for one (`comment_until`)."""

    default_code = SupportErrorCode.NO_COMMENT_ASKED

    def __init__(self) -> None:
        super().__init__("This rating is not waiting for a comment.")


class NotAllowed(Forbidden):
    """The caller may not do this on this ticket (e.g. a merchant answering their own
    technical-support ticket as an agent)."""

    default_code = CoreErrorCode.PERMISSION_DENIED
