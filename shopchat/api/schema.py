"""Shared pieces of the OpenAPI description: the error envelope and the usual error responses."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
            },
        )
    },
)


def errors(*statuses):
    text = {
        400: "Invalid input; `fields` names each bad field.", 401: "Missing, unknown or revoked API key.",
        403: "Suspended business or a scope the key lacks.", 404: "Not found (or another business's).",
        405: "Method not allowed.", 409: "Conflict with the current state.", 415: "Send application/json.",
        422: "Idempotency-Key reused with another request.", 429: "Throttled; see Retry-After.",
    }
    return {s: OpenApiResponse(ErrorSerializer, description=text.get(s, "Error")) for s in statuses}


ERRORS = errors(400, 401, 403, 404, 415, 429)


WA_ID_PATTERN = r"^\+?[1-9][0-9]{7,14}$"
WA_ID_PARAM = OpenApiParameter(
    "wa_id", str, OpenApiParameter.PATH, pattern=WA_ID_PATTERN,
    description="The customer's WhatsApp id: E.164 digits, country code first (a leading + is accepted).",
)


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes `Authorization: Api-Key <key>` in the OpenAPI schema."""

    target_class = "shopchat.api.auth.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Api-Key <key>`: a business's API key (scopes gateway, integration)."}
