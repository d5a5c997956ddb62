"""The catalog's domain errors. Services raise these; the API answers each with its kind's status
(`shopchat.api.errors`), the back office shows the message, the chat engine catches the classes.

A product that does not exist answers the core `not_found` code and bad input the core
`validation_error` code; the catalog's own codes are in `CatalogErrorCode`."""
from enum import StrEnum

from shopchat.errors import Conflict, Invalid, NotFound


class CatalogErrorCode(StrEnum):
    STOCK_BELOW_RESERVED = "stock_below_reserved"


class ProductNotFound(NotFound):
    """No product with this retailer id in the business's catalog."""

    def __init__(self, retailer_id: str) -> None:
        super().__init__(f"No product with id '{retailer_id}'.")
        self.retailer_id = retailer_id


class InvalidProduct(Invalid):
    """Some fields of a product write are wrong: `fields` names each with its reasons."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("Some fields are invalid: " + ", ".join(sorted(fields)) + ".", fields=fields)


class StockBelowReserved(Conflict):
    """A write would put the stock on hand below the units open orders hold."""

    default_code = CatalogErrorCode.STOCK_BELOW_RESERVED

    def __init__(self, retailer_id: str, stock: int, reserved: int) -> None:
        super().__init__(
            f"Stock {stock} of '{retailer_id}' is below the {reserved} units held by open orders.",
            fields={"stock_quantity": [f"must be at least {reserved}, the units held by open orders"]},
        )
        self.retailer_id = retailer_id
        self.stock = stock
        self.reserved = reserved
