"""Orders' tiles on the back-office home page."""
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from shopchat.dashboard import Tile
from shopchat.tenancy import scope_queryset

from .models import Order


def order_tiles(user: Any) -> list[Tile]:
    orders = scope_queryset(Order.objects.all(), user, "orders")
    since = timezone.now() - timedelta(hours=24)
    url = reverse("admin:orders_order_changelist")
    return [
        Tile("Paid orders to ship", orders.filter(status=Order.Status.PAID).count(), f"{url}?status__exact=paid",
             urgent=True),
        Tile("New orders, last 24 hours", orders.filter(created_at__gte=since).count(), url),
    ]
