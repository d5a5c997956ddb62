"""Files attached to ticket messages, from the apps that receive them.

Support stores no files itself: an app above it (the chat: photos, voice notes and documents
customers send) registers a provider in its `AppConfig.ready()` that answers, for the messages a
ticket page shows, what is attached to each. The ticket page draws them: a photo as a thumbnail
linking to the file, anything else as a download link, a file not (or no longer) there as its
state. The links lead to the providing app's staff-only views, which check the viewer's business.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import TicketMessage


@dataclass(frozen=True)
class Attachment:
    """One file as the back office shows it."""

    label: str  # what it is, in the staff member's language ("Photo", "Voice message")
    url: str = ""  # the staff-only address of the file; empty while there is none
    image: bool = False  # shown inline as a thumbnail
    name: str = ""  # the file's own name, if it had one
    size: str = ""  # e.g. "1.2 MB"
    state: str = ""  # why there is no file (downloading, too large, failed, erased)


Provider = Callable[[Sequence["TicketMessage"]], dict[int, list[Attachment]]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Add a provider (once: registering it again changes nothing)."""
    if provider not in _providers:
        _providers.append(provider)


def unregister(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def attach(messages: Iterable[TicketMessage]) -> list[TicketMessage]:
    """The messages as a list, each with `.attachments` (a list, empty when nothing is attached)."""
    shown = list(messages)
    found: dict[int, list[Attachment]] = {}
    for provider in _providers:
        for message_id, files in provider(shown).items():
            found.setdefault(message_id, []).extend(files)
    for message in shown:
        message.attachments = found.get(message.pk, [])  # type: ignore[attr-defined]
    return shown
