"""Single products (API, back office) and the API's batch endpoint."""
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shopchat.models import Business

from .. import feeds, queries
from ..errors import InvalidProduct, ProductNotFound, StockBelowReserved
from ..models import Product
from ..queries import ProductUpsert
from ..versions import bump_catalog_version
from .upsert import MAX_BATCH_ITEMS, stock_problem, upsert, upsert_row, with_defaults

# --- single products (API, back office) ----------------------------------------------------

def save_product(*, product: Product) -> Product:
    """Save a product edited in the back office (the stock may not go below what orders hold)."""
    with transaction.atomic():
        if product.pk:
            current = Product.objects.select_for_update().filter(pk=product.pk).values_list(
                "reserved_quantity", flat=True).first() or 0
            if product.stock_quantity is not None and product.stock_quantity < current:
                raise StockBelowReserved(product.retailer_id, product.stock_quantity, current)
            product.reserved_quantity = current
        product.feed_hash = ""
        product.save()
        bump_catalog_version(product.business_id)
    return product


def put_product(*, business: Business, retailer_id: str, values: Mapping[str, Any],
                is_active: bool = True) -> tuple[Product, bool]:
    """Create the product or replace all its feed fields (stock held by orders is kept).
    Locks the product (if it exists); raises StockBelowReserved."""
    with transaction.atomic():
        current = queries.lock_products_by_retailer_id(business_id=business.pk, retailer_ids=[retailer_id]).get(
            retailer_id)
        reserved = stock_problem(values, current)
        if reserved is not None:
            raise StockBelowReserved(retailer_id, values["stock_quantity"], reserved)
        upsert(business=business, rows=[upsert_row(retailer_id, with_defaults(values), is_active)])
    return Product.objects.get(business=business, retailer_id=retailer_id), current is None


def update_product(*, business: Business, retailer_id: str, changes: Mapping[str, Any]) -> Product:
    """Change some fields of a product (price, sale price, stock, availability, active).
    Locks the product; raises ProductNotFound, InvalidProduct, StockBelowReserved."""
    with transaction.atomic():
        product = queries.lock_products_by_retailer_id(business_id=business.pk, retailer_ids=[retailer_id]).get(
            retailer_id)
        if product is None:
            raise ProductNotFound(retailer_id)
        for name, value in changes.items():
            setattr(product, name, value)
        _check_prices(product.price_minor, product.sale_price_minor)
        if product.stock_quantity is not None and product.stock_quantity < product.reserved_quantity:
            raise StockBelowReserved(retailer_id, product.stock_quantity, product.reserved_quantity)
        product.feed_hash = ""
        product.save(update_fields=[*changes, "feed_hash", "updated_at"])
        bump_catalog_version(business.pk)
    return product


def _check_prices(price: int, sale: int | None) -> None:
    if sale is not None and sale >= price:
        raise InvalidProduct({"sale_price": ["sale_price must be below price"]})


def deactivate_product(*, business: Business, retailer_id: str) -> Product:
    """Take a product off sale (it disappears from the API and the feed; orders keep it)."""
    with transaction.atomic():
        updated = Product.objects.filter(business=business, retailer_id=retailer_id).update(
            is_active=False, feed_hash="", updated_at=timezone.now())
        if not updated:
            raise ProductNotFound(retailer_id)
        bump_catalog_version(business.pk)
    return Product.objects.get(business=business, retailer_id=retailer_id)


def set_products_active(*, products: QuerySet[Product], active: bool) -> int:
    """Activate or deactivate many products at once (a back office action)."""
    with transaction.atomic():
        _bump_versions_of(products)
        return products.update(is_active=active, feed_hash="", updated_at=timezone.now())


def mark_out_of_stock(*, products: QuerySet[Product]) -> int:
    with transaction.atomic():
        _bump_versions_of(products)
        return products.update(availability=Product.Availability.OUT_OF_STOCK, feed_hash="",
                               updated_at=timezone.now())


def _bump_versions_of(products: QuerySet[Product]) -> None:
    for business_id in set(products.order_by().values_list("business_id", flat=True).distinct()):
        bump_catalog_version(business_id)


# --- batch (Meta items_batch style) --------------------------------------------------------

class BatchItemResult(TypedDict):
    index: int
    retailer_id: Any
    method: str
    status: str  # created / updated / deleted / error
    errors: dict[str, list[str]]


def apply_product_batch(*, business: Business, items: Sequence[Mapping[str, Any]]) -> list[BatchItemResult]:
    """Apply up to 5,000 CREATE / UPDATE / DELETE items in one transaction, set-based.

    CREATE creates or replaces the product; UPDATE changes the fields sent of an existing
    one; DELETE deactivates it. Each item gets its own result; a bad item does not stop the
    others. Returns [{"index", "retailer_id", "method", "status", "errors"}] in item order,
    status one of created / updated / deleted / error."""
    if len(items) > MAX_BATCH_ITEMS:
        raise InvalidProduct({"requests": [f"at most {MAX_BATCH_ITEMS} items per call"]})
    results: list[BatchItemResult] = []
    plans: list[tuple[BatchItemResult, str, str, Mapping[str, Any]]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        method = str(item.get("method", "")).upper()
        result: BatchItemResult = {"index": index, "retailer_id": item.get("retailer_id"), "method": method,
                                   "status": "error", "errors": {}}
        results.append(result)
        try:
            rid = feeds.clean_retailer_id(item.get("retailer_id"))
        except ValueError as exc:
            result["errors"] = {"retailer_id": [str(exc)]}
            continue
        if rid in seen:
            result["errors"] = {"retailer_id": ["this id appears more than once in the batch"]}
            continue
        seen.add(rid)
        plans.append((result, rid, method, item.get("data") or {}))

    with transaction.atomic():
        existing = queries.lock_products_by_retailer_id(business_id=business.pk,
                                                        retailer_ids=[rid for _, rid, _, _ in plans])
        upserts: list[ProductUpsert] = []
        deletes: list[int] = []
        for result, rid, method, data in plans:
            current = existing.get(rid)
            if method == "DELETE":
                if current is None:
                    result["errors"] = {"retailer_id": ["no such product"]}
                else:
                    deletes.append(current.pk)
                    result["status"] = "deleted"
                continue
            if method == "UPDATE" and current is None:
                result["errors"] = {"retailer_id": ["no such product; use CREATE"]}
                continue
            values, is_active, errors = feeds.clean_json_product(data, currency=business.currency,
                                                                partial=method == "UPDATE")
            if method == "UPDATE" and current is not None:
                merged = {f: getattr(current, f) for f in feeds.HASHED_FIELDS}
                merged.update(values)
                values = merged
                if is_active is None:
                    is_active = current.is_active
                sale, price = values["sale_price_minor"], values["price_minor"]
                if sale is not None and sale >= price and "sale_price" not in errors:
                    errors["sale_price"] = ["sale_price must be below price"]
            else:
                values = with_defaults(values)
            reserved = stock_problem(values, current)
            if reserved is not None:
                errors.setdefault("stock_quantity", []).append(
                    f"{values['stock_quantity']} is below the {reserved} units held by open orders")
            if errors:
                result["errors"] = errors
                continue
            upserts.append(upsert_row(rid, values, True if is_active is None else is_active))
            result["status"] = "created" if current is None else "updated"
        upsert(business=business, rows=upserts)
        if deletes:
            Product.objects.filter(pk__in=deletes).update(is_active=False, feed_hash="", updated_at=timezone.now())
            bump_catalog_version(business.pk)
    return results
