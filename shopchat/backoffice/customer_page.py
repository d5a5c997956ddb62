"""The customer page's sections: each app above the kernel registers what it knows of a customer
(orders and total spent, wallet, tickets, the conversation) in AppConfig.ready(), so the kernel's
customer admin shows them without importing those apps. A section is shown to users whose role
covers its area; each answers with a fixed number of queries."""
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..tenancy import business_ids


@dataclass
class Section:
    key: str
    title: Any
    template: str
    context: dict = field(default_factory=dict)


SectionProvider = Callable[[Any, Any], Section | None]
_sections: list[tuple[int, str, SectionProvider]] = []


def register(*, area: str, section: SectionProvider, position: int) -> None:
    """`section(customer, user)` -> a Section (or None to show nothing)."""
    if (position, area, section) not in _sections:
        _sections.append((position, area, section))
        _sections.sort(key=lambda entry: entry[0])


def sections_for(customer: Any, user: Any) -> list[Section]:
    shown = []
    for _, area, provider in _sections:
        if user.is_superuser or customer.business_id in business_ids(user, area):
            section = provider(customer, user)
            if section is not None:
                shown.append(section)
    return shown
