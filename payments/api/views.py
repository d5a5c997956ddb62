"""Payments API: pay and refund orders, the customer's wallet, and provider callbacks.
Views only translate HTTP to the services in `payments.services`."""
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.api.serializers import CancelOrderSerializer, OrderDetailSerializer
from orders.api.views import NUMBER as ORDER_NUMBER
from orders.api.views import OrderMixin
from orders.models import Order
from shopchat.api.base import BusinessScopedMixin
from shopchat.api.errors import error_body
from shopchat.api.schema import ERRORS, WA_ID_PARAM, errors
from shopchat.api.views import clean_wa_id
from shopchat.errors import InvalidInput
from shopchat.idempotency import idempotent
from shopchat.models import Customer
from shopchat.money import format_major

from .. import selectors, services
from ..models import FundingSource, Payment, TopUp
from . import serializers as s

IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True,
                               description="A unique key per operation; a retry with the same key and body "
                                           "returns the first response.")
NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH, description="Order number, e.g. SC-1042.")
MONEY_ERRORS = {**ERRORS, **errors(409, 422)}
DECLINED = OpenApiResponse(s.PaymentSerializer, description="Declined or insufficient funds: the error envelope "
                                                             "plus the failed `payment`/`top_up`.")


def _failed(code: str, message: str, key: str, data: dict) -> Response:
    return Response(error_body(402, code or "payment_failed", message or "The payment failed.", **{key: data}),
                    status=402)


class OrderPaymentView(BusinessScopedMixin, APIView):
    @extend_schema(operation_id="order_pay", parameters=[NUMBER, IDEMPOTENCY], request=s.PaymentRequestSerializer,
                   responses={201: s.PaymentSerializer, 202: s.PaymentSerializer, 402: DECLINED, **MONEY_ERRORS},
                   description="Pay the order from the customer's wallet or a linked card. 201 captured, 202 "
                               "pending (a provider callback completes it), 402 failed.")
    @idempotent(own_transactions=lambda request: isinstance(request.data, dict) and
                request.data.get("method") == Payment.Method.CARD)
    def post(self, request, number):
        body = s.PaymentRequestSerializer(data=request.data)
        if not body.is_valid():
            if not Order.objects.filter(business=self.business, number=number).exists():
                raise Http404("No such order.")  # an unknown order is a 404 before the body is judged
            raise ValidationError(body.errors)
        # the order (and, paying from the wallet, the wallet) is locked and read by the call's
        # first query, inside the idempotency block's transaction
        payment = services.pay_order_by_number(business=self.business, number=number,
                                               method=body.validated_data["method"],
                                               funding_source_id=body.validated_data.get("funding_source") or None)
        data = s.PaymentSerializer(payment, context={"currency": payment.currency}).data
        if payment.status == Payment.Status.FAILED:
            return _failed(payment.failure_code, payment.failure_reason, "payment", data)
        return Response(data, status=201 if payment.status == Payment.Status.CAPTURED else 202)


class OrderCancelView(OrderMixin, APIView):
    """Lives with payments: cancelling a paid order refunds it (`payments.services.cancel_order`)."""

    @extend_schema(
        operation_id="order_cancel", parameters=[ORDER_NUMBER], request=CancelOrderSerializer,
        responses={200: OrderDetailSerializer, **errors(400, 401, 403, 404, 409, 415, 422, 429)},
        description="Cancel an order that has not shipped; its stock is released and a paid order is refunded. "
                    "409 `illegal_transition` otherwise. Accepts an `Idempotency-Key`.",
    )
    @idempotent(required=False)
    def post(self, request, number):
        serializer = CancelOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.cancel_order(order=self.get_order(number), actor=request.user,
                                      reason=serializer.validated_data["reason"])
        return self.order_response(order)


class OrderRefundView(BusinessScopedMixin, APIView):
    required_scope = "integration"

    @extend_schema(operation_id="order_refund", parameters=[NUMBER, IDEMPOTENCY], request=s.RefundRequestSerializer,
                   responses={201: s.RefundSerializer, **MONEY_ERRORS},
                   description="Refund the order's captured payment in full (no amount) or in part.")
    @idempotent()
    def post(self, request, number):
        order = self.get_scoped_or_404(Order.objects.select_related("customer", "business"), number=number)
        body = s.RefundRequestSerializer(data=request.data, context={"business": self.business})
        body.is_valid(raise_exception=True)
        refund = services.refund_order(order=order, amount_minor=body.validated_data.get("amount"),
                                       reason=body.validated_data.get("reason", ""))
        return Response(s.RefundSerializer(refund, context={"currency": refund.currency}).data, status=201)


class WalletMixin(BusinessScopedMixin):
    def customer(self, wa_id) -> Customer:
        return self.get_scoped_or_404(Customer.objects.select_related("business"), wa_id=clean_wa_id(wa_id))


class WalletView(WalletMixin, APIView):
    @extend_schema(operation_id="wallet_retrieve", parameters=[WA_ID_PARAM],
                   responses={200: s.WalletSerializer, **ERRORS})
    def get(self, request, wa_id):
        summary = selectors.wallet_summary(customer=self.customer(wa_id))
        return Response(s.WalletSerializer(summary).data)


class FundingSourceView(WalletMixin, APIView):
    @extend_schema(operation_id="wallet_funding_source_create", parameters=[WA_ID_PARAM],
                   request=s.FundingSourceRequestSerializer,
                   responses={201: s.FundingSourceSerializer, **ERRORS},
                   description="Link a card: a provider token, or in the sandbox a test card number that is "
                               "tokenized at once (only token, brand, last four and expiry are stored).")
    def post(self, request, wa_id):
        customer = self.customer(wa_id)
        body = s.FundingSourceRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        source = services.add_funding_source(customer=customer, **body.validated_data)
        return Response(s.FundingSourceSerializer(source).data, status=201)


class CardSetupLinkView(WalletMixin, APIView):
    @extend_schema(operation_id="wallet_card_setup_link_create", parameters=[WA_ID_PARAM], request=None,
                   responses={201: s.CardSetupLinkSerializer, **ERRORS},
                   description="A link to the business's provider's page where the customer saves a card for "
                               "later payments (Stripe's SetupIntent). 400 when the "
                               "provider links cards through `funding-sources` instead (the sandbox).")
    def post(self, request, wa_id):
        url = services.card_setup_link(customer=self.customer(wa_id))
        return Response(s.CardSetupLinkSerializer({"url": url}).data, status=201)


class TopUpView(WalletMixin, APIView):
    @extend_schema(operation_id="wallet_top_up", parameters=[WA_ID_PARAM, IDEMPOTENCY],
                   request=s.TopUpRequestSerializer,
                   responses={201: s.TopUpSerializer, 202: s.TopUpSerializer, 402: DECLINED, **MONEY_ERRORS})
    @idempotent()
    def post(self, request, wa_id):
        customer = self.customer(wa_id)
        body = s.TopUpRequestSerializer(data=request.data, context={"business": self.business})
        body.is_valid(raise_exception=True)
        source = FundingSource.objects.filter(customer=customer, pk=body.validated_data["funding_source"]).first()
        if source is None:
            raise InvalidInput("funding_source", "No such card on this customer's wallet.")
        top = services.top_up(customer=customer, amount_minor=body.validated_data["amount"], funding_source=source)
        data = s.TopUpSerializer(top, context={"currency": top.currency}).data
        if top.status == TopUp.Status.FAILED:
            return _failed(top.failure_code, top.failure_reason, "top_up", data)
        return Response(data, status=201 if top.status == TopUp.Status.SUCCEEDED else 202)


class TransferView(WalletMixin, APIView):
    @extend_schema(operation_id="wallet_transfer", parameters=[WA_ID_PARAM, IDEMPOTENCY],
                   request=s.TransferRequestSerializer,
                   responses={201: s.TransferSerializer, **MONEY_ERRORS},
                   description="Send money to another customer by phone number; their wallet is created on "
                               "first receipt. Limits per transfer and per day are the business's.")
    @idempotent()
    def post(self, request, wa_id):
        sender = self.customer(wa_id)
        body = s.TransferRequestSerializer(data=request.data, context={"business": self.business})
        body.is_valid(raise_exception=True)
        sent = services.transfer(sender=sender, to_wa_id=body.validated_data["to"],
                                 amount_minor=body.validated_data["amount"], note=body.validated_data.get("note", ""))
        made = sent.transfer
        balance = format_major(sent.sender_balance_minor, made.currency)
        return Response(s.TransferSerializer(made, context={"currency": made.currency, "balance": balance}).data,
                        status=201)


class ProviderWebhookView(APIView):
    authentication_classes = []
    permission_classes = []

    @extend_schema(operation_id="payment_provider_webhook", auth=[], request=OpenApiTypes.OBJECT,
                   parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH,
                                                description="Provider, e.g. sandbox.")],
                   responses={200: s.CallbackAckSerializer, **errors(400, 404, 429)},
                   description="Signed callbacks from a payment provider; de-duplicated by the provider's event id.")
    def post(self, request, name, key=""):
        outcome = services.handle_provider_callback(provider_name=name, body=request.body, headers=request.headers,
                                                    webhook_key=key)
        return Response({"received": True, "duplicate": outcome.duplicate, "outcome": outcome.event.outcome})


class BusinessProviderWebhookView(ProviderWebhookView):
    """The same callbacks at a business's own webhook URL (its provider settings' key): the
    signature is checked with that business's webhook secret."""

    @extend_schema(operation_id="payment_provider_business_webhook", auth=[], request=OpenApiTypes.OBJECT,
                   parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH,
                                                description="Provider: stripe, razorpay or sandbox."),
                               OpenApiParameter("key", str, OpenApiParameter.PATH,
                                                description="The key of the business's webhook URL, shown in its "
                                                            "payment provider settings.")],
                   responses={200: s.CallbackAckSerializer, **errors(400, 404, 429)},
                   description="Signed callbacks from the business's payment provider (Stripe, Razorpay); "
                               "de-duplicated by the provider's event id.")
    def post(self, request, name, key=""):
        return super().post(request, name, key)
