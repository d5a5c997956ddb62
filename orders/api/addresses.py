"""Saved delivery addresses of a chat customer: `/customers/{wa_id}/addresses/` (list) and
`/customers/{wa_id}/addresses/{label}/` (PUT, GET, DELETE). Thin: parse, call the service."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shopchat.api.schema import WA_ID_PARAM, errors

from ..models import CustomerAddress
from ..services import addresses
from .views import CustomerScopedMixin

LABEL = OpenApiParameter("label", str, OpenApiParameter.PATH, pattern=addresses.LABEL_RE.pattern,
                         description="The customer's name for the address: home, office, ...")


@extend_schema_field({"oneOf": [{"type": "string", "example": "12.971599"}, {"type": "number", "example": 12.9716}],
                      "nullable": True})
class CoordinateField(serializers.Field):
    """Degrees as a decimal string or a JSON number (read through its shortest decimal form)."""

    default_error_messages = {"invalid": "Enter a number of degrees, e.g. \"12.971599\"."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int, float)):
            self.fail("invalid")
        return str(data)

    def to_representation(self, value):
        return None if value is None else str(value)


class AddressInSerializer(serializers.Serializer):
    """A delivery address; `name` and `phone` default to the customer's, `country` to the shop's.
    Checked for its country (postcode format, required region) by the service."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    line1 = serializers.CharField(max_length=200, help_text="Street and number (house, building).")
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                  help_text="Floor, flat, landmark.")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=20, required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                   help_text="State, province or county where the country has them.")
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, allow_blank=True,
                                     help_text="ISO 3166-1 alpha-2; the shop's country when left out.")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                  help_text="E.164; the customer's WhatsApp number when left out.")
    latitude = CoordinateField(required=False, allow_null=True)
    longitude = CoordinateField(required=False, allow_null=True)


class AddressSerializer(serializers.Serializer):
    # the answer's key is `label`, which DRF's Field also names its (unused here) form label
    label = serializers.CharField()  # type: ignore[assignment]
    name = serializers.CharField()
    line1 = serializers.CharField()
    line2 = serializers.CharField()
    city = serializers.CharField()
    postcode = serializers.CharField()
    region = serializers.CharField()
    country = serializers.CharField()
    phone = serializers.CharField()
    latitude = CoordinateField(allow_null=True)
    longitude = CoordinateField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)


class CustomerAddressesView(CustomerScopedMixin, APIView):
    @extend_schema(operation_id="customer_addresses_list", parameters=[WA_ID_PARAM],
                   responses={200: AddressSerializer(many=True), **errors(400, 401, 403, 404, 429)},
                   description="The customer's saved delivery addresses, last used first.")
    def get(self, request, wa_id):
        customer = self.get_customer(wa_id)
        return Response(AddressSerializer(CustomerAddress.objects.filter(customer=customer), many=True).data)


class CustomerAddressView(CustomerScopedMixin, APIView):
    def get_address(self, wa_id, label):
        return self.get_scoped_or_404(CustomerAddress.objects.all(), customer=self.get_customer(wa_id),
                                      label=label.lower())

    @extend_schema(operation_id="customer_address_retrieve", parameters=[WA_ID_PARAM, LABEL],
                   responses={200: AddressSerializer, **errors(400, 401, 403, 404, 429)},
                   description="One saved address.")
    def get(self, request, wa_id, label):
        return Response(AddressSerializer(self.get_address(wa_id, label)).data)

    @extend_schema(operation_id="customer_address_put", parameters=[WA_ID_PARAM, LABEL], request=AddressInSerializer,
                   responses={200: AddressSerializer, **errors(400, 401, 403, 404, 415, 429)},
                   description="Save (create or replace) the address `label`; the customer is created if new. "
                               f"At most {addresses.MAX_SAVED} per customer. A postcode that does not exist in "
                               "the country, or a missing region where the country needs one, answers 400 "
                               "naming the field.")
    def put(self, request, wa_id, label):
        serializer = AddressInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = self.get_customer(wa_id, create=True)
        address = addresses.clean_address(serializer.validated_data, customer=customer,
                                          default_country=self.business.country, prefix="")
        saved = addresses.save_address(business=self.business, customer=customer, label=label, address=address)
        return Response(AddressSerializer(saved).data)

    @extend_schema(operation_id="customer_address_delete", parameters=[WA_ID_PARAM, LABEL],
                   responses={204: None, **errors(400, 401, 403, 404, 429)},
                   description="Forget the saved address (orders keep their own copy).")
    def delete(self, request, wa_id, label):
        customer = self.get_customer(wa_id)
        addresses.delete_address(business=self.business, customer=customer, label=label)
        return Response(status=204)
