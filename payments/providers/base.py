"""The provider interface: what the payment services need from a PSP, and nothing more."""
from dataclasses import dataclass, field


class ProviderError(Exception):
    """The provider refused a request (bad card data, unknown token). `field` names the input."""

    def __init__(self, message: str, field: str = "", code: str = "provider_error"):
        super().__init__(message)
        self.field = field
        self.code = code


class InvalidCallback(Exception):
    """A callback whose signature or shape does not check out."""


@dataclass(frozen=True)
class CardDetails:
    """What may be stored about a card: never its number."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class ChargeResult:
    status: str  # "captured" | "pending" | "failed"
    reference: str
    failure_code: str = ""
    failure_reason: str = ""


@dataclass(frozen=True)
class RefundResult:
    reference: str


@dataclass(frozen=True)
class PayoutResult:
    reference: str


@dataclass(frozen=True)
class CallbackEvent:
    event_id: str
    type: str  # "charge.succeeded" | "charge.failed" | "charge.pending"
    reference: str
    failure_code: str = ""
    failure_reason: str = ""
    payload: dict = field(default_factory=dict)


class Provider:
    """Subclass per PSP. Every method is called inside the service's transaction, after the
    local rows are locked; `after_commit` lets a provider schedule work once that commits."""

    name = "base"

    def __init__(self, name: str | None = None):
        self.name = name or self.name

    def tokenize(self, *, card_number: str, exp_month: int, exp_year: int) -> CardDetails:
        raise NotImplementedError

    def describe_token(self, *, token: str) -> CardDetails:
        raise NotImplementedError

    def charge(self, *, token: str, amount_minor: int, currency: str, description: str) -> ChargeResult:
        """Authorize and capture `amount_minor` on the card; may answer pending (then a callback
        settles it later)."""
        raise NotImplementedError

    def refund(self, *, reference: str, amount_minor: int, currency: str) -> RefundResult:
        raise NotImplementedError

    def payout(self, *, account: str, amount_minor: int, currency: str, description: str) -> PayoutResult:
        raise NotImplementedError

    def parse_callback(self, *, body: bytes, headers) -> CallbackEvent:
        """Verify the signature and parse; raise InvalidCallback when it does not check out."""
        raise NotImplementedError
