"""The catalog's hand-written statements: the locks its writes take on products, the feed
upsert through COPY, and the maintenance and estimates PostgreSQL is asked for. Built with the
kernel's SQL toolkit (`shopchat.sql`); answers are typed rows or model instances.

Every lock here is taken in primary-key order, the order the order placement locks products in,
so a catalog write and a placement never deadlock."""
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, QuerySet

from shopchat import sql

from .feeds import HASHED_FIELDS
from .models import Product

# The GIN index over the search document (migration 0002).
SEARCH_INDEX = "product_search_vector_gin"
# What the COPY upsert writes of each row, in this order; the columns of the temporary table.
COPY_FIELDS = ["retailer_id", *HASHED_FIELDS, "is_active", "feed_hash"]
COPY_TYPES = {"price_minor": "bigint", "sale_price_minor": "bigint", "stock_quantity": "integer",
              "is_active": "boolean"}
COPY_TABLE = "catalog_product_upsert"
# Every field a locked product is loaded with: all but the search document, which no write reads.
LOCKED_FIELDS = [f.name for f in Product._meta.concrete_fields if f.name != "search_vector"]


@dataclass(frozen=True, slots=True)
class ProductUpsert:
    """One product to create or overwrite: every feed field (`feeds.HASHED_FIELDS`) in `values`,
    and the digest of them (`feeds.feed_hash`, "" for an inactive product)."""

    retailer_id: str
    values: Mapping[str, Any]
    is_active: bool
    feed_hash: str


@dataclass(frozen=True, slots=True)
class WrittenProduct:
    """A row the upsert created or overwrote."""

    retailer_id: str
    id: int


@dataclass(frozen=True, slots=True)
class ImportState:
    """What a feed import needs to know of an existing product: whether the row changed
    (`feed_hash`, `is_active`) and the stock its new inventory may not go below."""

    retailer_id: str
    id: int
    reserved_quantity: int
    feed_hash: str
    is_active: bool


def _business_products(retailer_ids: Sequence[str]) -> str:
    return (f"{sql.column(Product, 'business')} = %s "
            f"AND {sql.column(Product, 'retailer_id')} IN ({sql.placeholders(len(retailer_ids))})")


def lock_products_by_retailer_id(*, business_id: int, retailer_ids: Sequence[str]) -> dict[str, Product]:
    """The business's products with these retailer ids, locked FOR UPDATE in primary-key order,
    by retailer id (every field loaded but the search document)."""
    if not retailer_ids:
        return {}
    products = sql.select_models(Product, LOCKED_FIELDS, _business_products(retailer_ids),
                                 [business_id, *retailer_ids], lock=sql.Lock.UPDATE)
    return {p.retailer_id: p for p in products}


def lock_import_states(*, business_id: int, retailer_ids: Sequence[str]) -> list[ImportState]:
    """The import state of the business's products with these retailer ids, locked FOR UPDATE in
    primary-key order (a feed batch holds them until it has written its rows)."""
    if not retailer_ids:
        return []
    c = sql.column
    return sql.fetch_all(
        ImportState,
        f"SELECT {c(Product, 'retailer_id')} AS retailer_id, {c(Product, 'id')} AS id, "
        f"{c(Product, 'reserved_quantity')} AS reserved_quantity, {c(Product, 'feed_hash')} AS feed_hash, "
        f"{c(Product, 'is_active')} AS is_active FROM {sql.table(Product)} WHERE {_business_products(retailer_ids)} "
        f"ORDER BY {c(Product, 'id')}" + sql.locking(sql.Lock.UPDATE),
        [business_id, *retailer_ids],
    )


def upsert_products_by_copy(*, business_id: int, rows: Iterable[ProductUpsert]) -> list[WrittenProduct]:
    """PostgreSQL: create or overwrite the business's products `rows` by retailer id, streamed
    through COPY into a temporary table and applied with one INSERT ... SELECT ... ON CONFLICT
    (several times faster than a VALUES list of tens of thousands of parameters). Reserved stock
    and `created_at` are kept; the search document is filled by the trigger (migration 0002)."""
    c, tmp = sql.column, sql.quote(COPY_TABLE)
    columns = ", ".join(c(Product, f) for f in COPY_FIELDS)
    updated_at = c(Product, "updated_at")
    updates = ", ".join(f"{c(Product, f)} = EXCLUDED.{c(Product, f)}" for f in COPY_FIELDS if f != "retailer_id")
    # One transaction, and the table dropped at its commit: behind PgBouncer in transaction mode
    # the next transaction may run on another server connection, so nothing may outlive it (a
    # session-level temporary table would be missing there, or left behind for another client).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {tmp} ("
            + ", ".join(f"{c(Product, f)} {COPY_TYPES.get(f, 'text')}" for f in COPY_FIELDS)
            + ") ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY {tmp} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = row.values
                copy.write_row([row.retailer_id, *(values[f] for f in HASHED_FIELDS), row.is_active, row.feed_hash])
        written = sql.fetch_all(
            WrittenProduct,
            f"INSERT INTO {sql.table(Product)} ({c(Product, 'business')}, {columns}, "
            f"{c(Product, 'reserved_quantity')}, {c(Product, 'created_at')}, {updated_at}) "
            f"SELECT %s, {columns}, 0, now(), now() FROM {tmp} "
            f"ON CONFLICT ({c(Product, 'business')}, {c(Product, 'retailer_id')}) "
            f"DO UPDATE SET {updates}, {updated_at} = EXCLUDED.{updated_at} "
            f"RETURNING {c(Product, 'retailer_id')} AS retailer_id, {c(Product, 'id')} AS id",
            [business_id],
        )
        sql.Statement(f"TRUNCATE {tmp}").run()  # the next batch of the same transaction starts empty
    return written


def refresh_search_statistics() -> None:
    """PostgreSQL: fresh planner statistics of the products and the search index's pending list
    merged, so searches use the index well right after a big import instead of waiting for
    autovacuum. Nothing to do on other databases."""
    if not sql.is_postgres():
        return
    sql.Statement(f"ANALYZE {sql.table(Product)}").run()
    sql.fetch_value("SELECT gin_clean_pending_list(%s::regclass)", [SEARCH_INDEX])


def planned_rows(queryset: QuerySet[Model]) -> int | None:
    """PostgreSQL: the planner's estimate of how many rows `queryset` answers (EXPLAIN, nothing
    run); None on other databases, which estimate nothing."""
    if not sql.is_postgres():
        return None
    statement, params = queryset.query.sql_with_params()
    plan = sql.fetch_value("EXPLAIN (FORMAT JSON) " + statement, params)
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
