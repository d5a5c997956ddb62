"""The back-office home page: what needs the merchant's attention now (orders to ship, new
orders, tickets breaching their SLA, low stock, events that failed), each a link to the list
it counts. Every figure is cut to the user's businesses and role by the tenancy mechanism."""
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from .models import OutboxEvent
from .tenancy import business_ids, scope_queryset

LOW_STOCK = 5


@dataclass
class Tile:
    title: str
    count: int
    url: str
    urgent: bool = False


def _can(user, area) -> bool:
    return user.is_superuser or bool(business_ids(user, area))


def tiles_for(user) -> list[Tile]:
    from catalog.models import Product
    from orders.models import Order
    from support import selectors as tickets
    from support.models import Ticket

    tiles = []
    if _can(user, "orders"):
        orders = scope_queryset(Order.objects.all(), user, "orders")
        since = timezone.now() - timedelta(hours=24)
        url = reverse("admin:orders_order_changelist")
        tiles.append(Tile("Paid orders to ship", orders.filter(status=Order.Status.PAID).count(),
                          f"{url}?status__exact=paid", urgent=True))
        tiles.append(Tile("New orders, last 24 hours", orders.filter(created_at__gte=since).count(), url))
    if _can(user, "support"):
        queue = scope_queryset(Ticket.objects.filter(kind=Ticket.Kind.CUSTOMER), user, "support")
        url = reverse("admin:support_ticket_changelist")
        tiles.append(Tile("Tickets breaching SLA soon", tickets.breaching_soon(queue).count(),
                          f"{url}?queue=breaching", urgent=True))
        tiles.append(Tile("Unassigned tickets", tickets.unassigned(queue).count(), f"{url}?queue=unassigned"))
    if _can(user, "catalog"):
        products = scope_queryset(Product.objects.filter(is_active=True, stock_quantity__isnull=False), user, "catalog")
        low = products.filter(stock_quantity__lte=F("reserved_quantity") + LOW_STOCK).count()
        tiles.append(Tile(f"Products with {LOW_STOCK} or fewer left", low, reverse("admin:catalog_product_changelist")))
    if _can(user, "events"):
        failed = scope_queryset(OutboxEvent.objects.filter(status=OutboxEvent.Status.FAILED), user, "events").count()
        tiles.append(Tile("Notifications that failed", failed,
                          reverse("admin:shopchat_outboxevent_changelist") + "?status__exact=failed", urgent=True))
    return tiles
