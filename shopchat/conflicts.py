"""Transaction conflicts: a deadlock or serialization failure the database reports is retried
(bounded, with jittered backoff) by whoever owns the transaction, then answered 409 `conflict`.

Every path that moves money takes its locks in one order (DESIGN.md, docs/ARCHITECTURE.md: the
order row, wallets by id, ledger accounts by id, payment and refund rows, stock by pk), so two
money paths never deadlock on each other's rows. What remains possible (a path not yet in the
order, an index page lock, SQLite's "database is locked" under a long writer) is handled here,
in one place:

- `retry_conflicts` decorates the outermost transaction of an operation (the money services,
  the API's idempotent calls): inside a caller's transaction it does nothing (a transaction
  that lost a deadlock is rolled back as a whole: only its owner can run it again);
- `is_transaction_conflict(exc)` tells such errors apart (SQLSTATE 40001, 40P01);
- `TransactionConflict` (kind Conflict) is what is raised when the retries run out: the API
  answers 409 `conflict` with `Retry-After`, never 500.
"""
import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import DatabaseError, transaction

from .errors import Conflict

log = logging.getLogger(__name__)

ATTEMPTS = 4
CONFLICT_SQLSTATES = {"40001": "serialization failure", "40P01": "deadlock"}

P = ParamSpec("P")
R = TypeVar("R")


class TransactionConflict(Conflict):
    """The operation kept meeting a concurrent change; it changed nothing and may be sent again."""

    default_code = "conflict"

    def __init__(self, message: str = "This operation raced another change to the same rows and was not applied. "
                                      "Send it again.") -> None:
        super().__init__(message)


def is_transaction_conflict(exc: BaseException) -> bool:
    """A deadlock or serialization failure (PostgreSQL), or SQLite's busy database."""
    seen: BaseException | None = exc
    for _ in range(5):  # Django's wrapper, then the driver's error
        if seen is None:
            return False
        if getattr(seen, "sqlstate", None) in CONFLICT_SQLSTATES:
            return True
        if isinstance(seen, DatabaseError) and "database is locked" in str(seen):
            return True
        seen = seen.__cause__
    return False


def run_retrying(call: Callable[[], R], *, attempts: int = ATTEMPTS, what: str = "") -> R:
    """Run `call` (which opens and commits its own transaction) again when the database reports
    a conflict, up to `attempts` times in all; then raise TransactionConflict."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as exc:
            if not is_transaction_conflict(exc):
                raise
            if attempt == attempts:
                log.warning("conflict in %s: giving up after %s attempts", what or "a transaction", attempts)
                raise TransactionConflict() from exc
            log.info("conflict in %s (attempt %s): running it again", what or "a transaction", attempt)
            time.sleep(random.uniform(0.005, 0.02) * 2 ** attempt)
    raise AssertionError("unreachable")


def retry_conflicts(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a service whose transaction is its own when called from outside any transaction:
    there a conflict is retried; inside a caller's transaction it is left to the caller."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            return func(*args, **kwargs)
        return run_retrying(lambda: func(*args, **kwargs), what=func.__qualname__)

    return wrapper
