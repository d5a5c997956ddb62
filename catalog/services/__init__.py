"""Every catalog write: feed import and export, product upserts from the API and its batch
endpoint, the back office's bulk actions, and the secret feed token.

Writes are set-based: rows are upserted in batches with one INSERT ... ON CONFLICT DO UPDATE
(on PostgreSQL a trigger fills the search document in the same statement, see migration 0002),
and unchanged feed rows (same `feed_hash`) are not written at all. Stock held by open orders
(`reserved_quantity`) is never touched here; a write that would put the stock on hand below it
is refused for that product (the database CHECK would refuse it too), after locking the
products in primary-key order, the same order the order placement locks them in.
"""
from .exports import export_feed, rotate_feed_token
from .imports import ImportResult, import_feed, purge_import_files, run_import_job, start_import
from .products import (
    BatchItemResult,
    apply_product_batch,
    deactivate_product,
    mark_out_of_stock,
    put_product,
    save_product,
    set_products_active,
    update_product,
)
from .upsert import BATCH_SIZE, MAX_BATCH_ITEMS

__all__ = [
    "BATCH_SIZE", "MAX_BATCH_ITEMS", "BatchItemResult", "ImportResult", "apply_product_batch", "deactivate_product",
    "export_feed", "import_feed", "mark_out_of_stock", "purge_import_files", "put_product", "rotate_feed_token",
    "run_import_job", "save_product", "set_products_active", "start_import", "update_product",
]
