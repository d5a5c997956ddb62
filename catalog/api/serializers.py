"""Catalog API shapes. Amounts are decimal strings in the business currency beside `currency`.
Write bodies are checked by the same rules as feed rows (`catalog.feeds.clean_json_product`)."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shopchat.api.serializers import MoneyField

from .. import feeds
from ..models import Collection, Product


@extend_schema_field({"type": "string", "format": "decimal", "example": "1249.50",
                     "description": "Amount in the major unit of `currency`."})
class Money(MoneyField):
    pass


class CollectionSerializer(serializers.ModelSerializer):
    product_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Collection
        fields = ["slug", "name", "position", "product_count"]


class ProductSerializer(serializers.ModelSerializer):
    price = Money(source="price_minor")
    sale_price = Money(source="sale_price_minor", allow_null=True)
    currency = serializers.SerializerMethodField()
    available_quantity = serializers.IntegerField(allow_null=True, read_only=True,
                                                  help_text="Units that can be ordered now; null: not tracked.")

    class Meta:
        model = Product
        fields = ["retailer_id", "title", "description", "price", "sale_price", "currency", "availability",
                  "condition", "brand", "link", "image_link", "product_type", "stock_quantity",
                  "available_quantity", "updated_at"]

    def get_currency(self, obj) -> str:
        return self.context["business"].currency


AMOUNT_RE = r"^\d{1,15}(\.\d{1,3})?$"


def amount_field(**kwargs):
    return serializers.RegexField(AMOUNT_RE, max_length=19, help_text='Decimal string in the business currency, '
                                  'e.g. "12.50".', **kwargs)


class _CheckedBody(serializers.Serializer):
    """Declares the fields (for the schema and type checks); the rules run in validate()."""

    partial_body = False

    def validate(self, attrs):
        business = self.context["business"]
        values, is_active, errors = feeds.clean_json_product(
            self.initial_data, currency=business.currency, partial=self.partial_body)
        if errors:
            raise serializers.ValidationError(errors)
        return {"values": values, "is_active": is_active}


class ProductWriteSerializer(_CheckedBody):
    title = serializers.CharField(max_length=feeds.MAX_TITLE)
    description = serializers.CharField(required=False, allow_blank=True, max_length=feeds.MAX_DESCRIPTION)
    price = amount_field()
    sale_price = amount_field(required=False, allow_blank=True, allow_null=True)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, allow_blank=True,
                                      help_text="Must be the business currency.")
    availability = serializers.ChoiceField(choices=Product.Availability.choices, required=False)
    condition = serializers.ChoiceField(choices=Product.Condition.choices, required=False)
    brand = serializers.CharField(required=False, allow_blank=True, max_length=feeds.MAX_BRAND)
    link = serializers.CharField(required=False, allow_blank=True, max_length=feeds.MAX_URL)
    image_link = serializers.CharField(required=False, allow_blank=True, max_length=feeds.MAX_URL)
    product_type = serializers.CharField(required=False, allow_blank=True, max_length=feeds.MAX_TYPE)
    stock_quantity = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                              max_value=feeds.MAX_INVENTORY, help_text="null: not tracked")
    is_active = serializers.BooleanField(required=False)


class ProductPatchSerializer(_CheckedBody):
    partial_body = True

    price = amount_field(required=False)
    sale_price = amount_field(required=False, allow_blank=True, allow_null=True)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, allow_blank=True)
    availability = serializers.ChoiceField(choices=Product.Availability.choices, required=False)
    stock_quantity = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                              max_value=feeds.MAX_INVENTORY)
    is_active = serializers.BooleanField(required=False)

    PATCHABLE = {"price", "sale_price", "currency", "availability", "stock_quantity", "is_active"}

    def validate(self, attrs):
        unknown = set(self.initial_data) - self.PATCHABLE if isinstance(self.initial_data, dict) else set()
        if unknown:
            raise serializers.ValidationError(
                {name: ["cannot be changed with PATCH; use PUT"] for name in sorted(unknown)})
        if isinstance(self.initial_data, dict):
            self.initial_data = {k: v for k, v in self.initial_data.items() if k in self.PATCHABLE}
        return super().validate(attrs)


class BatchItemSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=["CREATE", "UPDATE", "DELETE"])
    retailer_id = serializers.CharField(max_length=200)
    data = serializers.DictField(required=False, help_text="The product fields, as in PUT (UPDATE: those to change).")


class BatchSerializer(serializers.Serializer):
    requests = BatchItemSerializer(many=True, max_length=5000, allow_empty=False)


class BatchResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    retailer_id = serializers.CharField(allow_null=True)
    method = serializers.CharField()
    status = serializers.ChoiceField(choices=["created", "updated", "deleted", "error"])
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class BatchResponseSerializer(serializers.Serializer):
    results = BatchResultSerializer(many=True)
