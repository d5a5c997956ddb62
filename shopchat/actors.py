"""Who made a change, as services record it: a staff user, the API client of a key (or its
label), or None for the system (tasks, the chat engine)."""
from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth.models import User

if TYPE_CHECKING:
    from .api.auth import GatewayClient

Actor: TypeAlias = "User | GatewayClient | str | None"
