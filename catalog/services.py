"""Every catalog write: feed import and export, product upserts from the API and its batch
endpoint, the back office's bulk actions, and the secret feed token.

Writes are set-based: rows are upserted in batches with one INSERT ... ON CONFLICT DO UPDATE
(on PostgreSQL a trigger fills the search document in the same statement, see migration 0002),
and unchanged feed rows (same `feed_hash`) are not written at all. Stock held by open orders
(`reserved_quantity`) is never touched here; a write that would put the stock on hand below it
is refused for that product (the database CHECK would refuse it too), after locking the
products in primary-key order, the same order the order placement locks them in.
"""
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, TypedDict

from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from shopchat import sql
from shopchat.models import Business, new_feed_token

from . import feeds, queries
from .errors import InvalidProduct, ProductNotFound, StockBelowReserved
from .feeds import CleanRow, FeedError, RowError
from .models import Collection, CollectionProduct, ImportJob, Product
from .queries import ImportState, ProductUpsert

log = logging.getLogger("shopchat.catalog")

BATCH_SIZE = 2000
MAX_BATCH_ITEMS = 5000
ANALYZE_AFTER_ROWS = 10_000
UPSERT_FIELDS = feeds.HASHED_FIELDS + ["is_active", "feed_hash", "updated_at"]


# --- the set-based core --------------------------------------------------------------------

def _upsert_row(retailer_id: str, values: Mapping[str, Any], is_active: bool) -> ProductUpsert:
    return ProductUpsert(retailer_id, values, is_active, feeds.feed_hash(values) if is_active else "")


def _upsert(*, business: Business, rows: Sequence[ProductUpsert]) -> dict[str, int]:
    """INSERT ... ON CONFLICT (business, retailer_id) DO UPDATE for `rows`; reserved stock and
    created_at are kept. On PostgreSQL through COPY (`queries.upsert_products_by_copy`).
    Returns {retailer_id: pk} of the rows written."""
    if not rows:
        return {}
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


def _with_defaults(values: Mapping[str, Any]) -> dict[str, Any]:
    """A full set of feed fields: what a create or a replace leaves out is emptied."""
    full: dict[str, Any] = {f: None if f in ("sale_price_minor", "stock_quantity") else "" for f in feeds.HASHED_FIELDS}
    full.update(availability=Product.Availability.IN_STOCK, condition=Product.Condition.NEW)
    full.update(values)
    return full


def _stock_problem(values: Mapping[str, Any], existing: Product | ImportState | None) -> int | None:
    stock = values.get("stock_quantity")
    if existing is not None and stock is not None and stock < existing.reserved_quantity:
        return existing.reserved_quantity
    return None


# --- feed import ---------------------------------------------------------------------------

@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors})

    def summary(self) -> str:
        return (f"{self.rows} rows: {self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.rejected} rejected" + (f", {self.deactivated} deactivated" if self.deactivated else ""))


def import_feed(*, business: Business, source: IO[bytes], create_collections: bool = False,
                deactivate_missing: bool = False, progress: Callable[[ImportResult], object] | None = None,
                on_estimate: Callable[[int], object] | None = None, batch_size: int = BATCH_SIZE) -> ImportResult:
    """Import a CSV or TSV feed (a binary file object) into the business's catalog.

    Upserts by `id`; each broken row is left out and reported (row, column, reason); every
    other row is imported. A file that is not a feed raises FeedError before anything is
    written. Rows are streamed and written in batches of `batch_size`, one transaction each,
    so a 50,000-row file neither holds the file in memory nor locks the catalog for long;
    `progress(result)` is called after each batch. Running it again is harmless: unchanged
    rows are skipped, so an import is idempotent. With `deactivate_missing` the file is the
    whole catalog: active products whose id is not in it are taken off sale (a rejected row
    still counts as present, so a typo never takes a product down).
    """
    stats = feeds.inspect_file(source)
    if on_estimate:
        on_estimate(stats.estimated_rows)
    result = ImportResult()
    collection_ids: dict[str, int | None] = {}
    present_ids: set[str] | None = set() if deactivate_missing else None
    rows = feeds.read_rows(source, currency=business.currency, delimiter=stats.delimiter, errors=result.errors,
                           present_ids=present_ids)
    for batch in feeds.batched(rows, batch_size):
        with transaction.atomic():
            _import_batch(business, batch, result, create_collections, collection_ids)
        result.rows = batch[-1].row
        if progress:
            progress(result)
    if present_ids:
        result.deactivated = _deactivate_missing(business, present_ids)
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        result.rows = max(result.rows, result.errors[-1].row)
    if result.created + result.updated >= ANALYZE_AFTER_ROWS:
        queries.refresh_search_statistics()
    return result


def _deactivate_missing(business: Business, present_ids: set[str]) -> int:
    """Deactivate the business's active products whose id is not in `present_ids`, in batches."""
    active = Product.objects.filter(business=business, is_active=True).values_list("pk", "retailer_id")
    missing = [pk for pk, rid in active.iterator(chunk_size=BATCH_SIZE) if rid not in present_ids]
    for start in range(0, len(missing), BATCH_SIZE):
        with transaction.atomic():
            Product.objects.filter(pk__in=missing[start:start + BATCH_SIZE]).update(
                is_active=False, feed_hash="", updated_at=timezone.now())
    return len(missing)


def _import_batch(business: Business, batch: Sequence[CleanRow], result: ImportResult, create_collections: bool,
                  collection_ids: dict[str, int | None]) -> None:
    states = queries.lock_import_states(business_id=business.pk, retailer_ids=[r.retailer_id for r in batch])
    existing = {state.retailer_id: state for state in states}
    to_write: list[CleanRow] = []
    ids: dict[str, int] = {}
    for row in batch:
        current = existing.get(row.retailer_id)
        reserved = _stock_problem(row.values, current)
        if reserved is not None:
            result.errors.append(RowError(
                row.row, "inventory",
                f"inventory {row.values['stock_quantity']} is below the {reserved} units held by open orders"))
            continue
        if current is not None and current.is_active and current.feed_hash == row.feed_hash:
            result.unchanged += 1
            ids[row.retailer_id] = current.id
            continue
        to_write.append(row)
        if current is None:
            result.created += 1
        else:
            result.updated += 1
    # A feed row's digest was taken when it was read (`feeds.read_rows`): it is the one written.
    ids.update(_upsert(business=business, rows=[ProductUpsert(r.retailer_id, r.values, True, r.feed_hash)
                                                for r in to_write]))
    if create_collections:
        _add_to_collections(business, [r for r in batch if r.retailer_id in ids], ids, collection_ids)


def _add_to_collections(business: Business, rows: Sequence[CleanRow], ids: Mapping[str, int],
                        collection_ids: dict[str, int | None]) -> None:
    """Put each row's product in the collection named after its product_type (set-based)."""
    wanted: set[str] = {ptype for r in rows if (ptype := r.values.get("product_type"))} - set(collection_ids)
    if wanted:
        slugs: dict[str, str] = {}
        for name in sorted(wanted):
            slug = (slugify(name) or "collection")[:200]
            slugs.setdefault(slug, name)
        Collection.objects.bulk_create(
            [Collection(business=business, name=name[:200], slug=slug) for slug, name in slugs.items()],
            ignore_conflicts=True,
        )
        by_slug = dict(Collection.objects.filter(business=business, slug__in=list(slugs)).values_list("slug", "pk"))
        for name in wanted:
            collection_ids[name] = by_slug.get((slugify(name) or "collection")[:200])
    entries = [
        CollectionProduct(collection_id=collection_id, product_id=ids[r.retailer_id])
        for r in rows if (collection_id := collection_ids.get(r.values.get("product_type") or ""))
    ]
    CollectionProduct.objects.bulk_create(entries, ignore_conflicts=True)


def start_import(*, business: Business, upload: File, user: User | None = None, create_collections: bool = False,
                 deactivate_missing: bool = False) -> ImportJob:
    """Store an uploaded feed and queue its import (the Celery task runs after the commit)."""
    from .tasks import run_import

    with transaction.atomic():
        job = ImportJob(business=business, created_by=user, create_collections=create_collections,
                        deactivate_missing=deactivate_missing, filename=getattr(upload, "name", "")[:255])
        job.file.save(f"{business.slug}.csv", upload, save=False)
        job.save()
        transaction.on_commit(lambda: run_import.delay(job.pk))
    return job


def run_import_job(*, job_id: int) -> ImportJob:
    """Run a queued import once (a finished job is left alone, so a repeated task is harmless;
    a job interrupted half-way runs again from the start, which the upsert makes safe)."""
    job = ImportJob.objects.select_related("business").get(pk=job_id)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job
    jobs = ImportJob.objects.filter(pk=job.pk)
    jobs.update(status=ImportJob.Status.RUNNING, started_at=timezone.now(), processed_rows=0)

    def progress(result: ImportResult) -> None:
        jobs.update(processed_rows=result.rows, created_count=result.created, updated_count=result.updated,
                    unchanged_count=result.unchanged, rejected_count=result.rejected)

    try:
        with job.file.open("rb") as source:
            result = import_feed(business=job.business, source=source, create_collections=job.create_collections,
                                 deactivate_missing=job.deactivate_missing, progress=progress,
                                 on_estimate=lambda n: jobs.update(total_rows=n))
    except FeedError as exc:
        jobs.update(status=ImportJob.Status.FAILED, message=str(exc), finished_at=timezone.now())
    except Exception:
        log.exception("catalog import %s failed", job.pk)
        jobs.update(status=ImportJob.Status.FAILED, finished_at=timezone.now(),
                    message="The import stopped on an unexpected error; it has been logged. Rows already "
                            "imported stay; upload the file again to finish.")
    else:
        jobs.update(
            status=ImportJob.Status.DONE, finished_at=timezone.now(), total_rows=result.rows,
            processed_rows=result.rows, created_count=result.created, updated_count=result.updated,
            unchanged_count=result.unchanged, rejected_count=result.rejected, deactivated_count=result.deactivated,
            errors=[e.as_list() for e in result.errors],
        )
    job.refresh_from_db()
    return job


def purge_import_files(*, older_than_days: int = 30) -> int:
    """Delete the uploaded files of imports finished more than `older_than_days` ago (the job,
    its counts and its row errors stay). Returns how many files were removed."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(days=older_than_days)
    jobs = list(ImportJob.objects.filter(finished_at__lt=cutoff).exclude(file="").values_list("pk", "file"))
    storage = ImportJob._meta.get_field("file").storage
    for _, name in jobs:
        storage.delete(name)
    ImportJob.objects.filter(pk__in=[pk for pk, _ in jobs]).update(file="")
    return len(jobs)


# --- export and the feed for Meta ----------------------------------------------------------

def export_feed(*, business: Business, delimiter: str = ",", for_meta: bool = False,
                queryset: QuerySet[Product] | None = None) -> Iterator[str]:
    """The business's active products as feed lines (a generator: streamed, 2,000 rows at a
    time). Imported again, an export (not `for_meta`) changes nothing."""
    qs = queryset if queryset is not None else Product.objects.all()
    rows = (qs.filter(business=business, is_active=True).order_by("pk")
            .values_list(*feeds.EXPORT_FIELDS).iterator(chunk_size=BATCH_SIZE))
    return feeds.feed_lines(rows, currency=business.currency, delimiter=delimiter, for_meta=for_meta)


def rotate_feed_token(*, business: Business) -> str:
    """A new secret for the public feed URL; the old URL answers 404 from now on."""
    token = new_feed_token()
    with transaction.atomic():
        Business.objects.filter(pk=business.pk).update(feed_token=token)
    business.feed_token = token
    return token


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
    return product


def put_product(*, business: Business, retailer_id: str, values: Mapping[str, Any],
                is_active: bool = True) -> tuple[Product, bool]:
    """Create the product or replace all its feed fields (stock held by orders is kept).
    Locks the product (if it exists); raises StockBelowReserved."""
    with transaction.atomic():
        current = queries.lock_products_by_retailer_id(business_id=business.pk, retailer_ids=[retailer_id]).get(
            retailer_id)
        reserved = _stock_problem(values, current)
        if reserved is not None:
            raise StockBelowReserved(retailer_id, values["stock_quantity"], reserved)
        _upsert(business=business, rows=[_upsert_row(retailer_id, _with_defaults(values), is_active)])
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
    return Product.objects.get(business=business, retailer_id=retailer_id)


def set_products_active(*, products: QuerySet[Product], active: bool) -> int:
    """Activate or deactivate many products at once (a back office action)."""
    with transaction.atomic():
        return products.update(is_active=active, feed_hash="", updated_at=timezone.now())


def mark_out_of_stock(*, products: QuerySet[Product]) -> int:
    with transaction.atomic():
        return products.update(availability=Product.Availability.OUT_OF_STOCK, feed_hash="",
                               updated_at=timezone.now())


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
                values = _with_defaults(values)
            reserved = _stock_problem(values, current)
            if reserved is not None:
                errors.setdefault("stock_quantity", []).append(
                    f"{values['stock_quantity']} is below the {reserved} units held by open orders")
            if errors:
                result["errors"] = errors
                continue
            upserts.append(_upsert_row(rid, values, True if is_active is None else is_active))
            result["status"] = "created" if current is None else "updated"
        _upsert(business=business, rows=upserts)
        if deletes:
            Product.objects.filter(pk__in=deletes).update(is_active=False, feed_hash="", updated_at=timezone.now())
    return results
