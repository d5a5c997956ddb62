"""Support's tiles on the back-office home page: open tickets, those breaching their SLA soon,
the unassigned ones, and the share of first replies sent on time in the last 30 days (one
aggregate query), each linking to its queue."""
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopchat.dashboard import Period, Tile
from shopchat.tenancy import scope_queryset

from . import selectors as tickets
from .models import Ticket


def ticket_tiles(user: Any, period: Period) -> list[Tile]:
    queue = scope_queryset(Ticket.objects.filter(kind=Ticket.Kind.CUSTOMER), user, "support")
    url = reverse("admin:support_ticket_changelist")
    breaching = tickets.breaching_soon(queue).values("pk")
    unassigned = tickets.unassigned(queue).values("pk")
    figures = queue.aggregate(
        open=Count("pk", filter=Q(pk__in=tickets.all_open(queue).values("pk"))),
        breaching=Count("pk", filter=Q(pk__in=breaching)),
        unassigned=Count("pk", filter=Q(pk__in=unassigned)),
        answered=Count("pk", filter=Q(created_at__gte=period.days_ago(30), first_response_at__isnull=False)),
        late=Count("pk", filter=Q(created_at__gte=period.days_ago(30), first_response_breached=True)),
    )
    on_time = (round((figures["answered"] - figures["late"]) * 100 / figures["answered"])
               if figures["answered"] else None)
    return [
        Tile(_("Open tickets"), figures["open"], f"{url}?queue=open",
             note=_("first replies on time, 30 days: %(share)s") % {
                 "share": f"{on_time}%" if on_time is not None else "-"}),
        Tile(_("Tickets breaching SLA soon"), figures["breaching"], f"{url}?queue=breaching", urgent=True),
        Tile(_("Unassigned tickets"), figures["unassigned"], f"{url}?queue=unassigned"),
    ]
