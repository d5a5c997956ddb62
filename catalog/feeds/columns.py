"""The feed's columns and limits, and what a read reports: rows refused and rows kept."""
import re
from dataclasses import dataclass, field
from typing import Any

from ..models import Product

COLUMNS = ["id", "title", "description", "availability", "condition", "price", "sale_price", "link",
           "image_link", "brand", "product_type", "inventory",
           # variants (Meta's catalog columns): the products sharing an item_group_id are one group
           "item_group_id", "size", "color", "material", "pattern", "gender"]
REQUIRED_COLUMNS = ("id", "title", "price")
# Meta's feed files sometimes carry Google Merchant style names.
COLUMN_ALIASES = {"g:id": "id", "quantity_to_sell_on_facebook": "inventory", "quantity": "inventory",
                  "g:item_group_id": "item_group_id", "colour": "color"}
AVAILABILITY = {value for value, _ in Product.Availability.choices}
CONDITIONS = {value for value, _ in Product.Condition.choices}
GENDERS = {value for value, _ in Product.Gender.choices}
RETAILER_ID_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
PRICE_RE = re.compile(r"^\s*(?P<amount>[^\s]+)\s*(?P<currency>[A-Za-z]{3})?\s*$")
MAX_TITLE, MAX_DESCRIPTION, MAX_BRAND, MAX_TYPE, MAX_URL = 200, 9999, 100, 255, 500
MAX_INVENTORY = 2_147_483_647
# Meta's limits for the variant columns (the model's max_length)
MAX_GROUP_ID, MAX_SIZE, MAX_COLOR, MAX_MATERIAL, MAX_PATTERN = 100, 200, 200, 200, 100
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
