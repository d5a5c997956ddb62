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
stays declined on retry); an unexpected error stores nothing, so the client may retry. A
deadlock or serialization failure runs the whole call again (`shopchat.conflicts`), then
answers 409 `conflict`, stored nowhere.

A call that reaches a payment provider must not hold its locks over the network: decorated with
`idempotent(own_transactions=...)`, such a call (the predicate says which) has its claim
committed first (a twin sent meanwhile sees it and is told 409), runs its own short
transactions, and has its answer stored after; if it fails unexpectedly the claim is released so
the client may retry (the provider's own idempotency key keeps the money from moving twice).

Two statements inside the call's transaction, written out (`shopchat.queries`): the ORM would
spend longer building them than the database spends running them, on every call that moves money.
"""
import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from . import conflicts, queries
from .api.errors import ApiError, error_response_for
from .errors import Conflict, DomainError
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"


def fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except Exception:
        body = request.body.decode(errors="replace")
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _body(response):
    """The response's data as the JSON column keeps it."""
    return json.loads(json.dumps(response.data, cls=DjangoJSONEncoder)) if response.data is not None else None


def _claim(business_id, key, print_):
    """Return (record id, None) when this call owns the key, or (None, response) to send back.
    Runs inside the call's transaction, so the claim commits with the call's writes."""
    while True:
        record_id = queries.claim_idempotency_key(business_id=business_id, key=key, fingerprint=print_)
        if record_id is queries.BUSY:
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
    if record.state != IdempotencyRecord.State.DONE:  # committed claims are always done
        raise _in_progress()
    response = Response(record.response_body, status=record.response_status)
    response["Idempotent-Replayed"] = "true"
    return None, response


def _in_progress():
    return ApiError(409, "idempotency_in_progress", "A request with this Idempotency-Key is still being processed.")


def _store(record_id, response):
    queries.store_idempotent_response(record_id=record_id, response_status=response.status_code,
                                      response_body=_body(response))


def _store_error(business_id, key, print_, response):
    """After the call's transaction rolled back: keep its error answer for the retries, unless
    a twin has claimed the key meanwhile (its answer is the one kept)."""
    with transaction.atomic():
        queries.claim_idempotency_key(business_id=business_id, key=key, fingerprint=print_,
                                      response_status=response.status_code, response_body=_body(response))


def idempotent(required: bool = True, own_transactions: Callable[[Any], bool] | None = None):
    """Decorate an APIView method that moves money. The business is the API key's.
    `own_transactions(request)` true: the call runs outside the key's transaction (see above)."""

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
            if own_transactions is not None and own_transactions(request):
                return _run_outside(method, self, request, args, kwargs, business_id, key, print_)

            def attempt():
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

            # A deadlock or serialization failure rolled the whole call back (claim included):
            # run it again, then answer 409 `conflict` (stored nowhere: a retry may succeed).
            return conflicts.run_retrying(attempt, what=type(self).__name__)

        return wrapper

    return decorate


def _run_outside(method, view, request, args, kwargs, business_id, key, print_):
    with transaction.atomic():
        record_id, replay = _claim(business_id, key, print_)
    if replay is not None:
        return replay
    try:
        try:
            response = method(view, request, *args, **kwargs)
        except (APIException, DomainError) as exc:
            response = error_response_for(exc)
    except BaseException:
        _release(record_id)
        raise
    if response.status_code >= 500 or response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        _release(record_id)
        return response
    with transaction.atomic():
        _store(record_id, response)
    return response


def _release(record_id):
    IdempotencyRecord.objects.filter(pk=record_id, state=IdempotencyRecord.State.STARTED).delete()


def _error_answer(business_id, key, print_, exc):
    response = error_response_for(exc)
    if response.status_code < 500 and response.status_code != status.HTTP_429_TOO_MANY_REQUESTS:
        _store_error(business_id, key, print_, response)
    return response


class _Unstored(Exception):
    def __init__(self, response):
        self.response = response


def run_once(*, business_id: int, key: str, fingerprint: str, operation, describe=lambda result: {}):
    """The same once-only guarantee for a caller outside the API (a back-office form that moves
    money carries its own key, so a double click or a resent form does the work once).

    Answers (result, True) when this call did the work, (stored answer, False) when the key was
    used before (the first call's `describe(result)`). Raises InProgress while a twin still runs.
    If `operation` raises, nothing is kept (the claim rolls back with the work) and the error
    goes to the caller, who may try again with the same key."""
    with transaction.atomic():
        record_id = queries.claim_idempotency_key(business_id=business_id, key=key, fingerprint=fingerprint)
        if record_id is queries.BUSY:
            raise InProgress()
        if record_id is None:
            record = IdempotencyRecord.objects.filter(business_id=business_id, key=key).first()
            return (record.response_body if record else None), False
        result = operation()
        queries.store_idempotent_response(record_id=record_id, response_status=200,
                                          response_body=json.loads(json.dumps(describe(result), cls=DjangoJSONEncoder)))
        return result, True


class InProgress(Conflict):
    def __init__(self) -> None:
        super().__init__(_("The same operation is still running; wait a moment."), code="idempotency_in_progress")


def purge_expired() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
