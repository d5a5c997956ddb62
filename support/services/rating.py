"""Customer satisfaction (CSAT): the customer's rating of a solved ticket."""
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from shopchat.errors import InvalidInput

from ..errors import AlreadyRated, NoCommentAsked, TicketNotSolved
from ..models import MAX_BODY, SatisfactionRating, Ticket
from .locking import lock_ticket

Status = Ticket.Status


def rate_ticket(*, ticket: Ticket, rating: str, comment: str = "",
                comment_window: timedelta | None = None) -> SatisfactionRating:
    """The customer's good/bad rating with an optional comment, asked for once the ticket is
    solved (`ticket.solved`), so the business learns how its desk does.

    `comment_window` (the chat, which asks for a comment after the tap): for that long the
    customer's next text may be added as the comment (`add_rating_comment`).

    Accepted once the ticket is solved or closed (TicketNotSolved before), and once
    (AlreadyRated); bad input raises InvalidInput. One transaction, holding the ticket's row
    lock, so two ratings sent at once give one.
    """
    if rating not in SatisfactionRating.Rating.values:
        raise InvalidInput("rating", "Rate with 'good' or 'bad'.")
    comment = _clean_comment(comment)
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if ticket.status not in (Status.SOLVED, Status.CLOSED):
            raise TicketNotSolved(status=ticket.status)
        if SatisfactionRating.objects.filter(ticket=ticket).exists():
            raise AlreadyRated()
        until = timezone.now() + comment_window if comment_window and not comment else None
        return SatisfactionRating.objects.create(ticket=ticket, rating=rating, comment=comment, comment_until=until)


def add_rating_comment(*, ticket: Ticket, comment: str, now: datetime | None = None) -> SatisfactionRating:
    """The comment the customer writes after rating in the chat, taken while the rating waits
    for one (`comment_until`; NoCommentAsked after it, or when it was not asked); it closes the
    wait. Empty or too long text raises InvalidInput. One transaction, holding the ticket's row lock.
    """
    comment = _clean_comment(comment)
    if not comment:
        raise InvalidInput("comment", "Write the comment first.")
    now = now or timezone.now()
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        rating = SatisfactionRating.objects.filter(ticket=ticket).first()
        if rating is None or rating.comment_until is None or rating.comment_until < now:
            raise NoCommentAsked()
        rating.comment, rating.comment_until = comment, None
        rating.save(update_fields=["comment", "comment_until"])
    return rating


def _clean_comment(comment: str) -> str:
    comment = (comment or "").strip()
    if len(comment) > MAX_BODY:
        raise InvalidInput("comment", f"The comment is longer than {MAX_BODY} characters.")
    return comment
