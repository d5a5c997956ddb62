"""The commerce data-feed format (CSV or TSV): reading rows as a stream, checking each one,
and writing products back out in the same columns.

One set of field rules (`clean_product`) serves the feed import, the API's writes and the
batch endpoint, so a price refused in a file is refused in JSON for the same reason.
Reading never holds the whole file: rows are checked one by one and handed out in batches.

- `columns`: the columns, their limits, and what a read reports (RowError, CleanRow);
- `rules`: the field rules;
- `reading`: sniffing a file and reading its rows;
- `writing`: the export and the live feed.
"""
from .columns import (
    COLUMNS,
    MAX_BRAND,
    MAX_COLOR,
    MAX_DESCRIPTION,
    MAX_GROUP_ID,
    MAX_INVENTORY,
    MAX_MATERIAL,
    MAX_PATTERN,
    MAX_SIZE,
    MAX_TITLE,
    MAX_TYPE,
    MAX_URL,
    CleanRow,
    FeedError,
    RowError,
)
from .reading import FeedStats, batched, inspect_file, read_rows
from .rules import (
    HASHED_FIELDS,
    VARIANT_FIELDS,
    clean_item_group_id,
    clean_json_product,
    clean_product,
    clean_retailer_id,
    clean_url,
    feed_hash,
    format_price,
    parse_price,
)
from .writing import EXPORT_FIELDS, feed_lines, minor_bounds

__all__ = [
    "COLUMNS", "EXPORT_FIELDS", "HASHED_FIELDS", "MAX_BRAND", "MAX_COLOR", "MAX_DESCRIPTION", "MAX_GROUP_ID",
    "MAX_INVENTORY", "MAX_MATERIAL", "MAX_PATTERN", "MAX_SIZE", "MAX_TITLE", "MAX_TYPE", "MAX_URL", "VARIANT_FIELDS",
    "CleanRow", "FeedError", "FeedStats", "RowError", "batched", "clean_item_group_id", "clean_json_product",
    "clean_product", "clean_retailer_id", "clean_url", "feed_hash", "feed_lines", "format_price", "inspect_file",
    "minor_bounds", "parse_price", "read_rows",
]
