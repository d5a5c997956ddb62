"""The ticket row lock every change of a ticket takes first."""
from ..models import Ticket


def lock_ticket(ticket: Ticket) -> Ticket:
    """The ticket read again and locked (its row only, FOR UPDATE) until the caller's transaction
    ends, with its business and customer. Call it inside `transaction.atomic()`: two changes of
    one ticket then run one after the other, each on the state the other left."""
    return Ticket.objects.select_for_update(of=("self",)).select_related("business", "customer").get(pk=ticket.pk)
