"""Every rule of the support desk. Admin pages, API views, Celery tasks and the chat engine
call these functions (`from support import services; services.open_ticket(...)`); each runs in
one transaction and locks the ticket row it changes, and raises the domain errors of
`support.errors` (bad input: the kernel's `InvalidInput`).

Rules in one place:
- a customer (or requester) message reopens a pending or solved ticket; a closed ticket is final;
- a public agent reply sets the first response and moves new -> open, and reaches the customer
  as `ticket.reply` through the outbox; internal notes never leave the back office;
- the SLA clock (support.sla) runs only while the ticket waits on the business;
- solved tickets close after the business's `ticket_auto_close_days` (beat);
- breaching tickets are flagged once and their assignee and managers are e-mailed (beat);
- with `Business.auto_assign_tickets`, new tickets go round-robin to available agents.

The flows: `tickets` (opening customer and technical-support tickets), `conversation`
(messages, replies, internal notes), `desk` (assignment, round-robin, status and priority),
`rating` (CSAT) and `jobs` (beat). What they share: `transitions` (the status machine),
`clock` (the SLA clock of a ticket), `locking` (the ticket row lock), `notes` (system notes),
`platform` (platform staff) and `text` (message and subject text).
"""
from .conversation import add_customer_message, reply_to_ticket
from .desk import assign_ticket, auto_assign, change_priority, change_status
from .jobs import close_solved_tickets, flag_breaching_tickets
from .platform import PLATFORM_AGENTS_GROUP, is_platform_agent
from .rating import add_rating_comment, rate_ticket
from .tickets import open_platform_ticket, open_ticket
from .transitions import TRANSITIONS

__all__ = [
    "PLATFORM_AGENTS_GROUP", "TRANSITIONS", "add_customer_message", "add_rating_comment", "assign_ticket",
    "auto_assign", "change_priority", "change_status", "close_solved_tickets", "flag_breaching_tickets",
    "is_platform_agent", "open_platform_ticket", "open_ticket", "rate_ticket", "reply_to_ticket",
]
