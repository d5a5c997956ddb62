"""Every rule of the support desk. Admin pages, API views, Celery tasks and the chat engine
call these functions; each runs in one transaction and locks the ticket row it changes.

Rules in one place:
- a customer (or requester) message reopens a pending or solved ticket; a closed ticket is final;
- a public agent reply sets the first response and moves new -> open, and reaches the customer
  as `ticket.reply` through the outbox; internal notes never leave the back office;
- the SLA clock (support.sla) runs only while the ticket waits on the business;
- solved tickets close after the business's `ticket_auto_close_days` (beat);
- breaching tickets are flagged once and their assignee and managers are e-mailed (beat);
- with `Business.auto_assign_tickets`, new tickets go round-robin to available agents.
"""
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shopchat.errors import InvalidInput
from shopchat.models import Business, Membership, OutboxEvent
from shopchat.outbox import customer_ref, emit_event, notify_staff
from shopchat.services import upsert_customer
from shopchat.validators import normalize_wa_id

from . import queries, sla
from .errors import AlreadyRated, IllegalStatusChange, NotAllowed, TicketClosed, TicketNotSolved
from .models import MAX_BODY, SatisfactionRating, SlaPolicy, Ticket, TicketMessage

PLATFORM_AGENTS_GROUP = "platform agents"
Status = Ticket.Status

TRANSITIONS = {
    Status.NEW: {Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED},
    Status.OPEN: {Status.PENDING, Status.ON_HOLD, Status.SOLVED},
    Status.PENDING: {Status.OPEN, Status.ON_HOLD, Status.SOLVED},
    Status.ON_HOLD: {Status.OPEN, Status.PENDING, Status.SOLVED},
    Status.SOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}


# --- small shared pieces ------------------------------------------------------------------
def clean_body(body, field: str = "body") -> str:
    """The message text as stored: plain text, trimmed, 1 to 4,096 characters, no NUL."""
    text = (body or "").strip() if isinstance(body, str) or body is None else None
    if text is None:
        raise InvalidInput(field, "Send the message as text.")
    if not text:
        raise InvalidInput(field, "The message is empty.")
    if len(text) > MAX_BODY:
        raise InvalidInput(field, f"The message is longer than {MAX_BODY} characters.")
    if "\x00" in text:
        raise InvalidInput(field, "The message contains a NUL character.")
    return text


def clean_subject(subject) -> str:
    text = " ".join((subject or "").split()) if isinstance(subject, str) or subject is None else ""
    if not text:
        raise InvalidInput("subject", "The subject is empty.")
    if len(text) > 200:
        raise InvalidInput("subject", "The subject is longer than 200 characters.")
    return text


def is_platform_agent(user) -> bool:
    """Platform staff: superusers and members of the "platform agents" group."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_platform_agent", None)
    if cached is None:
        cached = user._is_platform_agent = user.groups.filter(name=PLATFORM_AGENTS_GROUP).exists()
    return cached


def _lock(ticket) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).select_related("business", "customer").get(pk=ticket.pk)


NO_POLICY = object()  # _start_clock: look the policy up


def _system_note(ticket, text: str, user=None, save=True) -> TicketMessage:
    note = TicketMessage(ticket=ticket, author_kind=TicketMessage.AuthorKind.SYSTEM, author_user=user, body=text,
                         internal=True)
    if save:
        note.save()
    return note


# --- the SLA clock --------------------------------------------------------------------------
def _policy(ticket) -> SlaPolicy | None:
    if ticket.is_platform:
        return None
    return SlaPolicy.objects.filter(business_id=ticket.business_id, priority=ticket.priority).first()


def _start_clock(ticket, now, policy=NO_POLICY) -> None:
    """(Re)start the SLA clock at `now` and set the due times from the policy (looked up
    unless given; None: the business has none for the priority)."""
    policy = _policy(ticket) if policy is NO_POLICY else policy
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
    _set_next_due(ticket)


def _stop_clock(ticket, now) -> None:
    """Pause the clock: bank the business minutes used and clear the due times."""
    if ticket.sla_resumed_at is not None:
        policy = _policy(ticket)
        if policy is not None:
            hours = sla.BusinessHours.of(policy, ticket.business.time_zone)
            ticket.sla_elapsed_minutes += sla.business_minutes_between(ticket.sla_resumed_at, now, hours)
    ticket.sla_resumed_at = None
    ticket.first_response_due_at = ticket.resolution_due_at = ticket.next_sla_due_at = None


def _set_next_due(ticket) -> None:
    dues = [d for d in (ticket.first_response_due_at if ticket.first_response_at is None else None,
                        ticket.resolution_due_at) if d is not None]
    ticket.next_sla_due_at = min(dues) if dues else None


def _move(ticket, status, now) -> None:
    """Set the status with its timestamps and clock; callers check the transition."""
    was_running = ticket.status not in Ticket.PAUSED
    ticket.status = status
    runs = status not in Ticket.PAUSED
    if was_running and not runs:
        _stop_clock(ticket, now)
    elif runs and not was_running:
        _start_clock(ticket, now)
    if status == Status.SOLVED:
        ticket.solved_at = now
    elif status == Status.CLOSED:
        ticket.closed_at = now
    elif status in Ticket.UNSOLVED:
        ticket.solved_at = None


# --- opening tickets --------------------------------------------------------------------------
def open_ticket(*, business, customer=None, wa_id=None, name=None, subject, message, order=None, channel="chat",
                priority=Ticket.Priority.NORMAL, tags=None) -> Ticket:
    """Open a ticket for a chat customer with their first message.

    The requester is `customer`, or the chat contact `wa_id`, created with `name` if new (the
    API's call: the customer is then read by the statement that numbers the ticket, and a new
    one is created in the ticket's transaction). The ticket carries its first message as
    `opening_message`. Emits `ticket.created` (with the customer, so the chat can confirm it)
    and, when the business auto-assigns, gives it to the next available agent. Raises
    InvalidInput (400) naming the bad field; writes nothing then.

    The number, the round-robin turn and the SLA policy come from one statement on the desk
    row before the transaction (see queries.draw_from_desk), so the row is not held while it runs.
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
        _start_clock(ticket, now, drawn.policy(business=business, priority=priority))
        ticket.save()
        messages = [TicketMessage(ticket=ticket, author_kind=TicketMessage.AuthorKind.CUSTOMER, body=body)]
        if ticket.assignee_id is not None:
            messages.append(_system_note(ticket, ROUND_ROBIN_NOTE, save=False))
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


def open_platform_ticket(*, business, requester, subject, message, priority=Ticket.Priority.NORMAL) -> Ticket:
    """A merchant's staff member asks the platform for technical support.

    Only the business's owners and managers may; platform staff are e-mailed.
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
        _email_platform_agents(business, f"[{business.name}] technical support #{ticket.number}: {subject}", body)
    return ticket


def _email_platform_agents(business, subject, body):
    User = get_user_model()
    recipients = sorted(set(
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=PLATFORM_AGENTS_GROUP), is_active=True)
        .exclude(email="").values_list("email", flat=True)
    ))
    if recipients:
        emit_event(business=business, event_type="staff.email", channel=OutboxEvent.Channel.EMAIL,
                   data={"subject": subject, "body": body, "recipients": recipients})


# --- conversation ---------------------------------------------------------------------------
def add_customer_message(*, ticket, body, author=None) -> TicketMessage:
    """The customer's next message (or, on a technical-support ticket, the merchant's).

    A pending or solved ticket reopens (and its SLA clock starts again); new, open and on-hold
    tickets keep their status. A closed ticket raises TicketClosed (409).
    """
    body = clean_body(body, "message")
    now = timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket)
        if ticket.status == Status.CLOSED:
            raise TicketClosed(number=ticket.number)
        if ticket.status in (Status.PENDING, Status.SOLVED):
            _move(ticket, Status.OPEN, now)
        ticket.save()
        message = TicketMessage.objects.create(ticket=ticket, author_kind=TicketMessage.AuthorKind.CUSTOMER,
                                               author_user=author, body=body)
        if ticket.is_platform:
            subject = f"[{ticket.business.name}] technical support #{ticket.number}: new message"
            _email_platform_agents(ticket.business, subject, body)
    return message


def reply_to_ticket(*, ticket, author, body, internal=False, status=None) -> TicketMessage:
    """An agent answers (author None: an integration through the API).

    A public reply is the first response if there was none, moves new -> open and is sent
    to the customer as `ticket.reply` (the chat) or to the requester by e-mail (technical
    support). An internal note is stored only. `status` optionally moves the ticket on in
    the same step (e.g. reply and set pending).
    """
    body = clean_body(body, "body")
    now = timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket)
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
                _set_next_due(ticket)
            if ticket.status == Status.NEW:
                _move(ticket, Status.OPEN, now)
            if ticket.assignee_id is None and author is not None and (
                ticket.is_platform or Membership.objects.filter(user=author, business=ticket.business).exists()
            ):
                ticket.assignee = author
            _send_reply(ticket, message)
        if status and status != ticket.status:
            _check_transition(ticket, status)
            _move(ticket, status, now)
            _after_status(ticket, status)
        ticket.save()
    return message


def _send_reply(ticket, message):
    if ticket.is_platform:
        requester = ticket.requester_user
        if requester and requester.email:
            emit_event(business=ticket.business, event_type="staff.email", channel=OutboxEvent.Channel.EMAIL, data={
                "subject": f"Re: technical support #{ticket.number}: {ticket.subject}",
                "body": message.body, "recipients": [requester.email],
            })
        return
    emit_event(business=ticket.business, event_type="ticket.reply", data={
        "ticket": ticket.pk, "number": ticket.number, "message": message.pk, "body": message.body,
        "status": ticket.status, "customer": customer_ref(ticket.customer),
    })


# --- assignment -----------------------------------------------------------------------------
def _may_work(ticket, user) -> bool:
    if ticket.is_platform:
        return is_platform_agent(user)
    return Membership.objects.filter(user=user, business_id=ticket.business_id, user__is_active=True).exists()


def assign_ticket(*, ticket, assignee, actor=None) -> Ticket:
    """Give the ticket to `assignee` (None: unassign). The assignee must work for the
    business (or, for technical support, the platform); raises InvalidInput otherwise."""
    with transaction.atomic():
        ticket = _lock(ticket)
        if assignee is not None and not _may_work(ticket, assignee):
            raise InvalidInput("assignee", "This person does not work on this business's tickets.")
        if ticket.assignee_id == (assignee.pk if assignee else None):
            return ticket
        ticket.assignee = assignee
        ticket.save()
        _system_note(ticket, f"Assigned to {assignee.get_username()}." if assignee else "Unassigned.", actor)
    return ticket


ROUND_ROBIN_NOTE = "Assigned automatically (round-robin)."


def auto_assign(*, ticket) -> Ticket:
    """Round-robin: give an unassigned ticket to the next available agent of its business."""
    with transaction.atomic():
        ticket = _lock(ticket)
        if ticket.assignee_id is None and not ticket.is_platform:
            chosen = queries.draw_from_desk(ticket.business, assign=True).assignee_id
            if chosen is not None:
                Ticket.objects.filter(pk=ticket.pk).update(assignee_id=chosen)
                ticket.assignee_id = chosen
                _system_note(ticket, ROUND_ROBIN_NOTE)
    return ticket


# --- status and priority ---------------------------------------------------------------------
def _check_transition(ticket, status):
    if status not in Status.values:
        raise InvalidInput("status", f"Unknown status {status!r}.")
    if status not in TRANSITIONS[ticket.status]:
        raise IllegalStatusChange(number=ticket.number, current=ticket.status, wanted=status)


def _after_status(ticket, status):
    if status == Status.SOLVED and not ticket.is_platform:
        # The gateway asks the customer for a rating (POST .../rating/).
        emit_event(business=ticket.business, event_type="ticket.solved", data={
            "ticket": ticket.pk, "number": ticket.number, "customer": customer_ref(ticket.customer),
        })


def change_status(*, ticket, status, actor=None) -> Ticket:
    """Move the ticket on (see TRANSITIONS); the same status is a no-op; an illegal move
    raises IllegalStatusChange (409). Solving a customer ticket emits `ticket.solved`."""
    now = timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket)
        if actor is not None and ticket.is_platform and not is_platform_agent(actor):
            raise NotAllowed("Only platform staff change the status of technical-support tickets.")
        if status == ticket.status:
            return ticket
        _check_transition(ticket, status)
        _move(ticket, status, now)
        ticket.save()
        _after_status(ticket, status)
    return ticket


def change_priority(*, ticket, priority) -> Ticket:
    """A new priority brings the SLA targets of its policy (the minutes used so far stay)."""
    if priority not in Ticket.Priority.values:
        raise InvalidInput("priority", f"Unknown priority {priority!r}.")
    now = timezone.now()
    with transaction.atomic():
        ticket = _lock(ticket)
        if ticket.priority == priority:
            return ticket
        running = ticket.status not in Ticket.PAUSED
        if running:
            _stop_clock(ticket, now)
        ticket.priority = priority
        if running:
            _start_clock(ticket, now)
        ticket.save()
    return ticket


# --- satisfaction ---------------------------------------------------------------------------
def rate_ticket(*, ticket, rating, comment="") -> SatisfactionRating:
    """The customer's good/bad rating, accepted once the ticket is solved (or closed)."""
    if rating not in SatisfactionRating.Rating.values:
        raise InvalidInput("rating", "Rate with 'good' or 'bad'.")
    comment = (comment or "").strip()
    if len(comment) > MAX_BODY:
        raise InvalidInput("comment", f"The comment is longer than {MAX_BODY} characters.")
    with transaction.atomic():
        ticket = _lock(ticket)
        if ticket.status not in (Status.SOLVED, Status.CLOSED):
            raise TicketNotSolved(status=ticket.status)
        if SatisfactionRating.objects.filter(ticket=ticket).exists():
            raise AlreadyRated()
        return SatisfactionRating.objects.create(ticket=ticket, rating=rating, comment=comment)


# --- beat jobs ------------------------------------------------------------------------------
def close_solved_tickets(*, now=None) -> int:
    """Close tickets solved more than their business's `ticket_auto_close_days` ago.
    Idempotent: a second run finds nothing left to close."""
    now = now or timezone.now()
    closed = 0
    days_in_use = Business.objects.filter(tickets__status=Status.SOLVED).values_list(
        "ticket_auto_close_days", flat=True).distinct()
    for days in sorted(set(days_in_use)):
        with transaction.atomic():
            closed += Ticket.objects.filter(
                status=Status.SOLVED, business__ticket_auto_close_days=days,
                solved_at__lte=now - timedelta(days=days),
            ).update(status=Status.CLOSED, closed_at=now, updated_at=now)
    return closed


def flag_breaching_tickets(*, now=None, limit=500) -> int:
    """Flag tickets whose first-response or resolution target has passed, once each, and
    e-mail their assignee and the business's owners and managers."""
    now = now or timezone.now()
    due = (Ticket.objects.filter(status__in=(Status.NEW, Status.OPEN), next_sla_due_at__lte=now)
           .filter(Q(first_response_breached=False, first_response_at__isnull=True, first_response_due_at__lte=now)
                   | Q(resolution_breached=False, resolution_due_at__lte=now))
           .order_by("pk").values_list("pk", flat=True)[:limit])
    flagged = 0
    for pk in list(due):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update(of=("self",)).select_related("business", "assignee").get(pk=pk)
            breaches = []
            if (not ticket.first_response_breached and ticket.first_response_at is None
                    and ticket.first_response_due_at and ticket.first_response_due_at <= now):
                ticket.first_response_breached = True
                breaches.append("first response")
            if not ticket.resolution_breached and ticket.resolution_due_at and ticket.resolution_due_at <= now:
                ticket.resolution_breached = True
                breaches.append("resolution")
            if not breaches or ticket.status not in (Status.NEW, Status.OPEN):
                continue
            ticket.save(update_fields=["first_response_breached", "resolution_breached"])
            _system_note(ticket, "SLA breached: " + " and ".join(breaches) + ".")
            subject = f"[{ticket.business.name}] SLA breached on ticket #{ticket.number}: {ticket.subject}"
            body = (f"Ticket #{ticket.number} ({ticket.get_priority_display()}) missed its "
                    f"{' and '.join(breaches)} target. Assignee: "
                    f"{ticket.assignee.get_username() if ticket.assignee else 'nobody'}.")
            notify_staff(business=ticket.business, subject=subject, body=body, roles=("owner", "manager"))
            if ticket.assignee and ticket.assignee.email and not Membership.objects.filter(
                    business=ticket.business, user=ticket.assignee, role__in=("owner", "manager")).exists():
                emit_event(business=ticket.business, event_type="staff.email", channel=OutboxEvent.Channel.EMAIL,
                           data={"subject": subject, "body": body, "recipients": [ticket.assignee.email]})
            flagged += 1
    return flagged
