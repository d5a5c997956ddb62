"""The chat app's domain errors: a message the back office cannot get to the customer; the
number's templates that could not be synced from Meta."""
from enum import StrEnum

from shopchat.errors import Unprocessable


class ChatErrorCode(StrEnum):
    NO_CHANNEL = "no_channel"
    WINDOW_CLOSED = "window_closed"
    EMPTY = "empty_message"
    NO_MARKETING_CONSENT = "no_marketing_consent"
    TEMPLATE_SYNC_FAILED = "template_sync_failed"


class NotDeliverable(Unprocessable):
    """The reply cannot reach the customer: say so rather than pretend it was sent."""

    def __init__(self, code: ChatErrorCode, message: str) -> None:
        super().__init__(message, code=code, fields={"body": [message]})


class TemplateSyncFailed(Unprocessable):
    """Meta's template list could not be read (no account id, refused, unreachable): the
    message says why, for the back office and the command line."""

    default_code = ChatErrorCode.TEMPLATE_SYNC_FAILED
