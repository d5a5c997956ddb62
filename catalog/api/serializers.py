"""Catalog API shapes. Amounts are decimal strings in the business currency beside `currency`.
Write bodies are checked by the same rules as feed rows (`catalog.feeds.clean_json_product`)."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shopchat.api.serializers import MoneyField
from shopchat.money import format_major

from .. import feeds
from ..models import VARIANT_ATTRIBUTES, Collection, Product


@extend_schema_field({"type": "string", "format": "decimal", "example": "1249.50",
                     "description": "Amount in the major unit of `currency`."})
class Money(MoneyField):
    pass


class CollectionSerializer(serializers.ModelSerializer):
    product_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Collection
        fields = ["slug", "name", "position", "product_count"]


class ProductSerializer(serializers.Serializer):
    """One product sheet (a plain Serializer: no model introspection on every request)."""

    retailer_id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    price = Money(source="price_minor", read_only=True)
    sale_price = Money(source="sale_price_minor", allow_null=True, read_only=True)
    currency = serializers.SerializerMethodField()
    availability = serializers.ChoiceField(choices=Product.Availability.choices, read_only=True)
    condition = serializers.ChoiceField(choices=Product.Condition.choices, read_only=True)
    brand = serializers.CharField(read_only=True)
    link = serializers.CharField(read_only=True)
    image_link = serializers.CharField(read_only=True)
    product_type = serializers.CharField(read_only=True)
    stock_quantity = serializers.IntegerField(allow_null=True, read_only=True, help_text="null: not tracked")
    available_quantity = serializers.IntegerField(allow_null=True, read_only=True,
                                                  help_text="Units that can be ordered now; null: not tracked.")
    item_group_id = serializers.CharField(read_only=True, help_text="The variant group (the feed's item_group_id); "
                                          "empty: not a variant. GET /catalog/product-groups/{item_group_id}/ "
                                          "lists the group.")
    size = serializers.CharField(read_only=True)
    color = serializers.CharField(read_only=True)
    material = serializers.CharField(read_only=True)
    pattern = serializers.CharField(read_only=True)
    gender = serializers.ChoiceField(choices=Product.Gender.choices, allow_blank=True, read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_currency(self, obj) -> str:
        return self.context["business"].currency

    def to_representation(self, obj):
        # The declared fields describe the schema; building the dict directly is several times
        # faster than DRF's field-by-field walk, which matters for pages of 100 products.
        currency = self.context["business"].currency
        sale = obj.sale_price_minor
        return {
            "retailer_id": obj.retailer_id, "title": obj.title, "description": obj.description,
            "price": format_major(obj.price_minor, currency),
            "sale_price": None if sale is None else format_major(sale, currency),
            "currency": currency, "availability": obj.availability, "condition": obj.condition,
            "brand": obj.brand, "link": obj.link, "image_link": obj.image_link, "product_type": obj.product_type,
            "stock_quantity": obj.stock_quantity, "available_quantity": obj.available_quantity,
            "item_group_id": obj.item_group_id, "size": obj.size, "color": obj.color, "material": obj.material,
            "pattern": obj.pattern, "gender": obj.gender,
            "updated_at": _DATETIME.to_representation(obj.updated_at),
        }


class ProductGroupSerializer(serializers.Serializer):
    """A variant group: what its variants share, what tells them apart, and every active variant.
    Built from the list of variants (`selectors.group_variants`), no query of its own."""

    item_group_id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True, help_text="The first variant's title (variants share one).")
    varies = serializers.ListField(
        child=serializers.ChoiceField(choices=VARIANT_ATTRIBUTES), read_only=True,
        help_text="The attributes whose values differ between the variants, in the order to ask for them.")
    options = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), read_only=True,
        help_text="Each attribute the variants have, with its values in the variants' order.")
    variants = ProductSerializer(many=True, read_only=True)

    def to_representation(self, variants):
        from .. import selectors

        sheet = ProductSerializer(context=self.context)
        options: dict[str, list[str]] = {}
        for name in VARIANT_ATTRIBUTES:
            values = list(dict.fromkeys(getattr(p, name) for p in variants if getattr(p, name)))
            if values:
                options[name] = values
        return {
            "item_group_id": variants[0].item_group_id, "title": variants[0].title,
            "varies": selectors.varying_attributes(variants), "options": options,
            "variants": [sheet.to_representation(p) for p in variants],
        }


_DATETIME = serializers.DateTimeField()


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
    item_group_id = serializers.RegexField(
        feeds.columns.RETAILER_ID_RE.pattern, required=False, allow_blank=True, max_length=feeds.MAX_GROUP_ID,
        help_text="Variants of one product share it (often the parent SKU); empty: not a variant.")
    size = serializers.CharField(required=False, allow_blank=True, max_length=feeds.MAX_SIZE)
    color = serializers.CharField(required=False, allow_blank=True, max_length=feeds.MAX_COLOR)
    material = serializers.CharField(required=False, allow_blank=True, max_length=feeds.MAX_MATERIAL)
    pattern = serializers.CharField(required=False, allow_blank=True, max_length=feeds.MAX_PATTERN)
    gender = serializers.ChoiceField(choices=Product.Gender.choices, required=False, allow_blank=True)
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
    # A declared field is taken off the class by DRF's metaclass: it does not hide Serializer.data at run time.
    data = serializers.DictField(  # type: ignore[assignment]
        required=False, help_text="The product fields, as in PUT (UPDATE: those to change).")


class BatchSerializer(serializers.Serializer):
    # many=True hands max_length to the ListSerializer (the stubs only know the child's arguments).
    requests = BatchItemSerializer(many=True, max_length=5000, allow_empty=False)  # type: ignore[call-arg]


class BatchResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    retailer_id = serializers.CharField(allow_null=True)
    method = serializers.CharField()
    status = serializers.ChoiceField(choices=["created", "updated", "deleted", "error"])
    # Taken off the class by DRF's metaclass: it does not hide Serializer.errors at run time.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()))


class BatchResponseSerializer(serializers.Serializer):
    results = BatchResultSerializer(many=True)
