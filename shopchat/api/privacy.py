"""Privacy endpoints for the merchant's integration (scope `integration`): a customer's data
export (GDPR Art. 15/20) and erasure (Art. 17). Both call `shopchat.privacy.services`."""
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..idempotency import idempotent
from ..models import Customer, ErasureRecord
from ..privacy import services
from .base import BusinessScopedMixin
from .schema import ERRORS, WA_ID_PARAM, errors
from .views import clean_wa_id

IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True,
                               description="A unique key per erasure; a retry returns the first answer.")


class EraseRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                   help_text="Why (e.g. 'customer request by e-mail'); no personal data.")


ErasureSerializer = inline_serializer(name="Erasure", fields={
    "erasure": serializers.IntegerField(), "status": serializers.CharField(), "erased_at": serializers.DateTimeField(),
    "counts": serializers.DictField(child=serializers.IntegerField()),
})


def erasure_body(record: ErasureRecord) -> dict:
    """The answer (and what the idempotency record keeps): no personal data."""
    erased_at = record.done_at.isoformat() if record.done_at else None
    return {"erasure": record.pk, "status": record.status, "erased_at": erased_at, "counts": record.counts}


class CustomerExportView(BusinessScopedMixin, APIView):
    required_scope = "integration"

    @extend_schema(operation_id="customer_export", parameters=[WA_ID_PARAM],
                   responses={200: OpenApiResponse(description="The export document (docs/PRIVACY.md)."), **ERRORS},
                   description="Everything the business holds about the customer, as one versioned JSON document.")
    def get(self, request, wa_id):
        customer = self.get_scoped_or_404(Customer.objects.all(), wa_id=clean_wa_id(wa_id))
        return Response(services.export_customer(customer=customer))


class CustomerEraseView(BusinessScopedMixin, APIView):
    required_scope = "integration"

    @extend_schema(operation_id="customer_erase", parameters=[WA_ID_PARAM, IDEMPOTENCY],
                   request=EraseRequestSerializer, responses={200: ErasureSerializer, **ERRORS, **errors(409, 422)},
                   description="Replace the customer's personal data with tombstones everywhere; money records stay. "
                               "409 `erasure_refused` (with `reasons`) while an order is open or the wallet holds "
                               "money.")
    @idempotent()
    def post(self, request, wa_id):
        customer = self.get_scoped_or_404(Customer.objects.all(), wa_id=clean_wa_id(wa_id))
        body = EraseRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = services.erase_customer(customer=customer, actor=request.user, reason=body.validated_data.get(
            "reason", ""), source=ErasureRecord.Source.API)
        return Response(erasure_body(record))
