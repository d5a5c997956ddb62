"""One set of field rules for a feed row, a JSON product and a batch item."""
import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from shopchat.money import MoneyError, format_major, to_minor
from shopchat.spreadsheets import starts_like_a_formula, unescape_cell

from ..models import Product
from .columns import (  # noqa: E501
    AVAILABILITY,
    CONDITIONS,
    GENDERS,
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
    PRICE_RE,
    RETAILER_ID_RE,
)

# --- field rules ---------------------------------------------------------------------------

def _text(raw: object) -> str:
    """A cell as text: trimmed, and a spreadsheet escape (`'=...`, from our own export) undone."""
    return "" if raw is None else unescape_cell(str(raw).strip())


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


def clean_url(raw: object, column: str) -> str:
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


def clean_item_group_id(raw: object) -> str:
    """A variant group's id: empty (no group), or the characters of a product id."""
    text = _text(raw)
    if not text:
        return ""
    if len(text) > MAX_GROUP_ID:
        raise ValueError(f"item_group_id is longer than {MAX_GROUP_ID} characters")
    if not RETAILER_ID_RE.match(text):
        raise ValueError("item_group_id must be letters, digits, '_', '.', '-' (like an id)")
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
    if starts_like_a_formula(text) or starts_like_a_formula(str(raw).lstrip(" ")):
        # The live feed goes to Meta as stored; a spreadsheet opening it would run the title.
        raise ValueError(f"title begins with {text[:1]!r}: spreadsheets would read it as a formula")
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
    ("link", lambda raw, c: ("link", clean_url(raw, "link"))),
    ("image_link", lambda raw, c: ("image_link", clean_url(raw, "image_link"))),
    ("brand", _limited("brand", MAX_BRAND)),
    ("product_type", _limited("product_type", MAX_TYPE)),
    ("inventory", lambda raw, c: ("stock_quantity", _inventory(raw))),
    ("item_group_id", lambda raw, c: ("item_group_id", clean_item_group_id(raw))),
    ("size", _limited("size", MAX_SIZE)),
    ("color", _limited("color", MAX_COLOR)),
    ("material", _limited("material", MAX_MATERIAL)),
    ("pattern", _limited("pattern", MAX_PATTERN)),
    ("gender", lambda raw, c: ("gender", _choice(raw, GENDERS, "", "gender"))),
]


VARIANT_FIELDS = ["item_group_id", "size", "color", "material", "pattern", "gender"]
HASHED_FIELDS = ["title", "description", "availability", "condition", "price_minor", "sale_price_minor", "link",
                 "image_link", "brand", "product_type", "stock_quantity", *VARIANT_FIELDS]
_PLAIN_FIELDS = HASHED_FIELDS[: -len(VARIANT_FIELDS)]


def feed_hash(values: Mapping[str, Any]) -> str:
    """Digest of everything a feed row sets (plus being active): equal digests, nothing to write.

    The variant fields count only when one is set, so a product that is no variant keeps the
    digest it had before they existed (re-importing an old feed still skips its unchanged rows)."""
    def joined(fields: list[str]) -> str:
        return "\x1f".join("" if values.get(f) is None else str(values[f]) for f in fields)

    text = joined(_PLAIN_FIELDS)
    if any(values.get(f) for f in VARIANT_FIELDS):
        text += "\x1f" + joined(VARIANT_FIELDS)
    return hashlib.blake2b(("1\x1f" + text).encode(), digest_size=16).hexdigest()


JSON_TO_FEED = {"stock_quantity": "inventory"}
FEED_TO_JSON = {"inventory": "stock_quantity"}
JSON_TEXT_FIELDS = ("title", "description", "availability", "condition", "link", "image_link", "brand",
                    "product_type", *VARIANT_FIELDS)


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
