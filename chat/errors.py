"""The chat app's domain errors: a message the back office cannot get to the customer."""
from enum import StrEnum

from shopchat.errors import Unprocessable


class ChatErrorCode(StrEnum):
    NO_CHANNEL = "no_channel"
    WINDOW_CLOSED = "window_closed"
    EMPTY = "empty_message"
    NO_MARKETING_CONSENT = "no_marketing_consent"


class NotDeliverable(Unprocessable):
    """The reply cannot reach the customer: say so rather than pretend it was sent."""

    def __init__(self, code: ChatErrorCode, message: str) -> None:
        super().__init__(message, code=code, fields={"body": [message]})
