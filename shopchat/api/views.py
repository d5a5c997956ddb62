"""Core gateway endpoints: the chat customer."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import consent, services
from ..models import Customer
from ..validators import normalize_wa_id, validate_wa_id
from .base import BusinessScopedMixin
from .errors import ApiError
from .schema import ERRORS, WA_ID_PARAM
from .serializers import CustomerSerializer, CustomerWriteSerializer


def clean_wa_id(raw: str) -> str:
    """The path's wa_id, validated: 400 naming the field when it is not an E.164 number."""
    wa_id = normalize_wa_id(raw)
    try:
        validate_wa_id(wa_id)
    except DjangoValidationError as exc:
        raise ApiError(400, "validation_error", "wa_id is not a valid WhatsApp number.",
                       {"wa_id": exc.messages}) from None
    return wa_id


class CustomerView(BusinessScopedMixin, APIView):
    @extend_schema(operation_id="customer_retrieve", parameters=[WA_ID_PARAM],
                   responses={200: CustomerSerializer, **ERRORS})
    def get(self, request, wa_id):
        customer = self.get_scoped_or_404(Customer.objects.all(), wa_id=clean_wa_id(wa_id))
        return Response(CustomerSerializer(customer).data)

    @extend_schema(
        operation_id="customer_upsert",
        parameters=[WA_ID_PARAM],
        request=CustomerWriteSerializer,
        responses={200: CustomerSerializer, 201: CustomerSerializer, **ERRORS},
        description="Create the chat customer, or update the fields sent. Unknown fields are ignored.",
    )
    def put(self, request, wa_id):
        wa_id = clean_wa_id(wa_id)
        serializer = CustomerWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        marketing = fields.pop("marketing_opt_in", None)
        if marketing is None:
            saved = services.put_customer(business=self.business, wa_id=wa_id, **fields)
        else:
            with transaction.atomic():
                saved = services.put_customer(business=self.business, wa_id=wa_id, **fields)
                consent.record_choice(customer=saved.customer, agreed=marketing, source="api")
        return Response(CustomerSerializer(saved.customer).data, status=201 if saved.created else 200)
