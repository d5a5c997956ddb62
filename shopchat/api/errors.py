"""One error format for every API failure:

    {"error": {"code": "validation_error", "message": "...", "fields": {"wa_id": ["..."]}}}

DRF's exceptions (validation, 401, 403, 404, 405, 406, 415, 429), Django's Http404 and
PermissionDenied, the services' domain errors (`shopchat.errors.DomainError`: each kind has its
status here), the API layer's own `ApiError` and anything unexpected (logged, answered 500
without internals) all come out in this shape.
"""
import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from shopchat.conflicts import TransactionConflict, is_transaction_conflict
from shopchat.errors import DomainError, ErrorKind

log = logging.getLogger("shopchat.api")


class ApiError(exceptions.APIException):
    """An error of the HTTP layer itself (headers, paging, idempotency keys), with its own
    status and code. Services raise domain errors instead (`shopchat.errors`)."""

    def __init__(self, status_code: int, code: str, message: str, fields: dict | None = None,
                 extra: dict | None = None):
        self.status_code = status_code
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}
        super().__init__(detail=message, code=code)


# The HTTP status of each kind of domain error.
STATUS_OF_KIND = {
    ErrorKind.INVALID: 400, ErrorKind.FORBIDDEN: 403, ErrorKind.NOT_FOUND: 404, ErrorKind.CONFLICT: 409,
    ErrorKind.UNPROCESSABLE: 422,
}

def status_of(exc: DomainError) -> int:
    """The HTTP status the API answers a domain error with."""
    return STATUS_OF_KIND[exc.kind]


DEFAULT_CODES = {
    400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 415: "unsupported_media_type",
    422: "unprocessable", 429: "throttled", 500: "server_error",
}


def _flatten(detail):
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(d, (dict, list)) for d in detail):
            return [str(d) for d in detail]
        return [_flatten(d) for d in detail]
    return [str(detail)]


def error_body(status_code: int, code: str, message: str, fields: dict | None = None, **extra) -> dict:
    body = {"code": code, "message": message, "fields": fields or {}}
    body.update(extra)
    return {"error": body}


def error_response_for(exc) -> Response:
    """The formatted response for an exception (used by the handler and by idempotency)."""
    headers = {}
    if isinstance(exc, DomainError):
        status_code = status_of(exc)
        return Response(error_body(status_code, str(exc.code), exc.message, exc.fields, **exc.data), status=status_code)
    if isinstance(exc, ApiError):
        return Response(error_body(exc.status_code, exc.code, exc.message, exc.fields, **exc.extra),
                        status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = {k: v for k, v in _flatten(detail).items() if k != "non_field_errors"}
            general = _flatten(detail.get("non_field_errors", []))
            message = general[0] if general else "Some fields are invalid: " + ", ".join(sorted(fields)) + "."
        else:
            fields, message = {}, "; ".join(_flatten(detail))
        return Response(error_body(400, "validation_error", message, fields), status=400)
    if isinstance(exc, exceptions.Throttled):
        wait = exc.wait  # type: ignore[attr-defined]  # set by Throttled.__init__; the stubs leave it out
        if wait is not None:
            headers["Retry-After"] = str(int(wait) + 1)
        return Response(error_body(429, "throttled", "Too many requests for this API key; retry later."),
                        status=429, headers=headers)
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else DEFAULT_CODES.get(exc.status_code, "error")
        if code in ("error", "invalid"):
            code = DEFAULT_CODES.get(exc.status_code, code)
        message = exc.detail if isinstance(exc.detail, str) else "; ".join(_flatten(exc.detail))
        return Response(error_body(exc.status_code, code, str(message)), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "; ".join(exc.messages)
        return Response(error_body(400, "validation_error", message, fields), status=400)
    raise TypeError(exc)


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if is_transaction_conflict(exc):  # a deadlock no retry cleared: the caller may send it again
        response = error_response_for(TransactionConflict())
        response["Retry-After"] = "1"
        return response
    if isinstance(exc, DomainError):
        response = error_response_for(exc)
        if isinstance(exc, TransactionConflict):
            response["Retry-After"] = "1"
        return response
    if isinstance(exc, (exceptions.APIException, DjangoValidationError)):
        response = drf_exception_handler(exc, context) if isinstance(exc, exceptions.APIException) else None
        formatted = error_response_for(exc)
        if response is not None:
            for header in ("WWW-Authenticate", "Allow", "Retry-After"):
                if header in response:
                    formatted[header] = response[header]
        return formatted
    view = context.get("view")
    log.exception("unhandled error in %s", type(view).__name__ if view else "API", exc_info=exc)
    return Response(
        error_body(500, "server_error", "Something went wrong on our side. It has been logged."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def json_not_found(request, exception=None):
    """handler404 for paths under /api/ (and /webhooks/): JSON instead of an HTML page."""
    return JsonResponse(error_body(404, "not_found", "No such endpoint."), status=404)


def json_server_error(request):
    return JsonResponse(error_body(500, "server_error", "Something went wrong on our side. It has been logged."),
                        status=500)
