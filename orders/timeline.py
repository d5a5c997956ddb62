"""The order page's timeline: status changes and staff notes (this app), and whatever the apps
above add (payments: payments and refunds; chat: the messages of the customer's conversation),
newest first. Apps above register a provider in AppConfig.ready(), so orders imports none of
them. Each provider answers with a fixed number of queries for one order."""
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from shopchat.money import MoneyError, label, to_minor
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


# The notes the system writes on a status change, stored in English: shown in the reader's language.
SYSTEM_NOTES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"placed"), lambda m: _("placed")),
    (re.compile(r"payment (\d+)"), lambda m: _("payment %(number)s") % {"number": m[1]}),
    (re.compile(r"([A-Z]{3}) (-?\d+(?:\.\d+)?) refunded in all"), lambda m: _("%(amount)s refunded in all") % {
        "amount": _amount(m[2], m[1])}),
    (re.compile(r"not paid within (\d+) minutes"), lambda m: _("not paid within %(minutes)s minutes") % {
        "minutes": m[1]}),
]


def _amount(major: str, currency: str) -> str:
    try:
        return label(to_minor(Decimal(major), currency), currency)
    except (InvalidOperation, MoneyError):
        return f"{currency} {major}"


def shown_note(note: str) -> str:
    """A status change's note as the staff member reads it: the system's own notes translated,
    anything a person or an integration wrote as written."""
    for pattern, shown in SYSTEM_NOTES:
        if match := pattern.fullmatch(note):
            return shown(match)
    return note


def shown_actor(label_: str) -> str:
    return _("system") if label_ == "system" else label_


def order_entries(order: Order, user: Any) -> list[Entry]:
    entries = [Entry(t.created_at, "status", str(t), shown_note(t.note), shown_actor(t.actor_label))
               for t in OrderTransition.objects.filter(order=order).order_by("created_at", "id")[:200]]
    entries += [Entry(n.created_at, "note", _("Staff note"), n.text, shown_actor(n.author_label))
                for n in OrderNote.objects.filter(order=order).order_by("created_at", "id")[:200]]
    return entries


def timeline(order: Order, user: Any) -> list[Entry]:
    entries = order_entries(order, user)
    for area, provider in _providers:
        if user.is_superuser or order.business_id in business_ids(user, area):
            entries += provider(order, user)
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
