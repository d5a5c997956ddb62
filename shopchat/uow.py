"""The unit of work: the rows, row changes and events of one change, written together.

A change that spans apps (a payment that also pays its order, a cancellation that also refunds)
collects its writes here instead of one app writing another's rows: each service adds what it
writes to the unit the outermost service opened, and the unit writes them at once, as one
statement where the database allows (`shopchat.sql.write`): the order's update, its transition,
the payment row and every event of the change make one round trip.

It also knows which rows the change has locked (`hold` / `held`): a service that needs a row
locked asks the unit first, so a row a calling service's query locked is not locked twice, and
no service needs to be told by a flag that its caller holds a lock.

Contract:
- a unit is opened inside `transaction.atomic()` and lives no longer than that block;
- the scope that opened it writes what is left at its clean end; any service of the change may
  call `flush()` to write what is collected so far (e.g. before taking the last locks);
- when a joined scope raises, what it collected is dropped (its caller may catch the error and
  go on, as the chat engine does), and so are the rows it held.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeAlias, TypeVar

from django.db import transaction
from django.db.models import Model

from . import outbox, sql
from .models import Business, OutboxEvent

M = TypeVar("M", bound=Model)
RowKey: TypeAlias = tuple[type[Model], Any]  # (model, primary key)
# Where a joined scope started: the inserts and events collected so far, the updates, the held rows.
_Mark: TypeAlias = tuple[int, int, dict[RowKey, dict[str, Any]], dict[RowKey, Model]]

_current: ContextVar["UnitOfWork | None"] = ContextVar("shopchat_unit_of_work", default=None)


class UnitOfWork:
    """What one change of one business writes: rows to insert, rows to update, events."""

    def __init__(self, business: Business) -> None:
        self.business = business
        self._inserts: list[Model] = []
        self._updates: dict[RowKey, dict[str, Any]] = {}
        self._events: list[outbox.Event] = []
        self._held: dict[RowKey, Model] = {}

    # --- collecting -------------------------------------------------------------------------
    def add(self, *rows: Model) -> None:
        """Unsaved rows to INSERT (they get their keys at the flush)."""
        self._inserts.extend(rows)

    def change(self, model: type[Model], pk: Any, **values: Any) -> None:
        """An UPDATE of one row (by field name); several changes of one row become one UPDATE."""
        self._updates.setdefault((model, pk), {}).update(values)

    def emit(self, *events: "outbox.Event") -> None:
        """Events to record in the outbox, delivered once the transaction commits."""
        self._events.extend(events)

    # --- locks --------------------------------------------------------------------------------
    def hold(self, row: M) -> M:
        """Remember that `row` is locked by this change's transaction (called by the queries
        that lock); returns it."""
        self._held[(type(row), row.pk)] = row
        return row

    def held(self, model: type[M], pk: Any) -> M | None:
        """The row of `model` this change has locked, or None when it holds no lock on it."""
        return self._held.get((model, pk))  # type: ignore[return-value]

    # --- writing ------------------------------------------------------------------------------
    def flush(self) -> list[OutboxEvent]:
        """Write what is collected: updates, inserts, then the events (one statement on
        PostgreSQL). Returns the event rows written."""
        if not (self._inserts or self._updates or self._events):
            return []
        events = outbox.event_rows(business=self.business, events=self._events)
        updates = [sql.Update(model, pk, values) for (model, pk), values in self._updates.items()]
        sql.write(updates=updates, inserts=[*self._inserts, *events])
        outbox.deliver_after_commit(events)
        self._inserts, self._updates, self._events = [], {}, []
        return events

    def _mark(self) -> _Mark:
        return len(self._inserts), len(self._events), {k: dict(v) for k, v in self._updates.items()}, dict(self._held)

    def _rewind(self, mark: _Mark) -> None:
        inserts, events, self._updates, self._held = mark
        del self._inserts[inserts:]
        del self._events[events:]


@contextmanager
def unit_of_work(*, business: Business) -> Iterator[UnitOfWork]:
    """Open the unit of this change, or join the one a calling service opened.

    Must run inside `transaction.atomic()`. The opening scope writes what is left when it ends
    cleanly; a joined scope that raises drops what it collected. One business per unit."""
    current = _current.get()
    if current is not None:
        if current.business.pk != business.pk:
            raise RuntimeError("one unit of work writes for one business")
        mark = current._mark()
        try:
            yield current
        except BaseException:
            current._rewind(mark)
            raise
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a unit of work runs inside transaction.atomic()")
    unit = UnitOfWork(business)
    token = _current.set(unit)
    try:
        yield unit
        unit.flush()
    finally:
        _current.reset(token)


def current_unit() -> UnitOfWork | None:
    """The unit of work of the running change, if a service opened one."""
    return _current.get()
