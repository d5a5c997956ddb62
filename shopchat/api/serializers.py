"""Serializers of the core resources, and the money field every app uses."""
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..money import MoneyError, format_major, to_minor
from ..validators import normalize_wa_id, validate_wa_id
from .schema import WA_ID_PATTERN


@extend_schema_field({"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "example": "1249.50"})
class MoneyField(serializers.Field):
    """Minor units inside, a decimal string in the major unit outside ("1249.50").

    Needs the currency: from `context["currency"]` or the business in the context."""

    default_error_messages = {"invalid": "Enter an amount as a decimal string, e.g. \"12.50\"."}

    def _currency(self):
        ctx = self.context
        return ctx.get("currency") or ctx["business"].currency

    def to_representation(self, value):
        return format_major(value, self._currency())

    def to_internal_value(self, data):
        if not isinstance(data, (str, int)) or isinstance(data, bool):
            self.fail("invalid")
        try:
            return to_minor(data, self._currency())
        except MoneyError as exc:
            raise serializers.ValidationError(str(exc)) from None


@extend_schema_field({"type": "string", "pattern": WA_ID_PATTERN, "example": "919812345678"})
class WaIdField(serializers.CharField):
    """A chat customer's WhatsApp id: E.164 digits (a leading + and spaces are tolerated)."""

    def to_internal_value(self, data):
        wa_id = normalize_wa_id(super().to_internal_value(data))
        try:
            validate_wa_id(wa_id)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return wa_id


class CustomerSerializer(serializers.Serializer):
    wa_id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    locale = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    marketing_opt_in_at = serializers.DateTimeField(read_only=True, allow_null=True)
    marketing_opt_out_at = serializers.DateTimeField(read_only=True, allow_null=True)


class CustomerWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    locale = serializers.RegexField(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$", max_length=16, required=False,
                                    allow_blank=True)
    marketing_opt_in = serializers.BooleanField(
        required=False, help_text="true: the customer agreed to marketing messages now (recorded with source api); "
                                  "false: they withdrew it.")
