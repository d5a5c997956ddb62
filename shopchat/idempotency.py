"""Idempotency keys with Stripe's semantics, for every API call that moves money.

- the same key and body: the first response again (stored for IDEMPOTENCY_KEEP_HOURS);
- the same key with another body (or on another endpoint): 422 `idempotency_key_reused`;
- the same key while the first call still runs: 409 `idempotency_in_progress`.

The key is claimed by the first statement of the call's own transaction (an INSERT that skips a
key already taken), and its response is stored by the last one, so the claim, the call's
writes and the stored response commit together or not at all. On PostgreSQL the claim also
holds an advisory lock on the key until the call's transaction ends, so a twin sent meanwhile
is told 409 at once rather than waiting on the uncommitted claim. If the call raises, its
writes roll back and the error response is stored in a transaction of its own (a declined card
stays declined on retry); an unexpected error stores nothing, so the client may retry.

Two statements inside the call's transaction, written out: the ORM would spend longer building
them than the database spends running them, on every call that moves money.
"""
import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from .api.errors import ApiError, error_response_for
from .errors import DomainError
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
LEASE = timedelta(minutes=2)
_TABLE = IdempotencyRecord._meta.db_table


def fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except Exception:
        body = request.body.decode(errors="replace")
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


_BUSY = object()  # the key is claimed by a call still running


def _insert(business_id, key, print_, *, response=None):
    """INSERT the key's record unless the key is taken: its id, None when a committed record
    holds the key, or _BUSY when a call still running has claimed it. With `response` the
    record is written done, holding that response (and a running twin's claim is waited for).

    On PostgreSQL a claim also takes a transaction-scoped advisory lock on the key, without
    waiting: a twin that cannot take it knows at once that the first call still runs, instead
    of blocking on the first call's uncommitted row."""
    now = timezone.now()
    state, code, body = IdempotencyRecord.State.STARTED, None, None
    if response is not None:
        state, code, body = IdempotencyRecord.State.DONE, response.status_code, _body(response)
    columns = "business_id, key, fingerprint, state, locked_until, response_status, response_body, created_at"
    values = [business_id, key, print_, state, connection.ops.adapt_datetimefield_value(now + LEASE), code, body,
              connection.ops.adapt_datetimefield_value(now)]
    with connection.cursor() as cursor:
        if response is None and connection.vendor == "postgresql":
            cursor.execute(
                "WITH lock AS (SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0)) AS got), "
                f"claim AS (INSERT INTO {_TABLE} ({columns}) SELECT %s, %s, %s, %s, %s, %s, %s, %s FROM lock "
                "WHERE lock.got ON CONFLICT (business_id, key) DO NOTHING RETURNING id) "
                "SELECT lock.got, (SELECT id FROM claim) FROM lock",
                [f"idempotency:{business_id}:{key}", *values],
            )
            got, record_id = cursor.fetchone()
            return record_id if got else _BUSY
        cursor.execute(
            f"INSERT INTO {_TABLE} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (business_id, key) DO NOTHING RETURNING id",
            values,
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _body(response):
    """The response's data as the JSON column stores it."""
    field = IdempotencyRecord._meta.get_field("response_body")
    data = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder)) if response.data is not None else None
    return field.get_db_prep_value(data, connection)


def _claim(business_id, key, print_):
    """Return (record id, None) when this call owns the key, or (None, response) to send back.
    Runs inside the call's transaction, so the claim commits with the call's writes."""
    while True:
        record_id = _insert(business_id, key, print_)
        if record_id is _BUSY:
            raise _in_progress()
        if record_id is not None:
            return record_id, None
        record = IdempotencyRecord.objects.filter(business_id=business_id, key=key).first()
        if record is not None:
            break
        # purged between our INSERT and our read: claim again
    if record.fingerprint != print_:
        raise ApiError(
            422, "idempotency_key_reused",
            "This Idempotency-Key was used with a different request. Use a new key for a new request.",
            fields={HEADER: ["reused with a different request"]},
        )
    if record.state == IdempotencyRecord.State.DONE:
        response = Response(record.response_body, status=record.response_status)
        response["Idempotent-Replayed"] = "true"
        return None, response
    # A started record committed by an earlier version of this module, which claimed keys in
    # their own transaction: still running, unless its lease ran out (its worker died).
    now = timezone.now()
    taken = IdempotencyRecord.objects.filter(
        pk=record.pk, state=IdempotencyRecord.State.STARTED, locked_until__lt=now
    ).update(locked_until=now + LEASE)
    if taken:
        return record.pk, None
    raise _in_progress()


def _in_progress():
    return ApiError(409, "idempotency_in_progress", "A request with this Idempotency-Key is still being processed.")


def _store(record_id, response):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_TABLE} SET state = %s, response_status = %s, response_body = %s WHERE id = %s",
                       [IdempotencyRecord.State.DONE, response.status_code, _body(response), record_id])


def _store_error(business_id, key, print_, response):
    """After the call's transaction rolled back: keep its error answer for the retries, unless
    a twin has claimed the key meanwhile (its answer is the one kept)."""
    with transaction.atomic():
        _insert(business_id, key, print_, response=response)


def idempotent(required: bool = True):
    """Decorate an APIView method that moves money. The business is the API key's."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, request, *args, **kwargs):
            key = request.headers.get(HEADER, "").strip()
            if not key:
                if required:
                    raise ApiError(400, "idempotency_key_required",
                                   "Send an Idempotency-Key header (a unique string per operation).",
                                   fields={HEADER: ["This header is required."]})
                return method(self, request, *args, **kwargs)
            if len(key) > 255:
                raise ApiError(400, "invalid", "Idempotency-Key is longer than 255 characters.",
                               fields={HEADER: ["at most 255 characters"]})
            business_id, print_ = request.auth.business_id, fingerprint(request)
            try:
                with transaction.atomic():
                    record_id, replay = _claim(business_id, key, print_)
                    if replay is not None:
                        return replay
                    response = method(self, request, *args, **kwargs)
                    if response.status_code >= 500:
                        raise _Unstored(response)
                    _store(record_id, response)
                    return response
            except _Unstored as unstored:
                return unstored.response
            except ApiError as exc:
                if exc.code in ("idempotency_key_reused", "idempotency_in_progress"):
                    raise
                return _error_answer(business_id, key, print_, exc)
            except (APIException, DomainError) as exc:
                return _error_answer(business_id, key, print_, exc)

        return wrapper

    return decorate


def _error_answer(business_id, key, print_, exc):
    response = error_response_for(exc)
    if response.status_code < 500 and response.status_code != status.HTTP_429_TOO_MANY_REQUESTS:
        _store_error(business_id, key, print_, response)
    return response


class _Unstored(Exception):
    def __init__(self, response):
        self.response = response


def purge_expired() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
