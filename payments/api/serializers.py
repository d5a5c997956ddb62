"""Payments API shapes: amounts are decimal strings in the major unit beside the currency."""
from rest_framework import serializers

from shopchat.api.serializers import MoneyField
from shopchat.money import format_major

from ..models import FundingSource, Payment, Refund, TopUp, Transfer

_DATETIME = serializers.DateTimeField()


class WrittenOut:
    # For the answers of the busiest endpoints: `written_out()` gives what the declared fields
    # give, without a ModelSerializer building its fields from the model on every call (a test
    # checks that both agree); the fields still describe the answer in the schema. (A comment,
    # not a docstring: the schema would show a docstring as the answer's description.)

    def to_representation(self, instance):
        return self.written_out(instance, self.context.get("currency") or self.context["business"].currency)

    @staticmethod
    def datetime(value):
        return _DATETIME.to_representation(value) if value else None


class PaymentRequestSerializer(serializers.Serializer):
    # WhatsApp Pay payments are started by the customer in WhatsApp, never through this API
    method = serializers.ChoiceField(choices=[(m.value, m.label) for m in (Payment.Method.WALLET, Payment.Method.CARD)])
    funding_source = serializers.IntegerField(required=False, min_value=1,
                                              help_text="Id of a linked card (method card).")

    def validate(self, data):
        if data["method"] == Payment.Method.CARD and not data.get("funding_source"):
            raise serializers.ValidationError({"funding_source": ["Required when paying by card."]})
        return data


class PaymentSerializer(WrittenOut, serializers.ModelSerializer):
    order = serializers.CharField(source="order.number")
    amount = MoneyField(source="amount_minor")
    commission = MoneyField(source="commission_minor")
    refunded = MoneyField(source="refunded_minor")
    funding_source = serializers.IntegerField(source="funding_source_id", allow_null=True)

    class Meta:
        model = Payment
        fields = ["id", "order", "method", "status", "amount", "refunded", "commission", "currency", "funding_source",
                  "provider", "provider_reference", "failure_code", "failure_reason", "captured_at", "created_at"]

    def written_out(self, payment, currency):
        return {
            "id": payment.pk, "order": payment.order.number, "method": str(payment.method),
            "status": str(payment.status), "amount": format_major(payment.amount_minor, currency),
            "refunded": format_major(payment.refunded_minor, currency),
            "commission": format_major(payment.commission_minor, currency), "currency": payment.currency,
            "funding_source": payment.funding_source_id, "provider": payment.provider,
            "provider_reference": payment.provider_reference, "failure_code": payment.failure_code,
            "failure_reason": payment.failure_reason, "captured_at": self.datetime(payment.captured_at),
            "created_at": self.datetime(payment.created_at),
        }


class RefundRequestSerializer(serializers.Serializer):
    amount = MoneyField(required=False, help_text="Leave out to refund all that is left.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class RefundSerializer(serializers.ModelSerializer):
    order = serializers.CharField(source="payment.order.number")
    payment = serializers.IntegerField(source="payment_id")
    amount = MoneyField(source="amount_minor")

    class Meta:
        model = Refund
        fields = ["id", "order", "payment", "amount", "currency", "reason", "provider_reference", "created_at"]


class FundingSourceRequestSerializer(serializers.Serializer):
    token = serializers.CharField(required=False, max_length=100, help_text="A provider token.")
    card_number = serializers.CharField(required=False, max_length=23, write_only=True,
                                        help_text="Sandbox only: a test card number, tokenized at once.")
    exp_month = serializers.IntegerField(required=False, min_value=1, max_value=12)
    exp_year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)

    def validate(self, data):
        if not data.get("token") and not data.get("card_number"):
            raise serializers.ValidationError({"token": ["Send a provider token (or, in the sandbox, card_number)."]})
        return data


class CardSetupLinkSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The provider's page where the customer saves a card (Stripe: a "
                                         "SetupIntent's Checkout page). Send it into the chat; the card joins "
                                         "the wallet when the provider's webhook reports it saved.")


class FundingSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingSource
        fields = ["id", "provider", "brand", "last4", "exp_month", "exp_year", "created_at"]


class TopUpRequestSerializer(serializers.Serializer):
    amount = MoneyField()
    funding_source = serializers.IntegerField(min_value=1)


class TopUpSerializer(serializers.ModelSerializer):
    amount = MoneyField(source="amount_minor")
    funding_source = serializers.IntegerField(source="funding_source_id")

    class Meta:
        model = TopUp
        fields = ["id", "status", "amount", "currency", "funding_source", "provider_reference", "failure_code",
                  "failure_reason", "created_at"]


class TransferRequestSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=20, help_text="The recipient's WhatsApp number (E.164 digits).")
    amount = MoneyField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=140)


class TransferSerializer(WrittenOut, serializers.ModelSerializer):
    sender = serializers.CharField(source="sender.wa_id")
    to = serializers.CharField(source="recipient.wa_id")
    amount = MoneyField(source="amount_minor")
    balance = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = ["id", "sender", "to", "amount", "currency", "note", "balance", "created_at"]

    def get_balance(self, obj) -> str:
        """The sender's wallet balance after the transfer."""
        return self.context.get("balance", "")

    def written_out(self, transfer, currency):
        return {
            "id": transfer.pk, "sender": transfer.sender.wa_id, "to": transfer.recipient.wa_id,
            "amount": format_major(transfer.amount_minor, currency), "currency": transfer.currency,
            "note": transfer.note, "balance": self.get_balance(transfer),
            "created_at": self.datetime(transfer.created_at),
        }


class ActivitySerializer(serializers.Serializer):
    kind = serializers.CharField()
    amount = serializers.CharField(help_text="Signed: negative when money left the wallet.")
    memo = serializers.CharField()
    created_at = serializers.DateTimeField()


class WalletSerializer(serializers.Serializer):
    customer = serializers.CharField()
    balance = serializers.CharField()
    currency = serializers.CharField()
    funding_sources = FundingSourceSerializer(many=True)
    recent_activity = ActivitySerializer(many=True)


class CallbackAckSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    duplicate = serializers.BooleanField()
    outcome = serializers.CharField()
