"""The back-office home page: what needs the merchant's attention now (orders to ship, new
orders, tickets breaching their SLA, low stock, events that failed), each a link to the list
it counts. Every figure is cut to the user's businesses and role by the tenancy mechanism.
Each app registers its own tiles (`register`), so the kernel knows none of the apps above it."""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from .models import ErasureRecord, OutboxEvent
from .tenancy import CHANGE, business_ids, scope_queryset


@dataclass
class Tile:
    title: str
    count: int
    url: str
    urgent: bool = False


TileProvider = Callable[[Any], list[Tile]]
_providers: list[tuple[int, str, TileProvider]] = []


def register(*, area: str, tiles: TileProvider, position: int) -> None:
    """An app's tiles for the home page (its AppConfig.ready() registers them): shown to users
    whose role covers `area`, in the order of `position`."""
    if (position, area, tiles) not in _providers:
        _providers.append((position, area, tiles))
        _providers.sort(key=lambda entry: entry[0])


def can(user: Any, area: str) -> bool:
    return user.is_superuser or bool(business_ids(user, area))


def tiles_for(user: Any) -> list[Tile]:
    return [tile for _, area, provider in _providers if can(user, area) for tile in provider(user)]


def failed_notification_tiles(user: Any) -> list[Tile]:
    failed = scope_queryset(OutboxEvent.objects.filter(status=OutboxEvent.Status.FAILED), user, "events").count()
    return [Tile("Notifications that failed", failed,
                 reverse("admin:shopchat_outboxevent_changelist") + "?status__exact=failed", urgent=True)]


def erasure_request_tiles(user: Any) -> list[Tile]:
    """For the roles that confirm them (owners, managers)."""
    if not user.is_superuser and not business_ids(user, "customers", CHANGE):
        return []
    waiting = scope_queryset(ErasureRecord.objects.filter(status=ErasureRecord.Status.REQUESTED), user,
                             "customers").count()
    return [Tile("Data-erasure requests to confirm", waiting,
                 reverse("admin:shopchat_erasurerecord_changelist") + "?status__exact=requested", urgent=bool(waiting))]
