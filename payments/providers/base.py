"""The provider interface: what the payment services need from a PSP, and nothing more.

Every method that talks to a provider is called outside the database transaction, with no row
locked (the services record what they are about to do first, call, then record the answer in a
second short transaction), and takes an idempotency key the provider de-duplicates on, so a call
repeated after a crash is answered with the first result instead of charging twice."""
from dataclasses import dataclass, field
from typing import Any


class ProviderError(Exception):
    """The provider refused a request (bad card data, unknown token). `field` names the input."""

    def __init__(self, message: str, field: str = "", code: str = "provider_error"):
        super().__init__(message)
        self.field = field
        self.code = code


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered 5xx: the outcome is unknown, so the
    payment stays pending and the repair job asks again later (never charged twice: the
    idempotency key)."""


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
    status: str  # "captured" | "pending" | "failed" | "requires_action" (3-D Secure: action_url)
    reference: str
    failure_code: str = ""
    failure_reason: str = ""
    action_url: str = ""


@dataclass(frozen=True)
class PaymentLink:
    """A page of the provider's where the customer pays (Stripe Checkout, Razorpay Payment Link)."""

    reference: str
    url: str


@dataclass(frozen=True)
class CardSetup:
    """A page where the customer links a card for later off-session charges (Stripe SetupIntent)."""

    reference: str
    url: str


@dataclass(frozen=True)
class RefundResult:
    reference: str


@dataclass(frozen=True)
class PayoutResult:
    reference: str
    status: str = "paid"  # "paid" | "pending" | "failed"
    failure: str = ""


@dataclass(frozen=True)
class CallbackEvent:
    event_id: str
    # "charge.succeeded" | "charge.failed" | "charge.pending" | "charge.authorized" | "card.linked"
    # | "refund.succeeded" | "refund.failed" | "payout.failed" | "dispute.opened" | "dispute.won" | "dispute.lost"
    type: str
    reference: str
    failure_code: str = ""
    failure_reason: str = ""
    payload: dict = field(default_factory=dict)
    payment_key: str = ""  # our idempotency key, echoed by the provider (metadata, notes, receipt)
    amount_minor: int | None = None  # refunds and disputes
    card: CardDetails | None = None  # card.linked


class Provider:
    """Subclass per PSP. `config` is the business's PaymentProviderConfig (None: the platform's
    own settings, e.g. the sandbox's)."""

    name = "base"

    def __init__(self, name: str | None = None, config: Any = None):
        self.name = name or self.name
        self.config = config

    def tokenize(self, *, card_number: str, exp_month: int, exp_year: int) -> CardDetails:
        raise NotImplementedError

    def describe_token(self, *, token: str) -> CardDetails:
        raise NotImplementedError

    def charge(self, *, token: str, amount_minor: int, currency: str, description: str, idempotency_key: str,
               metadata: dict[str, str] | None = None) -> ChargeResult:
        """Authorize and capture `amount_minor` on the card; may answer pending (then a callback
        settles it later) or requires_action (the customer authenticates at `action_url`)."""
        raise NotImplementedError

    def lookup_charge(self, *, reference: str, idempotency_key: str, token: str = "") -> ChargeResult | None:
        """What became of a charge whose answer we lost (None: the provider never received it)."""
        raise NotImplementedError

    def payment_link(self, *, amount_minor: int, currency: str, description: str, idempotency_key: str,
                     metadata: dict[str, str], return_url: str) -> PaymentLink | None:
        """A hosted page for this one payment; None: the provider has none (the platform's page)."""
        return None

    def card_setup(self, *, customer_ref: str, idempotency_key: str, return_url: str) -> CardSetup | None:
        return None

    def refund(self, *, reference: str, amount_minor: int, currency: str, idempotency_key: str = "") -> RefundResult:
        raise NotImplementedError

    def payout(self, *, account: str, amount_minor: int, currency: str, description: str,
               idempotency_key: str = "") -> PayoutResult:
        raise NotImplementedError

    def parse_callback(self, *, body: bytes, headers) -> CallbackEvent:
        """Verify the signature and parse; raise InvalidCallback when it does not check out."""
        raise NotImplementedError
