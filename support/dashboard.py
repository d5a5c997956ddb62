"""Support's tiles on the back-office home page."""
from typing import Any

from django.urls import reverse

from shopchat.dashboard import Tile
from shopchat.tenancy import scope_queryset

from . import selectors as tickets
from .models import Ticket


def ticket_tiles(user: Any) -> list[Tile]:
    queue = scope_queryset(Ticket.objects.filter(kind=Ticket.Kind.CUSTOMER), user, "support")
    url = reverse("admin:support_ticket_changelist")
    return [
        Tile("Tickets breaching SLA soon", tickets.breaching_soon(queue).count(), f"{url}?queue=breaching",
             urgent=True),
        Tile("Unassigned tickets", tickets.unassigned(queue).count(), f"{url}?queue=unassigned"),
    ]
