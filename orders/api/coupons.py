"""`PUT/DELETE /api/v1/customers/{wa_id}/cart/coupon/`: a coupon code kept on the customer's
cart for the next order, answered with what it takes off the cart now. Thin: parse, call the
discounts service."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shopchat.api.schema import WA_ID_PARAM, errors
from shopchat.errors import DomainError
from shopchat.money import format_major

from .. import selectors
from ..services import discounts
from .views import CustomerScopedMixin


class CouponWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=discounts.MAX_CODE, help_text="The coupon code, e.g. SAVE10.")


class CartCouponSerializer(serializers.Serializer):
    coupon = serializers.CharField(help_text="The code kept on the cart.")
    name = serializers.CharField(help_text="The discount's name.")
    discount = serializers.CharField(help_text="What it takes off the cart as it is now (decimal string).")
    currency = serializers.CharField()
    applies = serializers.BooleanField(help_text="False when an automatic discount gives more, or the cart does not "
                                                 "qualify yet (see `reason`).")
    reason = serializers.CharField(allow_blank=True)


class CartCouponView(CustomerScopedMixin, APIView):
    @extend_schema(operation_id="cart_coupon_set", parameters=[WA_ID_PARAM], request=CouponWriteSerializer,
                   responses={200: CartCouponSerializer, **errors(400, 401, 403, 404, 415, 429)},
                   description="Keep a coupon code on the cart for the next order placed from it (`from_cart`). "
                               "An unknown, expired, not yet valid or used-up code answers 400 with the `coupon_*` "
                               "code naming why; whether the goods qualify is decided at placement.")
    def put(self, request, wa_id):
        serializer = CouponWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = self.get_customer(wa_id, create=True)
        discount = discounts.set_cart_coupon(business=self.business, customer=customer,
                                             code=serializer.validated_data["code"])
        assert discount is not None
        contents = selectors.cart_contents(business=self.business, customer=customer)
        lines = [(line["product"].pk, line["line_total_minor"]) for line in contents["items"]]
        amount, applies, reason = 0, False, ""
        try:
            best = discounts.best_discount(business=self.business, customer=customer, code=discount.code, lines=lines)
        except DomainError as exc:
            reason = exc.message
        else:
            applies = best is not None and best.discount.pk == discount.pk
            amount = best.amount_minor if best is not None and applies else 0
            if best is not None and not applies:
                reason = f"{best.label} gives more and applies instead."
        money = self.business.currency
        return Response({"coupon": discount.code, "name": discount.name, "discount": format_major(amount, money),
                         "currency": money, "applies": applies, "reason": reason})

    @extend_schema(operation_id="cart_coupon_remove", parameters=[WA_ID_PARAM], responses={204: None,
                                                                                        **errors(401, 403, 404, 429)},
                   description="Forget the cart's coupon code.")
    def delete(self, request, wa_id):
        discounts.set_cart_coupon(business=self.business, customer=self.get_customer(wa_id), code="")
        return Response(status=204)
