"""The text of a ticket as the desk stores it: message bodies and subjects, cleaned, or refused
with `InvalidInput` naming the field (before anything is written)."""
from shopchat.errors import InvalidInput

from ..models import MAX_BODY

MAX_SUBJECT = 200


def clean_body(body: object, field: str = "body") -> str:
    """The message text as stored: plain text, trimmed, 1 to 4,096 characters, no NUL."""
    text = (body or "").strip() if isinstance(body, str) or body is None else None
    if text is None:
        raise InvalidInput(field, "Send the message as text.")
    if not text:
        raise InvalidInput(field, "The message is empty.")
    if len(text) > MAX_BODY:
        raise InvalidInput(field, f"The message is longer than {MAX_BODY} characters.")
    if "\x00" in text:
        raise InvalidInput(field, "The message contains a NUL character.")
    return text


def clean_subject(subject: object) -> str:
    """The subject as stored: whitespace collapsed, 1 to 200 characters."""
    text = " ".join((subject or "").split()) if isinstance(subject, str) or subject is None else ""
    if not text:
        raise InvalidInput("subject", "The subject is empty.")
    if len(text) > MAX_SUBJECT:
        raise InvalidInput("subject", f"The subject is longer than {MAX_SUBJECT} characters.")
    return text
