"""The set-based core of every catalog write: rows upserted in batches, stock checked
against what open orders hold."""
from collections.abc import Mapping, Sequence
from typing import Any

from shopchat import sql
from shopchat.models import Business

from .. import feeds, queries
from ..models import Product
from ..queries import ImportState, ProductUpsert
from ..versions import bump_catalog_version

BATCH_SIZE = 2000
MAX_BATCH_ITEMS = 5000
ANALYZE_AFTER_ROWS = 10_000
UPSERT_FIELDS = feeds.HASHED_FIELDS + ["is_active", "feed_hash", "updated_at"]





def upsert_row(retailer_id: str, values: Mapping[str, Any], is_active: bool) -> ProductUpsert:
    return ProductUpsert(retailer_id, values, is_active, feeds.feed_hash(values) if is_active else "")


def upsert(*, business: Business, rows: Sequence[ProductUpsert]) -> dict[str, int]:
    """INSERT ... ON CONFLICT (business, retailer_id) DO UPDATE for `rows`; reserved stock and
    created_at are kept. On PostgreSQL through COPY (`queries.upsert_products_by_copy`).
    Returns {retailer_id: pk} of the rows written."""
    if not rows:
        return {}
    bump_catalog_version(business.pk)
    if sql.is_postgres():
        return {w.retailer_id: w.id for w in queries.upsert_products_by_copy(business_id=business.pk, rows=rows)}
    objs = [
        Product(business=business, retailer_id=row.retailer_id, is_active=row.is_active, feed_hash=row.feed_hash,
                **row.values)
        for row in rows
    ]
    Product.objects.bulk_create(objs, batch_size=BATCH_SIZE, update_conflicts=True,
                                unique_fields=["business", "retailer_id"], update_fields=UPSERT_FIELDS)
    return {o.retailer_id: o.pk for o in objs}


def with_defaults(values: Mapping[str, Any]) -> dict[str, Any]:
    """A full set of feed fields: what a create or a replace leaves out is emptied."""
    full: dict[str, Any] = {f: None if f in ("sale_price_minor", "stock_quantity") else "" for f in feeds.HASHED_FIELDS}
    full.update(availability=Product.Availability.IN_STOCK, condition=Product.Condition.NEW)
    full.update(values)
    return full


def stock_problem(values: Mapping[str, Any], existing: Product | ImportState | None) -> int | None:
    stock = values.get("stock_quantity")
    if existing is not None and stock is not None and stock < existing.reserved_quantity:
        return existing.reserved_quantity
    return None
