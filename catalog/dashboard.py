"""Catalog's tile on the back-office home page."""
from typing import Any

from django.db.models import F
from django.urls import reverse

from shopchat.dashboard import Tile
from shopchat.tenancy import scope_queryset

from .models import Product

LOW_STOCK = 5


def stock_tiles(user: Any) -> list[Tile]:
    products = scope_queryset(Product.objects.filter(is_active=True, stock_quantity__isnull=False), user, "catalog")
    low = products.filter(stock_quantity__lte=F("reserved_quantity") + LOW_STOCK).count()
    return [Tile(f"Products with {LOW_STOCK} or fewer left", low, reverse("admin:catalog_product_changelist"))]
