"""Catalog's tile on the back-office home page."""
from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopchat.dashboard import Period, Tile
from shopchat.tenancy import scope_queryset

from .models import Product

LOW_STOCK = 5


def stock_tiles(user: Any, period: Period) -> list[Tile]:
    """Products with 1 to LOW_STOCK units left after reservations: the list's "stock: low" filter."""
    products = scope_queryset(Product.objects.filter(is_active=True, stock_quantity__isnull=False), user, "catalog")
    low = products.alias(left=F("stock_quantity") - F("reserved_quantity")).filter(
        left__gt=0, left__lte=LOW_STOCK).count()
    return [Tile(_("Products with %(count)s or fewer left") % {"count": LOW_STOCK}, low,
                 reverse("admin:catalog_product_changelist") + "?stock=low&is_active__exact=1")]
