"""Why orders refuses an operation: the codes gateways see, and the classes callers catch."""
from enum import StrEnum
from typing import Any

from shopchat.errors import Conflict, InvalidInput


class OrderErrorCode(StrEnum):
    OUT_OF_STOCK = "out_of_stock"
    PRICE_CHANGED = "price_changed"
    UNKNOWN_PRODUCTS = "unknown_products"
    PRODUCT_UNAVAILABLE = "product_unavailable"
    CURRENCY_MISMATCH = "currency_mismatch"
    EMPTY_CART = "empty_cart"
    ILLEGAL_TRANSITION = "illegal_transition"
    REFUND_FIRST = "refund_first"
    DELIVERY_ALREADY_CHOSEN = "delivery_already_chosen"
    COUPON_UNKNOWN = "coupon_unknown"
    COUPON_NOT_STARTED = "coupon_not_started"
    COUPON_EXPIRED = "coupon_expired"
    COUPON_USED_UP = "coupon_used_up"
    COUPON_USED_BY_CUSTOMER = "coupon_used_by_customer"
    COUPON_BELOW_MINIMUM = "coupon_below_minimum"
    COUPON_NOT_APPLICABLE = "coupon_not_applicable"


class OutOfStock(Conflict):
    """Not enough stock; `items` says which, how many were asked for and how many are left."""

    default_code = OrderErrorCode.OUT_OF_STOCK

    def __init__(self, items: list[dict[str, Any]]) -> None:
        names = ", ".join(i["retailer_id"] for i in items)
        super().__init__(f"Not enough stock for: {names}.", data={"items": items})
        self.items = items


class PriceChanged(Conflict):
    """A price the customer saw is not the current one; `items` holds both."""

    default_code = OrderErrorCode.PRICE_CHANGED

    def __init__(self, items: list[dict[str, Any]]) -> None:
        names = ", ".join(i["retailer_id"] for i in items)
        super().__init__(f"The price changed for: {names}. Nothing was ordered; "
                         "confirm the current prices and order again.", data={"items": items})
        self.items = items


class UnknownProducts(Conflict):
    default_code = OrderErrorCode.UNKNOWN_PRODUCTS

    def __init__(self, retailer_ids: list[str]) -> None:
        super().__init__("These products are not (or no longer) sold: " + ", ".join(retailer_ids) + ".",
                         data={"items": retailer_ids})
        self.retailer_ids = retailer_ids


class ProductUnavailable(Conflict):
    default_code = OrderErrorCode.PRODUCT_UNAVAILABLE

    def __init__(self, retailer_id: str) -> None:
        super().__init__(f"{retailer_id} is no longer sold.", data={"items": [retailer_id]})


class CurrencyMismatch(Conflict):
    default_code = OrderErrorCode.CURRENCY_MISMATCH

    def __init__(self, message: str) -> None:
        super().__init__(message, fields={"items": [message]})


class EmptyCart(Conflict):
    default_code = OrderErrorCode.EMPTY_CART

    def __init__(self) -> None:
        super().__init__("The cart is empty; add items before placing the order.")


class IllegalTransition(Conflict):
    """The order's status does not allow the step (the one list is `orders.services.TRANSITIONS`)."""

    default_code = OrderErrorCode.ILLEGAL_TRANSITION

    def __init__(self, *, number: str, status: str, status_label: str, to: str, to_label: str) -> None:
        super().__init__(f"Order {number} is {status_label.lower()}; it cannot become {to_label.lower()}.",
                         data={"status": status, "to": to})


class RefundFirst(Conflict):
    """A paid order is cancelled by refunding it first (`payments.services.cancel_order`)."""

    default_code = OrderErrorCode.REFUND_FIRST

    def __init__(self, number: str) -> None:
        super().__init__(f"Order {number} is paid; refund it before cancelling it.")


class DeliveryAlreadyChosen(Conflict):
    """How the order is received was chosen already, or the order no longer awaits payment."""

    default_code = OrderErrorCode.DELIVERY_ALREADY_CHOSEN


class CouponRefused(InvalidInput):
    """A coupon code that cannot be used; the code (`coupon_expired`, `coupon_used_up`...) and
    the message say why. Field `coupon`."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__("coupon", message, code=code)
