"""Orders' figures on the back-office home page: revenue today / 7 / 30 days against the period
before, orders placed and their average value, paid vs unpaid, the chat conversations that
ordered, orders to ship, and the charts of sales per day and orders by status.

Two aggregate passes over the orders whatever their number, computed on every load (exact): one
grouped by currency and status (every tile, the status chart), one by currency and day paid (the
sales chart); then the live counts (new orders
in the last 24 hours, conversations). Revenue is what paid orders were worth when they were paid
(refunds are their own tile), the merchant's test chats left out. Each tile links to the order
list with the same window (`?paid_in=` / `?placed_in=`, see orders.admin)."""
from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopchat.dashboard import SALES, Chart, Period, Tile, change
from shopchat.models import Customer
from shopchat.money import label, to_major
from shopchat.tenancy import scope_queryset

from .models import Order

WINDOWS = {"today": 1, "7d": 7, "30d": 30}


def window(period: Period, key: str) -> tuple[Any, Any]:
    """(start, end) of the window `key` ('today', '7d', '30d') ending now."""
    return period.days_ago(WINDOWS[key]), period.now


def _money(by_currency: dict[str, int]) -> str:
    shown = [label(amount, currency) for currency, amount in sorted(by_currency.items()) if amount]
    return " · ".join(shown) or "0"


def _sum(rows, key) -> int:
    return sum(row[key] or 0 for row in rows)


def _per_currency(rows, key) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for row in rows:
        sums[row["currency"]] += row[key] or 0
    return dict(sums)


def _figures(orders, period: Period) -> dict[str, list[dict]]:
    """The two passes: rows by (currency, status) and by (currency, day paid). Windows end now,
    and no order is paid or placed later than now, so they change only when an order is written."""
    starts = {key: period.days_ago(days) for key, days in WINDOWS.items()}
    before = {key: start - timedelta(days=WINDOWS[key]) for key, start in starts.items()}
    earliest, month = before["30d"], starts["30d"]
    sums: dict[str, Any] = {}
    for key, start in starts.items():
        sums[f"rev_{key}"] = Sum("total_minor", filter=Q(paid_at__gte=start))
        sums[f"prev_{key}"] = Sum("total_minor", filter=Q(paid_at__gte=before[key], paid_at__lt=start))
    statuses = orders.filter(Q(paid_at__gte=earliest) | Q(created_at__gte=earliest) | Q(status=Order.Status.PAID))
    by_status = statuses.values("currency", "status").annotate(
        **sums, orders=Count("pk"),
        paid_30d=Count("pk", filter=Q(paid_at__gte=month)),
        placed_30d=Count("pk", filter=Q(created_at__gte=month)),
        placed_prev=Count("pk", filter=Q(created_at__gte=earliest, created_at__lt=month)),
        unpaid_30d=Count("pk", filter=Q(created_at__gte=month, paid_at__isnull=True)),
    ).order_by()
    by_day = (orders.filter(paid_at__gte=month).annotate(day=TruncDate("paid_at", tzinfo=period.today.tzinfo))
              .values("day", "currency").annotate(total=Sum("total_minor")).order_by())
    return {"statuses": list(by_status),
            "days": [{**row, "day": row["day"].isoformat()} for row in by_day]}


def sales_tiles(user: Any, period: Period) -> list:
    # The merchant's test chats left out by their (few) ids rather than a join with every customer.
    test_customers = sorted(scope_queryset(Customer.objects.filter(is_test=True), user, "orders")
                            .values_list("pk", flat=True))
    orders = scope_queryset(Order.objects.all(), user, "orders").exclude(customer_id__in=test_customers)
    figures = _figures(orders, period)
    rows = figures["statuses"]
    window_rows = [row for row in rows if row["paid_30d"] or row["placed_30d"] or row["placed_prev"]
                   or any(row[f"prev_{key}"] for key in WINDOWS)]
    currencies = {row["currency"] for row in window_rows}
    url = reverse("admin:orders_order_changelist")

    tiles: list = []
    titles = {"today": _("Revenue today"), "7d": _("Revenue, 7 days"), "30d": _("Revenue, 30 days")}
    for key in WINDOWS:
        current, previous = _per_currency(rows, f"rev_{key}"), _per_currency(rows, f"prev_{key}")
        tiles.append(Tile(titles[key], sum(current.values()), f"{url}?paid_in={key}", value=_money(current),
                          change=change(sum(current.values()), sum(previous.values()))
                          if len(currencies) <= 1 else None,
                          note=_("before: %(amount)s") % {"amount": _money(previous)}, group=SALES))
    placed, paid = _sum(rows, "placed_30d"), _sum(rows, "paid_30d")
    tiles.append(Tile(_("Orders, 30 days"), placed, f"{url}?placed_in=30d",
                      change=change(placed, _sum(rows, "placed_prev")), group=SALES))
    revenue, paid_orders = _per_currency(rows, "rev_30d"), _per_currency(rows, "paid_30d")
    aov = {currency: revenue.get(currency, 0) // count for currency, count in paid_orders.items() if count}
    tiles.append(Tile(_("Average order value, 30 days"), paid, f"{url}?paid_in=30d", value=_money(aov),
                      note=_("%(count)s paid orders") % {"count": paid}, group=SALES))
    unpaid = _sum(rows, "unpaid_30d")
    tiles.append(Tile(_("Paid vs unpaid, 30 days"), paid, f"{url}?placed_in=30d&paid=no",
                      value=f"{placed - unpaid} / {unpaid}",
                      note=_("placed in 30 days: paid / not paid"), group=SALES))
    tiles.append(_conversations_tile(user, period.days_ago(30)))

    to_ship = _sum([row for row in rows if row["status"] == Order.Status.PAID], "orders")
    tiles.append(Tile(_("Paid orders to ship"), to_ship, f"{url}?status__exact=paid", urgent=True))
    new = orders.filter(created_at__gte=period.now - timedelta(hours=24)).count()  # a moving window: live
    tiles.append(Tile(_("New orders, last 24 hours"), new, f"{url}?placed_in=24h"))
    tiles.append(_sales_chart(figures["days"], period, url))
    tiles.append(_status_chart(rows, url))
    return tiles


def _conversations_tile(user: Any, start: Any) -> Tile:
    conversations = scope_queryset(Customer.objects.all(), user, "orders").filter(
        last_inbound_at__gte=start, is_test=False).aggregate(
        talked=Count("pk"),
        ordered=Count("pk", filter=Q(Exists(Order.objects.filter(customer=OuterRef("pk"), created_at__gte=start)))))
    talked, ordered = conversations["talked"], conversations["ordered"]
    share = round(ordered * 100 / talked) if talked else 0
    return Tile(_("Chat conversations, 30 days"), talked, reverse("admin:shopchat_customer_changelist")
                + "?talked_in=30d", value=str(talked),
                note=_("%(share)s%% ordered (%(count)s)") % {"share": share, "count": ordered}, group=SALES)


def _sales_chart(rows: list[dict], period: Period, url: str) -> Chart:
    start = period.days_ago(30)
    days = [period.date(start + timedelta(days=n)) for n in range(30)]
    series: dict[str, dict[str, int]] = {}
    for row in rows:
        series.setdefault(row["currency"], {})[row["day"]] = row["total"] or 0
    datasets = [{"label": currency, "data": [str(to_major(by_day.get(day, 0), currency)) for day in days]}
                for currency, by_day in sorted(series.items())]
    return Chart(_("Sales per day, 30 days"), "bar", [day[5:] for day in days], datasets or
                 [{"label": _("sales"), "data": [0] * len(days)}], url=f"{url}?paid_in=30d")


def _status_chart(rows: list[dict], url: str) -> Chart:
    counts = _per_currency([{"currency": row["status"], "n": row["placed_30d"]} for row in rows], "n")
    statuses = [status for status in Order.Status if counts.get(status.value)] or list(Order.Status)
    return Chart(_("Orders by status, 30 days"), "bar", [str(status.label) for status in statuses],
                 [{"label": _("orders"), "data": [counts.get(status.value, 0) for status in statuses]}],
                 url=f"{url}?placed_in=30d")
