"""Domain errors: what a service raises when a rule of the business refuses an operation.

Services raise these and nothing HTTP: the API layer maps each error's kind to its status and
writes the `{"error": {"code", "message", "fields", ...}}` body (`shopchat.api.errors`); admin
actions show the message; the chat engine catches the classes and answers in words; tasks log
them. Every app declares its codes as a `StrEnum` and its errors as subclasses of the kinds
below, in its own `errors.py`.
"""
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from .models import Business


class ErrorKind(Enum):
    """What went wrong, as a caller must react to it (the API maps each kind to a status)."""

    INVALID = "invalid"  # the input is wrong: fix a field and call again
    NOT_FOUND = "not_found"  # no such thing (for this business)
    FORBIDDEN = "forbidden"  # not allowed for this caller or business
    CONFLICT = "conflict"  # the current state does not allow it
    UNPROCESSABLE = "unprocessable"  # understood, but it cannot be applied as sent


class CoreErrorCode(StrEnum):
    VALIDATION_ERROR = "validation_error"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    BUSINESS_SUSPENDED = "business_suspended"


class DomainError(Exception):
    """A refused operation: a kind, a code (an app's enum member), a message for people,
    the fields at fault and any data a caller answers with (e.g. which items are short)."""

    kind: ClassVar[ErrorKind] = ErrorKind.CONFLICT
    default_code: ClassVar[str] = CoreErrorCode.CONFLICT

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, list[str]] | None = None,
                 data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code: str = code or self.default_code
        self.fields: dict[str, list[str]] = fields or {}
        self.data: dict[str, Any] = data or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!s}: {self.message!r})"


class Invalid(DomainError):
    kind = ErrorKind.INVALID
    default_code: ClassVar[str] = CoreErrorCode.VALIDATION_ERROR


class InvalidInput(Invalid):
    """One field of the input is wrong (the one 400 every service raises)."""

    def __init__(self, field: str, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code, fields={field: [message]})
        self.field = field


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND
    default_code: ClassVar[str] = CoreErrorCode.NOT_FOUND

    def __init__(self, message: str = "Not found.", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class Forbidden(DomainError):
    kind = ErrorKind.FORBIDDEN
    default_code: ClassVar[str] = CoreErrorCode.PERMISSION_DENIED


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT
    default_code: ClassVar[str] = CoreErrorCode.CONFLICT


class Unprocessable(DomainError):
    kind = ErrorKind.UNPROCESSABLE


class BusinessSuspended(Forbidden):
    default_code = CoreErrorCode.BUSINESS_SUSPENDED


class OwnedRow(Protocol):
    """A row that belongs to one business (a customer, a product, ...)."""

    @property
    def business_id(self) -> int: ...


def check_tenant(business: "Business", *rows: OwnedRow | None) -> None:
    """A row of another business is answered as if it did not exist (never 403, never its data)."""
    for row in rows:
        if row is not None and row.business_id != business.pk:
            raise NotFound()
