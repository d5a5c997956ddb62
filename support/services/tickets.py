"""Opening tickets: a chat customer's (from the chat engine, the API or the back office) and a
merchant's technical-support ticket to the platform."""
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from orders.models import Order
from shopchat.errors import InvalidInput
from shopchat.models import Business, Customer, Membership
from shopchat.outbox import customer_ref, emit_event
from shopchat.services import upsert_customer
from shopchat.validators import normalize_wa_id

from .. import queries, system_notes
from ..errors import NotAllowed
from ..models import Ticket, TicketMessage
from .clock import start_clock
from .notes import system_note
from .platform import PLATFORM_TICKET_SUBJECT, email_platform_agents
from .text import clean_body, clean_subject


def open_ticket(*, business: Business, customer: Customer | None = None, wa_id: str | None = None,
                name: str | None = None, subject: str, message: str, order: Order | None = None,
                channel: str = "chat", priority: str = Ticket.Priority.NORMAL,
                tags: Iterable[str] | None = None, opening_note: tuple[str, dict] | None = None) -> Ticket:
    """Open a ticket for a chat customer with their first message, so an agent answers it
    within the SLA of its priority.

    The requester is `customer`, or the chat contact `wa_id`, created with `name` if new (the
    API's call: the customer is then read by the statement that numbers the ticket, and a new
    one is created in the ticket's transaction). The ticket carries its first message as
    `opening_message`; with `opening_note` (a code of `support.system_notes` and its params)
    that message is the desk's note instead, its English text the `message`, shown in each
    reader's language. Emits `ticket.created` (with the customer, so the chat can confirm it)
    and, when the business auto-assigns, gives it to the next available agent. Raises
    InvalidInput naming the bad field; writes nothing then.

    Transactions: the number, the round-robin turn, the SLA policy and the customer come from
    one statement on the desk row that commits on its own before the ticket's transaction
    (`queries.draw_from_desk`), so the row is not held while the ticket is written; a creation
    that fails afterwards leaves a gap in the numbers. Then one transaction writes the customer
    (if new), the ticket, its messages and its event; no row is locked.
    """
    subject = clean_subject(subject)
    body = clean_body(message, "message")
    if (customer is None) == (wa_id is None):
        raise TypeError("Give either customer or wa_id.")
    if wa_id is not None:
        wa_id = normalize_wa_id(wa_id)
    if customer is not None and customer.business_id != business.pk:
        raise InvalidInput("customer", "This customer belongs to another business.")
    if order is not None and (order.business_id != business.pk or (
            order.customer_id != customer.pk if customer is not None else order.customer.wa_id != wa_id)):
        raise InvalidInput("order", "This order is not one of the customer's orders.")
    if channel not in Ticket.Channel.values:
        raise InvalidInput("channel", f"Unknown channel {channel!r}.")
    if priority not in Ticket.Priority.values:
        raise InvalidInput("priority", f"Unknown priority {priority!r}.")
    now = timezone.now()
    drawn = queries.draw_from_desk(business, number=True, assign=business.auto_assign_tickets, priority=priority,
                                   wa_id=wa_id)
    with transaction.atomic():
        if wa_id is not None:
            customer = (drawn.customer(business=business, wa_id=wa_id)
                        or upsert_customer(business=business, wa_id=wa_id, name=name or None))
        ticket = Ticket(business=business, number=drawn.number, customer=customer, subject=subject,
                        channel=channel, priority=priority, order=order, tags=list(tags or []),
                        assignee_id=drawn.assignee_id)
        start_clock(ticket, now, drawn.policy(business=business, priority=priority))
        ticket.save()
        code, params = opening_note or ("", {})
        messages = [TicketMessage(ticket=ticket, author_kind=TicketMessage.AuthorKind.CUSTOMER, body=body,
                                  note_code=code, note_params=params)]
        if ticket.assignee_id is not None:
            messages.append(system_note(ticket, system_notes.ROUND_ROBIN, save=False))
        if len(messages) > 1:
            TicketMessage.objects.bulk_create(messages)
        else:
            messages[0].save()
        ticket.opening_message = messages[0]
        emit_event(business=business, event_type="ticket.created", data={
            "ticket": ticket.pk, "number": ticket.number, "subject": ticket.subject, "status": ticket.status,
            "order": order.number if order else None, "customer": customer_ref(customer),
        })
    return ticket


def open_platform_ticket(*, business: Business, requester: User, subject: str, message: str,
                         priority: str = Ticket.Priority.NORMAL) -> Ticket:
    """A merchant's staff member asks the platform for technical support.

    Only the business's owners and managers may (NotAllowed otherwise); platform staff are
    e-mailed. Raises InvalidInput naming the bad field. The number is drawn from the desk row
    in its own statement (as for customer tickets), then one transaction writes the ticket,
    its first message and the e-mail; no row is locked.
    """
    subject = clean_subject(subject)
    body = clean_body(message, "message")
    if priority not in Ticket.Priority.values:
        raise InvalidInput("priority", f"Unknown priority {priority!r}.")
    if not Membership.objects.filter(user=requester, business=business,
                                     role__in=[Membership.Role.OWNER, Membership.Role.MANAGER]).exists():
        raise NotAllowed("Only the business's owners and managers open technical-support tickets.")
    number = queries.draw_from_desk(business, number=True).number
    with transaction.atomic():
        ticket = Ticket(business=business, number=number, kind=Ticket.Kind.PLATFORM,
                        requester_user=requester, subject=subject, channel=Ticket.Channel.WEB, priority=priority)
        ticket.save()
        TicketMessage.objects.create(ticket=ticket, author_kind=TicketMessage.AuthorKind.CUSTOMER,
                                     author_user=requester, body=body)
        email_platform_agents(business, PLATFORM_TICKET_SUBJECT, body,
                              {"business": business.name, "number": ticket.number, "subject": subject})
    return ticket
