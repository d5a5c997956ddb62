"""Cart and order resources as the gateway sees them: amounts are decimal strings in the
business's currency, with the currency code beside them."""
from decimal import Decimal, InvalidOperation

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shopchat.api.serializers import MoneyField, WaIdField
from shopchat.money import format_major

from ..models import Fulfilment, Order
from ..services import MAX_LINES, MAX_QUANTITY

RETAILER_ID_PATTERN = r"^[A-Za-z0-9_.\-]{1,100}$"


class TextField(serializers.CharField):
    """Free text from a chat or an ERP (address, note, reason, tracking): NUL characters, which
    no database column can hold, are dropped rather than refused."""

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str):
            data = data.replace("\x00", "")
        return super().run_validation(data)


def flat_errors(detail, prefix=""):
    """Nested serializer errors as the API's flat `fields`: {"items": ["items[0].quantity: ..."]}."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            out += flat_errors(value, name)
        return out
    if isinstance(detail, list):
        if all(isinstance(d, str) for d in detail):
            return [f"{prefix}: {d}" if prefix else str(d) for d in detail]
        out = []
        for index, value in enumerate(detail):
            if value:
                out += flat_errors(value, f"{prefix}[{index}]")
        return out
    return [f"{prefix}: {detail}" if prefix else str(detail)]


@extend_schema_field({"oneOf": [
    {"type": "string", "maxLength": 2000, "description": "Free text (kept as written, not checked)."},
    {"type": "object", "description": "A structured address, checked for its country: name, line1, line2, city, "
                                      "postcode, region, country (ISO 3166-1 alpha-2), phone, latitude, longitude.",
     "properties": {k: {"type": "string"} for k in ("name", "line1", "line2", "city", "postcode", "region",
                                                    "country", "phone")},
     "required": ["line1"]},
]})
class AddressOrTextField(serializers.Field):
    """The delivery address of a placement: a structured object (validated by the orders
    service, which names the bad field as `address.<field>`) or free text as before."""

    default_error_messages = {"invalid": "Send the address as an object (line1, city, postcode, country) or text."}

    def to_internal_value(self, data):
        if isinstance(data, str):
            return TextField(max_length=2000, allow_blank=True).run_validation(data)
        if isinstance(data, dict):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class DeliveryAddressSerializer(serializers.Serializer):
    name = serializers.CharField()
    line1 = serializers.CharField()
    line2 = serializers.CharField()
    city = serializers.CharField()
    postcode = serializers.CharField()
    region = serializers.CharField()
    country = serializers.CharField()
    phone = serializers.CharField()
    latitude = serializers.CharField(allow_null=True)
    longitude = serializers.CharField(allow_null=True)


class CustomerRefSerializer(serializers.Serializer):
    wa_id = serializers.CharField()
    name = serializers.CharField()


# --- cart ------------------------------------------------------------------------------

class CartLineSerializer(serializers.Serializer):
    retailer_id = serializers.CharField(source="product.retailer_id")
    title = serializers.CharField(source="product.title")
    quantity = serializers.IntegerField()
    unit_price = MoneyField(source="product.current_price_minor")
    line_total = MoneyField(source="line_total_minor")
    available = serializers.IntegerField(source="product.available_quantity", allow_null=True,
                                         help_text="Units still available; null when stock is not tracked.")


class CartSerializer(serializers.Serializer):
    customer = serializers.CharField(source="customer.wa_id")
    currency = serializers.CharField()
    items = CartLineSerializer(many=True)
    item_count = serializers.IntegerField()
    subtotal = MoneyField(source="subtotal_minor", help_text="Sum of the items at today's prices.")


class CartItemWriteSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


# --- orders ----------------------------------------------------------------------------

# Plain serializers with explicit fields: a ModelSerializer rebuilds its fields from the model
# on every response, which costs more than the rest of a small order's answer.

class OrderLineSerializer(serializers.Serializer):
    retailer_id = serializers.CharField()
    title = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = MoneyField(source="unit_price_minor")
    line_total = MoneyField(source="line_total_minor")


class OrderTransitionSerializer(serializers.Serializer):
    from_status = serializers.CharField(help_text="Empty for the placement.")
    to_status = serializers.ChoiceField(choices=Order.Status.choices)
    at = serializers.DateTimeField(source="created_at")
    note = serializers.CharField()


_DATETIME = serializers.DateTimeField()


def _datetime(value):
    return _DATETIME.to_representation(value) if value else None


class OrderSerializer(serializers.Serializer):
    # Every placement answers with it: `to_representation` writes out what the declared fields
    # give (a test checks that both agree), without copying the fields of this serializer and
    # of each line's on every answer; the fields still describe the answer in the schema. (A
    # comment, not a docstring: the schema would show a docstring as the answer's description.)
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Order.Status.choices)
    customer = CustomerRefSerializer()
    currency = serializers.CharField()
    lines = OrderLineSerializer(many=True)
    subtotal = MoneyField(source="subtotal_minor")
    tax = MoneyField(source="tax_minor")
    shipping = MoneyField(source="shipping_minor")
    discount = MoneyField(source="discount_minor")
    total = MoneyField(source="total_minor")
    refunded = MoneyField(source="refunded_minor")
    address = serializers.CharField(help_text="The delivery address on one line.")
    delivery_address = DeliveryAddressSerializer(allow_null=True, help_text="The structured address, if given.")
    fulfilment = serializers.ChoiceField(choices=Fulfilment.choices)
    shipping_method = serializers.CharField(help_text="The shipping option chosen, if any.")
    discount_label = serializers.CharField(help_text="The coupon code or automatic discount taken off, if any.")
    note = serializers.CharField()
    tracking_number = serializers.CharField()
    carrier = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, order):
        money = order.currency
        customer = order.customer
        return {
            "number": order.number, "status": str(order.status),
            "customer": {"wa_id": customer.wa_id, "name": customer.name}, "currency": money,
            "lines": [{"retailer_id": line.retailer_id, "title": line.title, "quantity": line.quantity,
                       "unit_price": format_major(line.unit_price_minor, money),
                       "line_total": format_major(line.line_total_minor, money)} for line in order.lines.all()],
            "subtotal": format_major(order.subtotal_minor, money), "tax": format_major(order.tax_minor, money),
            "shipping": format_major(order.shipping_minor, money),
            "discount": format_major(order.discount_minor, money), "total": format_major(order.total_minor, money),
            "refunded": format_major(order.refunded_minor, money), "address": order.address,
            "delivery_address": order.delivery_address, "fulfilment": str(order.fulfilment),
            "shipping_method": order.shipping_method, "discount_label": order.discount_label,
            "note": order.note,
            "tracking_number": order.tracking_number, "carrier": order.carrier,
            "expires_at": _datetime(order.expires_at), "paid_at": _datetime(order.paid_at),
            "shipped_at": _datetime(order.shipped_at), "delivered_at": _datetime(order.delivered_at),
            "cancelled_at": _datetime(order.cancelled_at), "created_at": _datetime(order.created_at),
            "updated_at": _datetime(order.updated_at),
        }


class OrderDetailSerializer(OrderSerializer):
    history = OrderTransitionSerializer(source="transitions", many=True)

    def to_representation(self, order):
        return {**super().to_representation(order), "history": [
            {"from_status": t.from_status, "to_status": str(t.to_status), "at": _datetime(t.created_at),
             "note": t.note} for t in order.transitions.all()]}


@extend_schema_field({"oneOf": [{"type": "string", "example": "249.50"}, {"type": "number", "example": 249.5}]})
class ItemPriceField(serializers.Field):
    """The unit price the customer saw: a decimal string, or a JSON number as WhatsApp sends it
    (read through its shortest decimal form, never as a binary float)."""

    default_error_messages = {"invalid": "Enter the price as a decimal string, e.g. \"249.50\"."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int, float)):
            self.fail("invalid")
        try:
            value = Decimal(str(data).strip())
        except (InvalidOperation, ValueError):
            self.fail("invalid")
        if not value.is_finite() or value < 0 or value >= Decimal(10) ** 15:
            self.fail("invalid")
        return value

    def to_representation(self, value):
        return str(value)


class OrderItemInSerializer(serializers.Serializer):
    retailer_id = TextField(max_length=100)  # unknown ids answer 409 unknown_products
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    item_price = ItemPriceField(
        required=False, allow_null=True,
        help_text="The price the customer saw; a different current price answers 409 price_changed.",
    )
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, allow_blank=True,
                                      help_text="ISO 4217; another currency than the shop's answers 409.")


class PlaceOrderSerializer(serializers.Serializer):
    customer = WaIdField(max_length=32, help_text="The customer's wa_id (E.164 digits).")
    name = TextField(max_length=200, required=False, allow_blank=True,
                                 help_text="The customer's name, stored if given.")
    from_cart = serializers.BooleanField(default=False, help_text="Order what is in the customer's cart.")
    items = serializers.ListField(child=OrderItemInSerializer(), required=False, min_length=1, max_length=MAX_LINES,
                                  help_text="The items of a WhatsApp order message (instead of from_cart).")
    address = AddressOrTextField(required=False, default="")
    address_label = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                          help_text="Deliver to one of the customer's saved addresses instead.")
    fulfilment = serializers.ChoiceField(choices=[Fulfilment.DELIVERY, Fulfilment.PICKUP], default=Fulfilment.DELIVERY,
                                         help_text="pickup: the customer collects it in store (no shipping fee).")
    coupon = serializers.CharField(
        max_length=40, required=False, allow_null=True, default=None,
        help_text="A coupon code; left out with from_cart: the code kept on the cart. An unusable code answers 400 "
                  "with a coupon_* code naming why (expired, used up, below its minimum...).")
    shipping_option = serializers.SlugField(
        max_length=40, required=False, allow_blank=True, default="",
        help_text="The code of a shipping option serving the address (see /shipping/options/); without it "
                  "the shop's flat shipping fee applies.")
    note = TextField(max_length=2000, required=False, allow_blank=True, default="")

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            raise serializers.ValidationError({
                key: value if isinstance(value, list) and all(isinstance(v, str) for v in value)
                else flat_errors(value, key)
                for key, value in exc.detail.items()
            }) from None

    def validate(self, attrs):
        if attrs.get("from_cart") and attrs.get("items"):
            raise serializers.ValidationError({"items": ["Send either items or from_cart, not both."]})
        if not attrs.get("from_cart") and not attrs.get("items"):
            raise serializers.ValidationError({"items": ["Send items, or from_cart: true to order the cart."]})
        return attrs


class CancelOrderSerializer(serializers.Serializer):
    reason = TextField(max_length=500, required=False, allow_blank=True, default="")


class ShipOrderSerializer(serializers.Serializer):
    tracking_number = TextField(max_length=100, required=False, allow_blank=True, default="")
    carrier = TextField(max_length=100, required=False, allow_blank=True, default="")
