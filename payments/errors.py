"""Why payments refuses an operation: the codes gateways see, and the classes callers catch."""
from enum import StrEnum

from shopchat.errors import Conflict, Invalid, InvalidInput, NotFound


class PaymentErrorCode(StrEnum):
    ORDER_NOT_PAYABLE = "order_not_payable"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    NOT_REFUNDABLE = "not_refundable"
    TRANSFER_LIMIT_EXCEEDED = "transfer_limit_exceeded"
    NO_PAYOUT_ACCOUNT = "no_payout_account"
    INVALID_CALLBACK = "invalid_callback"
    UNKNOWN_REFERENCE = "unknown_reference"


class OrderNotPayable(Conflict):
    default_code = PaymentErrorCode.ORDER_NOT_PAYABLE


class InsufficientFunds(Conflict):
    default_code = PaymentErrorCode.INSUFFICIENT_FUNDS

    def __init__(self, message: str = "The wallet balance is too low for this amount.") -> None:
        super().__init__(message, fields={"amount": [message]})


class NotRefundable(Conflict):
    default_code = PaymentErrorCode.NOT_REFUNDABLE

    def __init__(self, message: str, field: str | None = "amount") -> None:
        super().__init__(message, fields={field: [message]} if field else None)


class TransferLimitExceeded(Conflict):
    default_code = PaymentErrorCode.TRANSFER_LIMIT_EXCEEDED

    def __init__(self, message: str) -> None:
        super().__init__(message, fields={"amount": [message]})


class NoPayoutAccount(Conflict):
    default_code = PaymentErrorCode.NO_PAYOUT_ACCOUNT

    def __init__(self, business_name: str) -> None:
        super().__init__(f"{business_name} has no payout account to settle to.")


class BadCallback(Invalid):
    """A provider callback that is not signed right or cannot be read: nothing is written."""

    default_code = PaymentErrorCode.INVALID_CALLBACK


class UnknownProviderName(NotFound):
    def __init__(self) -> None:
        super().__init__("No such payment provider.")


class UnknownReference(NotFound):
    """A callback for a payment or top-up not (yet) known: the provider retries later."""

    default_code = PaymentErrorCode.UNKNOWN_REFERENCE

    def __init__(self) -> None:
        super().__init__("No payment or top-up with this reference (yet).")


__all__ = [
    "BadCallback", "InsufficientFunds", "InvalidInput", "NoPayoutAccount", "NotRefundable", "OrderNotPayable",
    "PaymentErrorCode", "TransferLimitExceeded", "UnknownProviderName", "UnknownReference",
]
