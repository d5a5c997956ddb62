"""The commerce data-feed format (CSV or TSV): reading rows as a stream, checking each one,
and writing products back out in the same columns.

One set of field rules (`clean_product`) serves the feed import, the API's writes and the
batch endpoint, so a price refused in a file is refused in JSON for the same reason.
Reading never holds the whole file: rows are checked one by one and handed out in batches.
"""
import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, TypeVar

from shopchat.money import MoneyError, exponent, format_major, to_minor

from .models import Product

COLUMNS = ["id", "title", "description", "availability", "condition", "price", "sale_price", "link",
           "image_link", "brand", "product_type", "inventory"]
REQUIRED_COLUMNS = ("id", "title", "price")
# Meta's feed files sometimes carry Google Merchant style names.
COLUMN_ALIASES = {"g:id": "id", "quantity_to_sell_on_facebook": "inventory", "quantity": "inventory"}
AVAILABILITY = {value for value, _ in Product.Availability.choices}
CONDITIONS = {value for value, _ in Product.Condition.choices}
RETAILER_ID_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
PRICE_RE = re.compile(r"^\s*(?P<amount>[^\s]+)\s*(?P<currency>[A-Za-z]{3})?\s*$")
MAX_TITLE, MAX_DESCRIPTION, MAX_BRAND, MAX_TYPE, MAX_URL = 200, 9999, 100, 255, 500
MAX_INVENTORY = 2_147_483_647
SNIFF_BYTES = 64 * 1024


class FeedError(ValueError):
    """The file as a whole is not a readable catalog feed; nothing was imported."""


@dataclass
class RowError:
    row: int          # data row number: 1 is the first row after the header
    column: str
    reason: str

    def as_list(self) -> list[int | str]:
        return [self.row, self.column, self.reason]


@dataclass
class CleanRow:
    row: int
    retailer_id: str
    values: dict[str, Any]  # model field -> value, everything a feed row sets
    feed_hash: str = field(default="")


# --- field rules ---------------------------------------------------------------------------

def _text(raw: object) -> str:
    return "" if raw is None else str(raw).strip()


def parse_price(raw: object, currency: str) -> int:
    """'12.50 INR' (or '12.50' in the business currency) -> 1250; ValueError with the reason."""
    text = _text(raw)
    if not text:
        raise ValueError("price is missing")
    match = PRICE_RE.match(text)
    if not match:
        raise ValueError(f"'{text[:40]}' is not a price like '12.50 {currency}'")
    given = (match["currency"] or currency).upper()
    if given != currency:
        raise ValueError(f"currency {given} differs from the business currency {currency}")
    try:
        minor = to_minor(match["amount"], currency)
    except MoneyError:
        raise ValueError(f"'{match['amount'][:40]}' is not a number (write '12.50 {currency}')") from None
    if minor < 0:
        raise ValueError("price must not be negative")
    if minor > 10**15:
        raise ValueError("price is too large")
    return minor


def format_price(minor: int | None, currency: str) -> str:
    return "" if minor is None else f"{format_major(minor, currency)} {currency}"


URL_RE = re.compile(r"^https?://[^\s/?#@]+(?:[/?#]\S*)?$", re.IGNORECASE)


def _url(raw: object, column: str) -> str:
    text = _text(raw)
    if not text:
        return ""
    if len(text) > MAX_URL:
        raise ValueError(f"{column} is longer than {MAX_URL} characters")
    if not URL_RE.match(text):
        raise ValueError(f"{column} must be an http:// or https:// address")
    return text


def _choice(raw: object, allowed: set[str], default: str, column: str) -> str:
    text = _text(raw).lower().replace("_", " ")
    if not text:
        return default
    if text not in allowed:
        raise ValueError(f"unknown {column} '{_text(raw)[:40]}'; use one of: {', '.join(sorted(allowed))}")
    return text


def _inventory(raw: object) -> int | None:
    text = _text(raw)
    if not text:
        return None
    if not re.fullmatch(r"[+-]?\d{1,10}", text):
        raise ValueError(f"inventory '{text[:40]}' is not a whole number")
    value = int(text)
    if value < 0:
        raise ValueError("inventory must not be negative")
    if value > MAX_INVENTORY:
        raise ValueError("inventory is too large")
    return value


def clean_retailer_id(raw: object) -> str:
    text = _text(raw)
    if not text:
        raise ValueError("id is empty")
    if not RETAILER_ID_RE.match(text):
        raise ValueError("id must be 1 to 100 characters of letters, digits, '_', '.', '-'")
    return text


def clean_product(raw: dict[str, str], *, currency: str,
                  partial: bool = False) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Check the feed columns in `raw` (strings) and turn them into Product field values.

    Returns (values, errors) where errors are (column, reason) pairs. With `partial`, only
    the columns present in `raw` are checked and returned (a PATCH or an UPDATE item)."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    get = raw.get
    for column, rule in RULES:
        if partial and column not in raw:
            continue
        try:
            attr, value = rule(get(column), currency)
        except ValueError as exc:
            errors.append((column, str(exc)))
        else:
            values[attr] = value
    sale, full = values.get("sale_price_minor"), values.get("price_minor")
    if sale is not None and full is not None and sale >= full:
        errors.append(("sale_price", "sale_price must be below price"))
        values.pop("sale_price_minor")
    return values, errors


# A field rule: the raw cell and the business currency -> (model field, value), or ValueError.
Rule = Callable[[Any, str], tuple[str, Any]]


def _title(raw: object, currency: str) -> tuple[str, str]:
    text = _text(raw)
    if not text:
        raise ValueError("title is missing")
    if len(text) > MAX_TITLE:
        raise ValueError(f"title is longer than {MAX_TITLE} characters ({len(text)})")
    return "title", text


def _limited(column: str, limit: int, attr: str | None = None) -> Rule:
    def rule(raw: object, currency: str) -> tuple[str, str]:
        text = _text(raw)
        if len(text) > limit:
            raise ValueError(f"{column} is longer than {limit} characters")
        return attr or column, text
    return rule


def _sale_price(raw: object, currency: str) -> tuple[str, int | None]:
    text = _text(raw)
    return "sale_price_minor", (parse_price(text, currency) if text else None)


RULES: list[tuple[str, Rule]] = [
    ("title", _title),
    ("description", _limited("description", MAX_DESCRIPTION)),
    ("availability", lambda raw, c: ("availability", _choice(raw, AVAILABILITY, Product.Availability.IN_STOCK,
                                                             "availability"))),
    ("condition", lambda raw, c: ("condition", _choice(raw, CONDITIONS, Product.Condition.NEW, "condition"))),
    ("price", lambda raw, c: ("price_minor", parse_price(raw, c))),
    ("sale_price", _sale_price),
    ("link", lambda raw, c: ("link", _url(raw, "link"))),
    ("image_link", lambda raw, c: ("image_link", _url(raw, "image_link"))),
    ("brand", _limited("brand", MAX_BRAND)),
    ("product_type", _limited("product_type", MAX_TYPE)),
    ("inventory", lambda raw, c: ("stock_quantity", _inventory(raw))),
]


HASHED_FIELDS = ["title", "description", "availability", "condition", "price_minor", "sale_price_minor", "link",
                 "image_link", "brand", "product_type", "stock_quantity"]


def feed_hash(values: Mapping[str, Any]) -> str:
    """Digest of everything a feed row sets (plus being active): equal digests, nothing to write."""
    text = "\x1f".join("" if values.get(f) is None else str(values[f]) for f in HASHED_FIELDS)
    return hashlib.blake2b(("1\x1f" + text).encode(), digest_size=16).hexdigest()


JSON_TO_FEED = {"stock_quantity": "inventory"}
FEED_TO_JSON = {"inventory": "stock_quantity"}
JSON_TEXT_FIELDS = ("title", "description", "availability", "condition", "link", "image_link", "brand",
                    "product_type")


def clean_json_product(data: object, *, currency: str,
                       partial: bool = False) -> tuple[dict[str, Any], bool | None, dict[str, list[str]]]:
    """An API body (`price` "12.50" beside an optional `currency`, `stock_quantity` an integer
    or null, `is_active`) checked by the same rules as a feed row.

    Returns (values, is_active or None, errors as {api_field: [reasons]})."""
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        return {}, None, {"data": ["must be an object"]}
    raw: dict[str, str] = {}
    given_currency = data.get("currency")
    if given_currency not in (None, "") and (not isinstance(given_currency, str) or given_currency.upper() != currency):
        errors["currency"] = [f"must be {currency}, the business currency"]
    for name in ("price", "sale_price"):
        if name in data:
            value = data[name]
            if value is None and name == "sale_price":
                raw[name] = ""
            elif isinstance(value, (str, int)) and not isinstance(value, bool):
                raw[name] = f"{value} {currency}" if str(value).strip() else ""
            else:
                errors[name] = ["send the amount as a decimal string, e.g. \"12.50\""]
    for name in JSON_TEXT_FIELDS:
        if name in data:
            value = data[name]
            if value is None:
                raw[name] = ""
            elif isinstance(value, str):
                raw[name] = value
            else:
                errors[name] = ["must be a string"]
    if "stock_quantity" in data:
        value = data["stock_quantity"]
        if value is None:
            raw["inventory"] = ""
        elif isinstance(value, int) and not isinstance(value, bool):
            raw["inventory"] = str(value)
        else:
            errors["stock_quantity"] = ["must be a whole number or null (not tracked)"]
    is_active = data.get("is_active")
    if is_active is not None and not isinstance(is_active, bool):
        errors["is_active"] = ["must be true or false"]
        is_active = None
    if not partial:
        for name in ("title", "price"):
            if name not in data and name not in errors:
                errors[name] = ["this field is required"]
    values, problems = clean_product(raw, currency=currency, partial=True)
    for column, reason in problems:
        errors.setdefault(FEED_TO_JSON.get(column, column), []).append(reason)
    return values, is_active, errors


# --- reading a file ------------------------------------------------------------------------

@dataclass
class FeedStats:
    estimated_rows: int
    delimiter: str


def inspect_file(binary: IO[bytes]) -> FeedStats:
    """Check, in one streamed pass, that `binary` is UTF-8 text; estimate its rows.

    Raises FeedError for a binary or non-UTF-8 file, so nothing is imported from it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, offset, first, last = 0, 0, b"", b""
    binary.seek(0)
    while True:
        chunk = binary.read(1024 * 1024)
        if not chunk:
            break
        if b"\x00" in chunk:
            raise FeedError("This is a binary file, not a CSV or TSV catalog feed.")
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise FeedError(f"The file is not UTF-8 text (bad byte at position {offset + exc.start}). "
                            "Save it as CSV UTF-8 and upload it again.") from None
        if len(first) < SNIFF_BYTES:
            first += chunk[:SNIFF_BYTES]
        lines += chunk.count(b"\n")
        offset += len(chunk)
        last = chunk
    if offset == 0:
        raise FeedError("The file is empty.")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise FeedError("The file is not UTF-8 text (it ends in the middle of a character).") from None
    if not last.endswith(b"\n"):
        lines += 1
    header = first.split(b"\n", 1)[0]
    if b"\t" in header:
        delimiter = "\t"
    elif b";" in header and b"," not in header:
        delimiter = ";"  # spreadsheet exports in many European locales
    else:
        delimiter = ","
    binary.seek(0)
    return FeedStats(estimated_rows=max(lines - 1, 0), delimiter=delimiter)


def read_rows(binary: IO[bytes], *, currency: str, delimiter: str, errors: list[RowError],
              present_ids: set[str] | None = None) -> Iterator[CleanRow]:
    """Yield a CleanRow for each good data row of `binary` (bytes), appending RowErrors for the
    bad ones to `errors`. Checks the header first (FeedError if it is not a feed).
    `present_ids` collects every well-formed id in the file, rejected rows' too."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise FeedError("The file is empty.") from None
    except csv.Error as exc:
        raise FeedError(f"The header line cannot be read as CSV: {exc}.") from None
    names = [COLUMN_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise FeedError(
            "This is not a catalog feed: the first line must name the columns, and "
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing. "
            f"Expected columns: {', '.join(COLUMNS)}."
        )
    index = {name: i for i, name in enumerate(names) if name in COLUMNS}
    width = len(names)
    seen: dict[str, int] = {}
    row_number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_number += 1
            errors.append(RowError(row_number, "", f"the line cannot be read as CSV: {exc}"))
            continue
        row_number += 1
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            row_number -= 1  # blank line: not a row
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            errors.append(RowError(row_number, "", f"{len(cells)} cells but the header names {width} columns"))
            continue
        raw = {name: (cells[i] if i < len(cells) else "") for name, i in index.items()}
        row_errors: list[RowError] = []
        retailer_id: str | None
        try:
            retailer_id = clean_retailer_id(raw.get("id"))
        except ValueError as exc:
            retailer_id = None
            row_errors.append(RowError(row_number, "id", str(exc)))
        else:
            if present_ids is not None:
                present_ids.add(retailer_id)
        if retailer_id is not None and retailer_id in seen:
            row_errors.append(RowError(row_number, "id",
                                       f"duplicate id '{retailer_id}' (first at row {seen[retailer_id]})"))
        values, problems = clean_product(raw, currency=currency)
        row_errors.extend(RowError(row_number, column, reason) for column, reason in problems)
        if row_errors or retailer_id is None:  # a missing id is one of the row's errors
            errors.extend(row_errors)
            continue
        seen[retailer_id] = row_number
        yield CleanRow(row_number, retailer_id, values, feed_hash(values))
    text.detach()


T = TypeVar("T")


def batched(iterable: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- writing -------------------------------------------------------------------------------

EXPORT_FIELDS = ["retailer_id", "title", "description", "availability", "condition", "price_minor",
                 "sale_price_minor", "link", "image_link", "brand", "product_type", "stock_quantity",
                 "reserved_quantity"]


class _Echo:
    def write(self, value: str) -> str:
        return value


def feed_lines(rows: Iterable[tuple[Any, ...]], *, currency: str, delimiter: str = ",",
               for_meta: bool = False) -> Iterator[str]:
    """Yield the feed text line by line for `rows` (tuples in EXPORT_FIELDS order).

    `for_meta`: inventory is what can still be sold (on hand - reserved), and a tracked product
    with nothing left reads 'out of stock'. Otherwise inventory is the stock on hand, so an
    export imported again changes nothing."""
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator="\n")
    clean: Callable[[Any], Any]
    if delimiter == "\t":
        def clean(value: Any) -> Any:
            return str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")
    else:
        def clean(value: Any) -> Any:
            return value
    yield writer.writerow(COLUMNS)
    for (retailer_id, title, description, availability, condition, price, sale, link, image, brand, ptype,
         stock, reserved) in rows:
        inventory = stock
        if for_meta and stock is not None:
            inventory = max(stock - reserved, 0)
            if inventory == 0 and availability == Product.Availability.IN_STOCK:
                availability = Product.Availability.OUT_OF_STOCK
        yield writer.writerow([clean(v) for v in (
            retailer_id, title, description, availability, condition, format_price(price, currency),
            format_price(sale, currency), link, image, brand, ptype, "" if inventory is None else inventory,
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
