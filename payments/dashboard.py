"""Payments' tile on the back-office home page: money refunded in the last 30 days against the 30
before (one aggregate query), linking to the refunds made in that window."""
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopchat.dashboard import SALES, Period, Tile, change
from shopchat.money import label
from shopchat.tenancy import scope_queryset

from .models import Refund


def refund_tiles(user: Any, period: Period) -> list[Tile]:
    start = period.days_ago(30)
    rows = list(scope_queryset(Refund.objects.all(), user, "payments")
                .filter(created_at__gte=start - timedelta(days=30)).values("currency").annotate(
                    now=Sum("amount_minor", filter=Q(created_at__gte=start)),
                    before=Sum("amount_minor", filter=Q(created_at__lt=start)),
                    count=Count("pk", filter=Q(created_at__gte=start))).order_by("currency"))
    shown = " · ".join(label(row["now"], row["currency"]) for row in rows if row["now"]) or "0"
    count = sum(row["count"] for row in rows)
    url = reverse("admin:payments_refund_changelist") + "?" + urlencode({"created_at__gte": start.isoformat()})
    return [Tile(_("Refunds, 30 days"), count, url, value=shown,
                 change=change(sum(r["now"] or 0 for r in rows), sum(r["before"] or 0 for r in rows))
                 if len(rows) <= 1 else None,
                 note=_("%(count)s refunds") % {"count": count}, group=SALES)]
