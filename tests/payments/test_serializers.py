"""The answers the busiest endpoints write out equal what their declared fields give."""
from rest_framework import serializers

from payments import services
from payments.api.serializers import PaymentSerializer, TransferSerializer

from .conftest import DECLINED_CARD, add_card, order_for


def both(serializer_class, instance, **context):
    serializer = serializer_class(instance, context=context)
    fields = serializers.ModelSerializer.to_representation(serializer, instance)
    written = serializer.data
    assert list(written) == list(fields)
    return written, fields


def test_payments_written_out_equal_their_fields(funded):
    captured = services.pay_order(order=order_for(funded, 12_345), method="wallet")
    declined = services.pay_order(order=order_for(funded), method="card",
                                  funding_source=add_card(funded, DECLINED_CARD))
    for payment in (captured, declined):
        written, fields = both(PaymentSerializer, payment, currency=payment.currency)
        assert written == fields
    assert written["captured_at"] is None and written["funding_source"] == declined.funding_source_id


def test_transfers_written_out_equal_their_fields(funded):
    sent = services.transfer(sender=funded, to_wa_id="919876543210", amount_minor=1_050, note="tea").transfer
    written, fields = both(TransferSerializer, sent, currency=sent.currency, balance="123.00")
    assert written == fields and written["amount"] == "10.50" and written["balance"] == "123.00"
