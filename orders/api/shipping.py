"""`GET /api/v1/shipping/options/`: the shipping options that serve an address, priced for an
order value, as the gateway offers them to the customer before placing the order."""
from decimal import Decimal, InvalidOperation

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shopchat.api.base import BusinessScopedMixin
from shopchat.api.errors import ApiError
from shopchat.api.schema import errors
from shopchat.money import MoneyError, format_major, to_minor

from ..services import shipping
from ..services.addresses import Address


class ShippingQuoteSerializer(serializers.Serializer):
    code = serializers.CharField(source="option.code")
    name = serializers.CharField(source="option.name")
    description = serializers.CharField(source="option.description")
    kind = serializers.CharField(source="option.kind")
    price = serializers.CharField(help_text="Decimal string in the shop's currency.")
    currency = serializers.CharField()


class ShippingOptionsView(BusinessScopedMixin, APIView):
    @extend_schema(
        operation_id="shipping_options_list",
        parameters=[
            OpenApiParameter("country", str, description="ISO 3166-1 alpha-2 of the address (the shop's by default)."),
            OpenApiParameter("postcode", str, description="The address's postcode."),
            OpenApiParameter("order_value", str, description="The goods' value, a decimal string (0 by default)."),
        ],
        responses={200: ShippingQuoteSerializer(many=True), **errors(400, 401, 403, 429)},
        description="The shop's shipping options that serve the address (pickup in store always), with their "
                    "price for the order value; pass the chosen `code` as `shipping_option` when placing the order.",
    )
    def get(self, request):
        business = self.business
        params = request.query_params
        country = (params.get("country") or business.country).strip().upper()
        postcode = (params.get("postcode") or "").strip()[:20]
        if len(country) != 2 or not country.isalpha():
            raise ApiError(400, "validation_error", "country must be a two-letter code.",
                           fields={"country": ["Enter an ISO 3166-1 alpha-2 code, e.g. IN."]})
        try:
            value = to_minor(Decimal((params.get("order_value") or "0").strip()), business.currency)
        except (InvalidOperation, MoneyError, ValueError):
            value = -1
        if value < 0:
            raise ApiError(400, "validation_error", "order_value must be an amount.",
                           fields={"order_value": [f"Enter an amount in {business.currency}, e.g. 624.50."]})
        address = Address(name="", line1="", city="", country=country, postcode=postcode)
        quotes = shipping.quotes_for(business=business, address=address, items_minor=value)
        return Response([{"code": q.option.code, "name": q.option.name, "description": q.option.description,
                          "kind": q.option.kind, "price": format_major(q.price_minor, business.currency),
                          "currency": business.currency} for q in quotes])
