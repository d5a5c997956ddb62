"""Who made a change, as services record it: a staff user, the API client of a key (or its
label), or None for the system (tasks, the chat engine)."""
from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth.models import User

if TYPE_CHECKING:
    from .api.auth import GatewayClient

Actor: TypeAlias = "User | GatewayClient | str | None"


def staff_user(actor: Actor) -> User | None:
    """The saved staff user behind `actor` (for a `created_by`), or None: the API, the system."""
    return actor if isinstance(actor, User) and actor.pk else None
