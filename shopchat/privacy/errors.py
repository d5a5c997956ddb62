"""The privacy kernel's domain errors."""
from enum import StrEnum

from shopchat.errors import Conflict


class PrivacyErrorCode(StrEnum):
    ERASURE_REFUSED = "erasure_refused"
    ALREADY_ERASED = "already_erased"


class ErasureRefused(Conflict):
    """Something the law or the books still need stops the erasure now (an open order, money
    left in the wallet); `data["reasons"]` lists them, the message says them in words."""

    default_code = PrivacyErrorCode.ERASURE_REFUSED


class AlreadyErased(Conflict):
    default_code = PrivacyErrorCode.ALREADY_ERASED
