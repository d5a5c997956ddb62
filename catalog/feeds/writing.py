"""Writing products out in the feed's columns (the export and the live feed for Meta)."""
import csv
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from shopchat.money import exponent
from shopchat.spreadsheets import escape_cell

from ..models import Product
from .columns import COLUMNS
from .rules import VARIANT_FIELDS, format_price

# --- writing -------------------------------------------------------------------------------

EXPORT_FIELDS = ["retailer_id", "title", "description", "availability", "condition", "price_minor",
                 "sale_price_minor", "link", "image_link", "brand", "product_type", "stock_quantity",
                 "reserved_quantity", *VARIANT_FIELDS]


class _Echo:
    def write(self, value: str) -> str:
        return value


def feed_lines(rows: Iterable[tuple[Any, ...]], *, currency: str, delimiter: str = ",",
               for_meta: bool = False) -> Iterator[str]:
    """Yield the feed text line by line for `rows` (tuples in EXPORT_FIELDS order).

    `for_meta`: inventory is what can still be sold (on hand - reserved), and a tracked product
    with nothing left reads 'out of stock'. Otherwise inventory is the stock on hand, so an
    export imported again changes nothing.

    Not `for_meta` (an export people open in a spreadsheet): cells that would run as a formula
    are escaped (`shopchat.spreadsheets`; the import undoes it). Meta's feed is read by a machine
    and written as stored; formula-like titles are refused at import instead."""
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator="\n")
    escape: Callable[[Any], Any] = (lambda value: value) if for_meta else escape_cell
    clean: Callable[[Any], Any]
    if delimiter == "\t":
        def clean(value: Any) -> Any:
            return escape(str(value).replace("\t", " ").replace("\r", " ").replace("\n", " "))
    else:
        def clean(value: Any) -> Any:
            return escape(value)
    yield writer.writerow(COLUMNS)
    for (retailer_id, title, description, availability, condition, price, sale, link, image, brand, ptype,
         stock, reserved, *variant) in rows:
        inventory = stock
        if for_meta and stock is not None:
            inventory = max(stock - reserved, 0)
            if inventory == 0 and availability == Product.Availability.IN_STOCK:
                availability = Product.Availability.OUT_OF_STOCK
        yield writer.writerow([clean(v) for v in (
            retailer_id, title, description, availability, condition, format_price(price, currency),
            format_price(sale, currency), link, image, brand, ptype, "" if inventory is None else inventory,
            *variant,
        )])


def minor_bounds(amount: Decimal | int | str, currency: str, *, upper: bool) -> int:
    """A Decimal price bound in the major unit -> minor units (clamped to a safe range)."""
    from decimal import ROUND_CEILING, ROUND_FLOOR

    amount = Decimal(amount)
    if abs(amount) > 10**15:
        amount = Decimal(10**15).copy_sign(amount)
    scaled = amount.scaleb(exponent(currency))
    value = int(scaled.to_integral_value(rounding=ROUND_FLOOR if upper else ROUND_CEILING))
    return max(min(value, 10**17), -(10**17))
