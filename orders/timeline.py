"""The order page's timeline: status changes and staff notes (this app), and whatever the apps
above add (payments: payments and refunds; chat: the messages of the customer's conversation),
newest first. Apps above register a provider in AppConfig.ready(), so orders imports none of
them. Each provider answers with a fixed number of queries for one order."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from shopchat.tenancy import business_ids

from .models import Order, OrderNote, OrderTransition


@dataclass
class Entry:
    at: datetime
    kind: str  # "status", "note", "payment", "refund", "message", ...
    title: str
    detail: str = ""
    actor: str = ""
    bubble: Any = None  # a chat message as the customer saw it (chat's renderer), if any


Provider = Callable[[Order, Any], list[Entry]]
_providers: list[tuple[str, Provider]] = []


def register(*, area: str, entries: Provider) -> None:
    """`entries(order, user)`: the provider's part of the timeline, shown to users whose role
    covers `area` (e.g. payments only to those who see payments)."""
    if (area, entries) not in _providers:
        _providers.append((area, entries))


def order_entries(order: Order, user: Any) -> list[Entry]:
    entries = [Entry(t.created_at, "status", str(t), t.note, t.actor_label)
               for t in OrderTransition.objects.filter(order=order).order_by("created_at", "id")[:200]]
    entries += [Entry(n.created_at, "note", _("Staff note"), n.text, n.author_label)
                for n in OrderNote.objects.filter(order=order).order_by("created_at", "id")[:200]]
    return entries


def timeline(order: Order, user: Any) -> list[Entry]:
    entries = order_entries(order, user)
    for area, provider in _providers:
        if user.is_superuser or order.business_id in business_ids(user, area):
            entries += provider(order, user)
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
