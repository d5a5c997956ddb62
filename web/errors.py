"""The public web's domain errors (sign-up and the browser chat)."""
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from shopchat.errors import Conflict, Invalid, InvalidInput


class WebErrorCode(StrEnum):
    EMAIL_TAKEN = "email_taken"
    BAD_VERIFICATION_LINK = "bad_verification_link"
    CHAT_CLOSED = "chat_closed"


class EmailTaken(InvalidInput):
    """An account with this e-mail exists: sign-up never takes over an account."""

    def __init__(self) -> None:
        super().__init__("email", str(_("An account with this e-mail exists. Log in to the back office instead.")),
                         code=WebErrorCode.EMAIL_TAKEN)


class BadVerificationLink(Invalid):
    def __init__(self) -> None:
        super().__init__(str(_("This verification link is not valid or has expired.")),
                         code=WebErrorCode.BAD_VERIFICATION_LINK)


class ChatClosed(Conflict):
    """The business turned its public web chat off."""

    def __init__(self) -> None:
        super().__init__(str(_("This shop's chat in the browser is closed.")), code=WebErrorCode.CHAT_CLOSED)
