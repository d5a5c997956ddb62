"""The conversation of a ticket: the customer's (or requester's) messages, agents' public
replies and internal notes."""
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from shopchat.models import Membership
from shopchat.outbox import customer_ref, emit_event, emit_events, staff_email

from ..errors import NotAllowed, TicketClosed
from ..models import Ticket, TicketMessage
from .clock import set_next_due
from .locking import lock_ticket
from .platform import PLATFORM_MESSAGE_SUBJECT, PLATFORM_REPLY_SUBJECT, email_platform_agents, is_platform_agent
from .text import clean_body
from .transitions import check_transition, emit_status_events, move

Status = Ticket.Status


def add_customer_message(*, ticket: Ticket, body: str, author: User | None = None) -> TicketMessage:
    """The customer's next message (or, on a technical-support ticket, the merchant's `author`),
    so the ticket waits on the business again.

    A pending or solved ticket reopens (and its SLA clock starts again); new, open and on-hold
    tickets keep their status. A closed ticket raises TicketClosed; bad text, InvalidInput;
    nothing is written then. One transaction, holding the ticket's row lock; on a
    technical-support ticket the platform agents are e-mailed in it.
    """
    body = clean_body(body, "message")
    now = timezone.now()
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if ticket.status == Status.CLOSED:
            raise TicketClosed(number=ticket.number)
        if ticket.status in (Status.PENDING, Status.SOLVED):
            move(ticket, Status.OPEN, now)
        ticket.save()
        message = TicketMessage.objects.create(ticket=ticket, author_kind=TicketMessage.AuthorKind.CUSTOMER,
                                               author_user=author, body=body)
        if ticket.is_platform:
            email_platform_agents(ticket.business, PLATFORM_MESSAGE_SUBJECT, body,
                                  {"business": ticket.business.name, "number": ticket.number})
    return message


def reply_to_ticket(*, ticket: Ticket, author: User | None, body: str, internal: bool = False,
                    status: str | None = None) -> TicketMessage:
    """An agent answers (author None: an integration through the API), or writes an internal
    note that never leaves the back office.

    A public reply is the first response if there was none (breached if late), moves new ->
    open, gives an unassigned ticket to its author, and is sent to the customer as
    `ticket.reply` (the chat) or to the requester by e-mail (technical support, which only
    platform staff answer: NotAllowed otherwise). `status` optionally moves the ticket on in
    the same step (e.g. reply and set pending; InvalidInput or IllegalStatusChange when it
    cannot). A closed ticket raises TicketClosed. One transaction, holding the ticket's row
    lock; nothing is written when it raises.
    """
    body = clean_body(body, "body")
    now = timezone.now()
    with transaction.atomic():
        ticket = lock_ticket(ticket)
        if ticket.status == Status.CLOSED:
            raise TicketClosed(number=ticket.number)
        if ticket.is_platform and not is_platform_agent(author):
            raise NotAllowed("Only platform staff answer technical-support tickets.")
        message = TicketMessage.objects.create(ticket=ticket, author_kind=TicketMessage.AuthorKind.AGENT,
                                               author_user=author, body=body, internal=bool(internal))
        if not internal:
            if ticket.first_response_at is None:
                ticket.first_response_at = now
                if ticket.first_response_due_at and now > ticket.first_response_due_at:
                    ticket.first_response_breached = True
                ticket.first_response_due_at = None
                set_next_due(ticket)
            if ticket.status == Status.NEW:
                move(ticket, Status.OPEN, now)
            if ticket.assignee_id is None and author is not None and (
                ticket.is_platform or Membership.objects.filter(user=author, business=ticket.business).exists()
            ):
                ticket.assignee = author
            _send_reply(ticket, message)
        if status and status != ticket.status:
            check_transition(ticket, status)
            move(ticket, status, now)
            emit_status_events(ticket, status)
        ticket.save()
    return message


def _send_reply(ticket: Ticket, message: TicketMessage) -> None:
    """The public reply to the requester, through the outbox: `ticket.reply` into the chat, or
    an e-mail to the merchant who asked for technical support."""
    if ticket.is_platform:
        requester = ticket.requester_user
        if requester and requester.email:
            # in the requester's back-office language; the platform's answer as written
            emit_events(business=ticket.business, events=[staff_email(
                subject=PLATFORM_REPLY_SUBJECT, body=[{"raw": message.body}], roles=(),
                params={"number": ticket.number, "subject": ticket.subject}, recipients=[requester.email])])
        return
    emit_event(business=ticket.business, event_type="ticket.reply", data={
        "ticket": ticket.pk, "number": ticket.number, "message": message.pk, "body": message.body,
        "status": ticket.status, "customer": customer_ref(ticket.customer),
    })
