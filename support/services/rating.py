"""Customer satisfaction (CSAT): the customer's rating of a solved ticket."""
from django.db import transaction

from shopchat.errors import InvalidInput

from ..errors import AlreadyRated, TicketNotSolved
from ..models import MAX_BODY, SatisfactionRating, Ticket
from .locking import lock_ticket

Status = Ticket.Status


def rate_ticket(*, ticket: Ticket, rating: str, comment: str = "") -> SatisfactionRating:
    """The customer's good/bad rating with an optional comment, asked for once the ticket is
    solved (`ticket.solved`), so the business learns how its desk does.

    Accepted once the ticket is solved or closed (TicketNotSolved before), and once
    (AlreadyRated); bad input raises InvalidInput. One transaction, holding the ticket's row
    lock, so two ratings sent at once give one.
    """
    if rating not in SatisfactionRating.Rating.values:
        raise InvalidInput("rating", "Rate with 'good' or 'bad'.")
    comment = (comment or "").strip()
    if len(comment) > MAX_BODY:
        raise InvalidInput("comment", f"The comment is longer than {MAX_BODY} characters.")
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if ticket.status not in (Status.SOLVED, Status.CLOSED):
            raise TicketNotSolved(status=ticket.status)
        if SatisfactionRating.objects.filter(ticket=ticket).exists():
            raise AlreadyRated()
        return SatisfactionRating.objects.create(ticket=ticket, rating=rating, comment=comment)
