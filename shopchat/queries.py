"""The kernel's hand-written statements: claiming an idempotency key and storing its answer,
creating a chat customer or noting its new message, and leasing an outbox event for its delivery.

Every call that moves money makes both, inside its own transaction, so they are written out with
the SQL toolkit (`shopchat.sql`) from the model's metadata."""
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Final, Literal

from django.utils import timezone

from . import sql
from .models import Customer, IdempotencyRecord, OutboxEvent


class Busy(Enum):
    """The key is claimed by a call still running (a typed sentinel: compare with `is BUSY`)."""

    BUSY = "busy"


BUSY: Final = Busy.BUSY


@dataclass(frozen=True)
class _Claim:
    got: bool
    record_id: int | None


def claim_idempotency_key(*, business_id: int, key: str, fingerprint: str,
                          response_status: int | None = None,
                          response_body: Any = None) -> int | None | Literal[Busy.BUSY]:
    """INSERT the key's record unless the key is taken: its id, None when a committed record
    holds the key, or BUSY when a call still running has claimed it. With a response the record
    is written done, holding it (and a running twin's claim is waited for).

    On PostgreSQL a claim (without a response) also takes a transaction-scoped
    advisory lock on the key, without waiting: a twin that cannot take it knows at once that
    the first call still runs, instead of blocking on the first call's uncommitted row."""
    done = response_status is not None
    record = IdempotencyRecord(
        business_id=business_id, key=key, fingerprint=fingerprint,
        state=IdempotencyRecord.State.DONE if done else IdempotencyRecord.State.STARTED,
        response_status=response_status, response_body=response_body, created_at=timezone.now(),
    )
    insert = sql.insert_statement([record], on_conflict_do_nothing=("business", "key"))
    conflict = insert.sql[insert.sql.index(" ON CONFLICT"):]
    if not done and sql.is_postgres():
        claim = sql.fetch_one(
            _Claim,
            "WITH lock AS (SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0)) AS got), "
            f"claim AS ({insert.into} SELECT {insert.row[1:-1]} FROM lock WHERE lock.got{conflict}) "
            "SELECT lock.got AS got, (SELECT id FROM claim) AS record_id FROM lock",
            [f"idempotency:{business_id}:{key}", *insert.params],
        )
        assert claim is not None
        return claim.record_id if claim.got else BUSY
    return sql.fetch_value(insert.sql, insert.params)


def store_idempotent_response(*, record_id: int, response_status: int, response_body: Any) -> None:
    """The call's answer, kept for its retries (the call's last statement)."""
    sql.update(IdempotencyRecord, record_id, state=IdempotencyRecord.State.DONE, response_status=response_status,
               response_body=response_body)


def insert_customer(*, customer: Customer) -> bool:
    """INSERT the unsaved `customer` unless its business already has that wa_id (a concurrent
    call created it): True, with its key set, when this call created it. One statement that
    never fails on the unique key, so it needs no savepoint inside a caller's transaction."""
    insert = sql.insert_statement([customer], on_conflict_do_nothing=("business", "wa_id"))
    key = sql.fetch_value(insert.sql, insert.params)
    if key is None:
        return False
    insert.set_keys([key])
    return True


def lease_outbox_event(*, event_id: Any, now: datetime, until: datetime) -> OutboxEvent | None:
    """Lease the event (`locked_until = until`) when it is pending and no lease holds it, and
    answer it as it is then: one UPDATE ... RETURNING, where it took an UPDATE and a SELECT. None
    when it is delivered, failed or leased by another delivery. Its business is read when asked
    for (the WhatsApp channel needs only its id)."""
    lease = sql.column(OutboxEvent, "locked_until")
    return sql.update_returning(
        OutboxEvent, f"{lease} = %s",
        f"{sql.column(OutboxEvent, 'id')} = %s AND {sql.column(OutboxEvent, 'status')} = %s"
        f" AND ({lease} IS NULL OR {lease} < %s)",
        [sql.db_value(OutboxEvent, "locked_until", until), sql.db_value(OutboxEvent, "id", event_id),
         OutboxEvent.Status.PENDING.value, sql.db_value(OutboxEvent, "locked_until", now)])


def touch_customer(*, business_id: int, wa_id: str, now: datetime, changes: dict[str, Any]) -> Customer | None:
    """A message from the customer arrived `now`: move its `last_inbound_at`, write `changes` (the
    profile name or locale it came with), and answer the row as it is then, in one UPDATE ...
    RETURNING (was a SELECT and an UPDATE). None when the business has no live customer with that
    number (new, or only an erasure's tombstone): the check and the write are one statement, so an
    erasure committing meanwhile never gets the name written back."""
    values = {"last_inbound_at": now, "updated_at": now, **changes}
    return sql.update_returning(
        Customer, ", ".join(f"{sql.column(Customer, name)} = %s" for name in values),
        f"{sql.column(Customer, 'business_id')} = %s AND {sql.column(Customer, 'wa_id')} = %s"
        f" AND {sql.column(Customer, 'erased_at')} IS NULL",
        [*(sql.db_value(Customer, name, value) for name, value in values.items()), business_id, wa_id])
