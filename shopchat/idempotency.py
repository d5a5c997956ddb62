"""Idempotency keys with Stripe's semantics, for every API call that moves money.

- the same key and body: the first response again (stored for IDEMPOTENCY_KEEP_HOURS);
- the same key with another body (or on another endpoint): 422 `idempotency_key_reused`;
- the same key while the first call still runs: 409 `idempotency_in_progress`.

The key is claimed in its own committed transaction, so a concurrent twin sees it at once.
The call's own writes and the stored response commit together; if the call raises, its
writes roll back and the error response is stored instead (a declined card stays declined
on retry). An unexpected error frees the key so the client may retry.
"""
import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .api.errors import ApiError, error_response_for
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
LEASE = timedelta(minutes=2)


def fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except Exception:
        body = request.body.decode(errors="replace")
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _claim(business, key, print_):
    """Return (record, None) when this call owns the key, or (None, response) to send back."""
    now = timezone.now()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                business=business, key=key, fingerprint=print_, locked_until=now + LEASE
            ), None
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.filter(business=business, key=key).first()
    if record is None:  # purged between our insert and our read
        return _claim(business, key, print_)
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
    # Started: still running, unless its lease ran out (the worker died; its writes rolled back).
    taken = IdempotencyRecord.objects.filter(
        pk=record.pk, state=IdempotencyRecord.State.STARTED, locked_until__lt=now
    ).update(locked_until=now + LEASE)
    if taken:
        return record, None
    raise ApiError(409, "idempotency_in_progress", "A request with this Idempotency-Key is still being processed.")


def _store(record, response):
    body = json.loads(JSONRenderer().render(response.data)) if response.data is not None else None
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        state=IdempotencyRecord.State.DONE, response_status=response.status_code, response_body=body
    )


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
            record, replay = _claim(request.auth.business, key, fingerprint(request))
            if replay is not None:
                return replay
            try:
                with transaction.atomic():
                    response = method(self, request, *args, **kwargs)
                    if response.status_code < 500:
                        _store(record, response)
                        return response
                    raise _Unstored(response)
            except _Unstored as unstored:
                record.delete()
                return unstored.response
            except APIException as exc:
                response = error_response_for(exc)
                if response.status_code < 500 and response.status_code != status.HTTP_429_TOO_MANY_REQUESTS:
                    _store(record, response)
                else:
                    record.delete()
                return response
            except BaseException:
                record.delete()
                raise

        return wrapper

    return decorate


class _Unstored(Exception):
    def __init__(self, response):
        self.response = response


def purge_expired() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
