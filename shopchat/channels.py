"""The outbox's channels, registered by the apps that serve them.

Every `OutboxEvent` is delivered through the channel its `channel` column names. The kernel
serves two itself (`webhook`, `email`); an app that reaches customers somewhere else (the chat
app: WhatsApp) registers its channel in its `AppConfig.ready()`, with what the kernel needs to
know of it: how to deliver, which webhook events also get a copy on it, which `Business`
relations that rule reads (loaded with the API key, so the rule asks the database nothing),
and which messages about an order or a ticket it could not deliver (for the back office).
So the kernel imports no app above it, and an app that is not installed has no channel.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.utils.functional import Promise

if TYPE_CHECKING:
    from .models import Business, Customer, OutboxEvent


class UnknownChannel(LookupError):
    """No installed app serves this channel."""


@dataclass(frozen=True)
class UndeliveredMessage:
    """A message a channel could not deliver to the customer, as the order and ticket pages
    show it: when the failure was reported, what kind of message, and the error."""

    status_at: datetime | None
    kind: str
    error_code: int | None
    error_title: str


class UndeliveredProvider(Protocol):
    """A channel's answer to "which messages about this order or ticket did you not deliver"."""

    def __call__(self, *, business: Business, order_number: str = "", ticket_id: str = "") -> list[UndeliveredMessage]:
        ...


Deliver = Callable[["OutboxEvent"], None]
CopyRule = Callable[["Business", str, dict], bool]


@dataclass(frozen=True)
class Channel:
    """One registered channel (see `register`)."""

    name: str
    label: str | Promise  # gettext_lazy: shown in the staff member's language
    deliver: Deliver
    copies: CopyRule | None = None
    business_relations: tuple[str, ...] = ()
    undelivered: UndeliveredProvider | None = None
    reaches: Callable[[Business, Customer | None], bool] | None = None


_channels: dict[str, Channel] = {}


def register(name: str, *, label: str | Promise, deliver: Deliver, copies: CopyRule | None = None,
             business_relations: Iterable[str] = (), undelivered: UndeliveredProvider | None = None,
             reaches: Callable[[Business, Customer | None], bool] | None = None) -> Channel:
    """Register the channel `name` (the `OutboxEvent.channel` value); call it from `AppConfig.ready()`.

    - `deliver(event)` sends one event; it raises `outbox.DeliveryFailed` or `NothingToDeliver`.
    - `copies(business, event_type, data)`: whether a webhook event also goes out on this
      channel (a copy is written beside it, in the same transaction).
    - `business_relations`: the one-to-one relations of `Business` that `copies` reads; the
      API-key lookup loads them with the business.
    - `undelivered(business=, order_number= | ticket_id=)`: the messages about an order or a
      ticket this channel did not deliver, newest first.
    - `reaches(business, customer)`: whether this channel can get a message to that customer of
      the business (None: to its customers at all), so the back office says so when nothing can.

    Registering a name twice is a mistake (two apps would fight over its events), unless it is
    the same registration again.
    """
    from .models import OutboxEvent

    max_length = OutboxEvent._meta.get_field("channel").max_length
    assert max_length is not None  # a CharField's
    if not name or len(name) > max_length:
        raise ValueError(f"A channel name has 1 to {max_length} characters, not {name!r}.")
    channel = Channel(name=name, label=label, deliver=deliver, copies=copies,
                      business_relations=tuple(business_relations), undelivered=undelivered, reaches=reaches)
    if _channels.get(name, channel) != channel:
        raise ValueError(f"The outbox channel {name!r} is already registered.")
    _channels[name] = channel
    return channel


def unregister(name: str) -> None:
    """Forget a channel (tests that register their own)."""
    _channels.pop(name, None)


def get(name: str) -> Channel:
    """The channel `name`; `UnknownChannel` when no installed app registered it."""
    try:
        return _channels[name]
    except KeyError:
        raise UnknownChannel(f"No installed app serves the outbox channel {name!r}.") from None


def choices() -> list[tuple[str, str | Promise]]:
    """`(name, label)` of every channel, in the order they were registered (`OutboxEvent.channel`)."""
    return [(c.name, c.label) for c in _channels.values()]


def copies_of(business: Business, event_type: str, data: dict) -> list[str]:
    """The channels that also get this webhook event, in the order they were registered."""
    return [c.name for c in _channels.values() if c.copies is not None and c.copies(business, event_type, data)]


def business_relations() -> list[str]:
    """The `Business` relations the copy rules read, to load with the business."""
    return list(dict.fromkeys(r for c in _channels.values() for r in c.business_relations))


def undelivered_messages(
    *, business: Business, order_number: str = "", ticket_id: str = "",
) -> list[UndeliveredMessage]:
    """The messages about an order (`order_number`) or a ticket (`ticket_id`) that a channel
    could not deliver, for the order and ticket pages of the back office."""
    return [message for c in _channels.values() if c.undelivered is not None
            for message in c.undelivered(business=business, order_number=order_number, ticket_id=str(ticket_id or ""))]


def reaching_customers(business: Business, customer: Customer | None = None) -> list[str]:
    """The labels of the channels that can reach `customer` (None: the business's customers at
    all), in the active language; empty: a reply would reach no one."""
    return [str(c.label) for c in _channels.values() if c.reaches is not None and c.reaches(business, customer)]
