"""Reads of the support desk: the customer's open ticket (for the chat engine), the agents'
queues, and the context shown beside a ticket."""
from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from orders.models import Order
from shopchat.models import Business, Customer

from .models import SatisfactionRating, Ticket, TicketMessage

BREACHING_SOON = timedelta(hours=1)


def open_ticket_for(*, business: Business, customer: Customer) -> Ticket | None:
    """The customer's most recent unsolved ticket (new, open, pending or on hold), if any."""
    return (Ticket.objects.filter(business=business, customer=customer, kind=Ticket.Kind.CUSTOMER,
                                  status__in=Ticket.UNSOLVED)
            .order_by("-created_at", "-pk").first())


def customer_ticket(*, business: Business, customer: Customer, ticket_id: int) -> Ticket | None:
    """The customer's own ticket of that id (a rating button names it), else None."""
    return Ticket.objects.filter(business=business, customer=customer, kind=Ticket.Kind.CUSTOMER,
                                 pk=ticket_id).first()


def rating_awaiting_comment(*, business: Business, customer: Customer,
                            now: datetime | None = None) -> SatisfactionRating | None:
    """The customer's rating, given in the chat, whose comment the chat still waits for."""
    return (SatisfactionRating.objects.filter(ticket__business=business, ticket__customer=customer,
                                              comment_until__gte=now or timezone.now())
            .select_related("ticket").order_by("-created_at", "-pk").first())


# Queues: saved filters over a queryset of tickets the user may already see.
def mine(queryset: QuerySet[Ticket], *, user: User, now: datetime | None = None) -> QuerySet[Ticket]:
    return queryset.filter(assignee=user, status__in=Ticket.UNSOLVED)


def unassigned(queryset: QuerySet[Ticket], *, user: User | None = None,
               now: datetime | None = None) -> QuerySet[Ticket]:
    return queryset.filter(assignee__isnull=True, status__in=Ticket.UNSOLVED)


def breaching_soon(queryset: QuerySet[Ticket], *, user: User | None = None,
                   now: datetime | None = None) -> QuerySet[Ticket]:
    """Running clocks due within the hour (or already overdue)."""
    now = now or timezone.now()
    return queryset.filter(status__in=(Ticket.Status.NEW, Ticket.Status.OPEN),
                           next_sla_due_at__lte=now + BREACHING_SOON)


def pending(queryset: QuerySet[Ticket], *, user: User | None = None,
            now: datetime | None = None) -> QuerySet[Ticket]:
    return queryset.filter(status=Ticket.Status.PENDING)


def all_open(queryset: QuerySet[Ticket], *, user: User | None = None,
             now: datetime | None = None) -> QuerySet[Ticket]:
    return queryset.filter(status__in=Ticket.UNSOLVED)


# key -> (label, the queue's filter, called with `user=` and `now=`)
QUEUES: dict[str, tuple[Promise, Callable[..., QuerySet[Ticket]]]] = {
    "mine": (_("Mine"), mine),
    "unassigned": (_("Unassigned"), unassigned),
    "breaching": (_("Breaching soon"), breaching_soon),
    "pending": (_("Pending"), pending),
    "open": (_("All open"), all_open),
}


def conversation(ticket: Ticket, *, include_internal: bool) -> QuerySet[TicketMessage]:
    """The ticket's messages in order, with their authors."""
    messages = TicketMessage.objects.filter(ticket=ticket).select_related("author_user").order_by("created_at", "pk")
    if not include_internal:
        messages = messages.filter(internal=False)
    return messages


def recent_orders(ticket: Ticket, limit: int = 5) -> QuerySet[Order]:
    """The customer's latest orders, for the agent's context."""
    if not ticket.customer_id:
        return Order.objects.none()
    return Order.objects.filter(business_id=ticket.business_id, customer_id=ticket.customer_id).order_by(
        "-created_at")[:limit]


def csat_by_agent_week(tickets: QuerySet[Ticket], *, since: datetime) -> list[dict]:
    """The ratings of `tickets` (already scoped to what the user may see) given since `since`,
    per assignee and per week (Monday), newest week first: good, bad, the share of good, and
    how many came with a comment. One aggregate query."""
    rows = (SatisfactionRating.objects.filter(ticket__in=tickets, created_at__gte=since)
            .annotate(week=TruncWeek("created_at"))
            .values("week", "ticket__assignee", "ticket__assignee__username", "ticket__assignee__first_name",
                    "ticket__assignee__last_name")
            .annotate(good=Count("pk", filter=Q(rating=SatisfactionRating.Rating.GOOD)),
                      bad=Count("pk", filter=Q(rating=SatisfactionRating.Rating.BAD)),
                      comments=Count("pk", filter=~Q(comment="")))
            .order_by("-week", "ticket__assignee__username"))
    summary = []
    for row in rows:
        name = " ".join(x for x in (row["ticket__assignee__first_name"], row["ticket__assignee__last_name"]) if x)
        total = row["good"] + row["bad"]
        summary.append({
            "week": row["week"], "agent": name or row["ticket__assignee__username"] or "",
            "good": row["good"], "bad": row["bad"], "ratings": total, "comments": row["comments"],
            "good_share": round(row["good"] * 100 / total) if total else None,
        })
    return summary
