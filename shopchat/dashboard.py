"""The back-office home page: the sales figures (revenue today / 7 / 30 days against the period
before, orders, average order value, paid vs unpaid, conversations that ordered, refunds), what
needs attention now (orders to ship, tickets breaching their SLA, low stock, notifications that
failed) and two charts (sales per day, orders by status). Every tile links to the list it
counts, filtered the same way. Every figure is cut to the user's businesses and role by the
tenancy mechanism, and each provider answers with a fixed number of aggregate queries whatever
the data (tests/core/test_dashboard.py counts them).

Each app registers its own provider (`register`) in AppConfig.ready(), so the kernel knows
none of the apps above it; shopchat/backoffice/dashboard.py lays the page out."""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Business, ErasureRecord, OutboxEvent
from .tenancy import CHANGE, business_ids, scope_queryset

SALES, ATTENTION = "sales", "attention"


@dataclass
class Tile:
    """One figure. `count` is what it counts; `value` (if set) is how it reads ("₹ 40.00");
    `change` is the percentage against the period before (None: nothing to compare with)."""

    title: Any
    count: int
    url: str
    urgent: bool = False
    value: str | None = None
    change: float | None = None
    note: Any = ""
    group: str = ATTENTION

    @property
    def shown(self) -> str:
        return self.value if self.value is not None else str(self.count)


@dataclass
class Chart:
    """A chart for unfold's chart component (Chart.js data: labels and datasets)."""

    title: Any
    kind: str  # "bar" or "line"
    labels: list[str]
    datasets: list[dict] = field(default_factory=list)
    url: str = ""


@dataclass(frozen=True)
class Period:
    """'Today' and the windows before it, in the time zone of the user's business (UTC across
    businesses)."""

    now: datetime
    today: datetime  # midnight that started today, aware

    def days_ago(self, days: int) -> datetime:
        return self.today - timedelta(days=days - 1)

    def date(self, moment: datetime) -> str:
        return timezone.localtime(moment, self.today.tzinfo).date().isoformat()


TileProvider = Callable[[Any, Period], list]
_providers: list[tuple[int, str, TileProvider]] = []


def register(*, area: str, tiles: TileProvider, position: int) -> None:
    """An app's tiles and charts for the home page (its AppConfig.ready() registers them): shown
    to users whose role covers `area`, in the order of `position`. `tiles(user, period)` answers
    a list of Tile and Chart."""
    if (position, area, tiles) not in _providers:
        _providers.append((position, area, tiles))
        _providers.sort(key=lambda entry: entry[0])


def can(user: Any, area: str) -> bool:
    return user.is_superuser or bool(business_ids(user, area))


def period_for(user: Any, now: datetime | None = None) -> Period:
    now = now or timezone.now()
    zone: Any = ZoneInfo("UTC")
    if not user.is_superuser:
        ids = business_ids(user, "support") | business_ids(user, "orders")
        names = set(Business.objects.filter(pk__in=ids).values_list("time_zone", flat=True)[:2])
        if len(names) == 1:
            zone = ZoneInfo(names.pop())
    local = timezone.localtime(now, zone)
    return Period(now=now, today=local.replace(hour=0, minute=0, second=0, microsecond=0))


def tiles_for(user: Any, period: Period | None = None) -> list:
    period = period or period_for(user)
    return [tile for _, area, provider in _providers if can(user, area) for tile in provider(user, period)]


def change(current: int, previous: int) -> float | None:
    """Percentage change of `current` against `previous` (None when there was nothing before)."""
    if not previous:
        return None
    return round((current - previous) * 100 / previous, 1)


def failed_notification_tiles(user: Any, period: Period) -> list[Tile]:
    failed = scope_queryset(OutboxEvent.objects.filter(status=OutboxEvent.Status.FAILED), user, "events").count()
    return [Tile(_("Notifications that failed"), failed,
                 reverse("admin:shopchat_outboxevent_changelist") + "?status__exact=failed", urgent=True)]


def erasure_request_tiles(user: Any, period: Period) -> list[Tile]:
    """For the roles that confirm them (owners, managers)."""
    if not user.is_superuser and not business_ids(user, "customers", CHANGE):
        return []
    waiting = scope_queryset(ErasureRecord.objects.filter(status=ErasureRecord.Status.REQUESTED), user,
                             "customers").count()
    return [Tile(_("Data-erasure requests to confirm"), waiting,
                 reverse("admin:shopchat_erasurerecord_changelist") + "?status__exact=requested", urgent=bool(waiting))]
