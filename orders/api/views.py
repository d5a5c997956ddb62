"""Cart and order endpoints. Thin: parse, find the business's rows, call orders.services."""
import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Product
from shopchat.api.base import BusinessScopedMixin, CursorPage
from shopchat.api.errors import ApiError
from shopchat.api.filters import UtcDateTimeFilter
from shopchat.api.schema import WA_ID_PARAM, errors
from shopchat.api.views import clean_wa_id
from shopchat.idempotency import idempotent
from shopchat.models import Customer
from shopchat.services import upsert_customer

from .. import selectors, services
from ..models import Order
from .serializers import (
    RETAILER_ID_PATTERN,
    CartItemWriteSerializer,
    CartSerializer,
    OrderDetailSerializer,
    OrderSerializer,
    PlaceOrderSerializer,
    ShipOrderSerializer,
)

READ_ERRORS = errors(400, 401, 403, 404, 429)
WRITE_ERRORS = errors(400, 401, 403, 404, 409, 415, 429)
RETAILER_ID = OpenApiParameter("retailer_id", str, OpenApiParameter.PATH, pattern=RETAILER_ID_PATTERN,
                               description="The product's id in the catalog.")
NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH, description="The order number, e.g. DG-1042.")


class StrictPageSize:
    """`page_size` must be a whole number (1-100; larger is capped); anything else is a 400."""

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            value = int(raw.strip())
        except ValueError:
            raise ApiError(400, "validation_error", "page_size must be a whole number.",
                           fields={"page_size": ["Enter a whole number from 1 to 100."]}) from None
        return min(max(value, 1), self.max_page_size)


class NewestFirstPage(StrictPageSize, CursorPage):
    pass


class CustomerScopedMixin(BusinessScopedMixin):
    def get_customer(self, wa_id, create=False):
        wa_id = clean_wa_id(wa_id)
        if create:
            return upsert_customer(business=self.business, wa_id=wa_id)
        return self.get_scoped_or_404(Customer.objects.all(), wa_id=wa_id)

    def cart_response(self, customer, status=200):
        contents = selectors.cart_contents(business=self.business, customer=customer)
        return Response(CartSerializer(contents, context={"business": self.business}).data, status=status)


class CartView(CustomerScopedMixin, APIView):
    @extend_schema(operation_id="cart_retrieve", parameters=[WA_ID_PARAM],
                   responses={200: CartSerializer, **READ_ERRORS},
                   description="The customer's cart at today's prices.")
    def get(self, request, wa_id):
        return self.cart_response(self.get_customer(wa_id))

    @extend_schema(operation_id="cart_clear", parameters=[WA_ID_PARAM], responses={204: None, **READ_ERRORS},
                   description="Empty the cart.")
    def delete(self, request, wa_id):
        services.clear_cart(business=self.business, customer=self.get_customer(wa_id))
        return Response(status=204)


class CartItemView(CustomerScopedMixin, APIView):
    @extend_schema(
        operation_id="cart_item_set", parameters=[WA_ID_PARAM, RETAILER_ID], request=CartItemWriteSerializer,
        responses={200: CartSerializer, **WRITE_ERRORS},
        description="Set the quantity (1-999) of a product in the cart; the customer is created if new. "
                    "Active products only (404 otherwise); a tracked product cannot go above its available "
                    "stock (409 out_of_stock).",
    )
    def put(self, request, wa_id, retailer_id):
        serializer = CartItemWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wa_id = clean_wa_id(wa_id)
        product = self.get_scoped_or_404(Product.objects.filter(is_active=True), retailer_id=retailer_id)
        customer = self.get_customer(wa_id, create=True)
        contents = services.set_cart_item(business=self.business, customer=customer, product=product,
                                          quantity=serializer.validated_data["quantity"])
        return Response(CartSerializer(contents, context={"business": self.business}).data)

    @extend_schema(operation_id="cart_item_remove", parameters=[WA_ID_PARAM, RETAILER_ID],
                   responses={200: CartSerializer, **READ_ERRORS},
                   description="Take a product out of the cart.")
    def delete(self, request, wa_id, retailer_id):
        customer = self.get_customer(wa_id)
        product = self.get_scoped_or_404(Product.objects.all(), retailer_id=retailer_id)
        services.remove_cart_item(business=self.business, customer=customer, product=product)
        return self.cart_response(customer)


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Order.Status.choices)
    updated_since = UtcDateTimeFilter(field_name="updated_at", param_name="updated_since", lookup_expr="gte",
                                help_text="ISO 8601; orders changed at or after this time.")

    class Meta:
        model = Order
        fields = ["status", "updated_since"]


class SyncPage(StrictPageSize, CursorPage):
    """Oldest change first, so an ERP following the cursor never misses an order that changes meanwhile."""

    ordering = ("updated_at", "id")


class OrdersView(CustomerScopedMixin, generics.ListAPIView):
    required_scope = {"GET": "integration", "POST": "gateway"}
    serializer_class = OrderSerializer
    pagination_class = SyncPage
    filterset_class = OrderFilter
    queryset = Order.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        return selectors.orders_with_details(self.scoped(Order.objects.all()))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "business": self.business}

    @extend_schema(operation_id="orders_list", responses={200: OrderSerializer(many=True), **READ_ERRORS},
                   description="Integration keys: the business's orders by last change (oldest first), for "
                               "syncing an ERP. Filter by `status` and `updated_since`; follow `next`.")
    def get(self, request, *args, **kwargs):
        blank = sorted(k for k in ("status", "updated_since") if k in request.query_params
                       and not request.query_params[k].strip())
        if blank:
            raise ApiError(400, "validation_error", "Leave out a filter rather than sending it empty.",
                           fields={k: ["This filter is empty."] for k in blank})
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="order_place", request=PlaceOrderSerializer,
        responses={201: OrderSerializer, **errors(400, 401, 403, 404, 409, 415, 422, 429)},
        description="Place an order for a chat customer from their cart (`from_cart`) or from `items` (a WhatsApp "
                    "order message), reserving the stock. 409 `price_changed` (with the current prices), "
                    "`unknown_products`, `out_of_stock` or `empty_cart`: nothing is written. Send an "
                    "`Idempotency-Key` header to make retries safe (same key and body: the same order; same "
                    "key, other body: 422).",
    )
    @idempotent(required=False)
    def post(self, request, *args, **kwargs):
        serializer = PlaceOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = upsert_customer(business=self.business, wa_id=data["customer"], name=data.get("name") or None)
        items = None
        if not data["from_cart"]:
            items = [{k: v for k, v in item.items() if v not in (None, "")} for item in data["items"]]
        order = services.place_order(business=self.business, customer=customer, items=items,
                                     from_cart=data["from_cart"], address=data["address"], note=data["note"],
                                     address_label=data["address_label"], fulfilment=data["fulfilment"],
                                     shipping_option=data["shipping_option"], coupon=data["coupon"],
                                     actor=request.user)
        return Response(OrderSerializer(order, context={"business": self.business}).data, status=201)


class OrderMixin(CustomerScopedMixin):
    def get_order(self, number, history=False):
        return self.get_scoped_or_404(selectors.orders_with_details(Order.objects.all(), history=history),
                                      number=number)

    def order_response(self, order):
        order = self.get_order(order.number, history=True)
        return Response(OrderDetailSerializer(order, context={"business": self.business}).data)


class OrderDetailView(OrderMixin, APIView):
    @extend_schema(operation_id="order_retrieve", parameters=[NUMBER],
                   responses={200: OrderDetailSerializer, **READ_ERRORS},
                   description="An order with its lines, totals and status history.")
    def get(self, request, number):
        order = self.get_order(number, history=True)
        return Response(OrderDetailSerializer(order, context={"business": self.business}).data)


class OrderShipView(OrderMixin, APIView):
    required_scope = "integration"

    @extend_schema(operation_id="order_ship", parameters=[NUMBER], request=ShipOrderSerializer,
                   responses={200: OrderDetailSerializer, **WRITE_ERRORS},
                   description="Integration keys: the paid order left the warehouse (tracking number, carrier). "
                               "The customer is told in the chat.")
    def post(self, request, number):
        serializer = ShipOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.ship_order(order=self.get_order(number), actor=request.user, **serializer.validated_data)
        return self.order_response(order)


class OrderDeliverView(OrderMixin, APIView):
    required_scope = "integration"

    @extend_schema(operation_id="order_deliver", parameters=[NUMBER], request=None,
                   responses={200: OrderDetailSerializer, **errors(401, 403, 404, 409, 429)},
                   description="Integration keys: the shipped order reached the customer.")
    def post(self, request, number):
        order = services.deliver_order(order=self.get_order(number), actor=request.user)
        return self.order_response(order)


class CustomerOrdersView(CustomerScopedMixin, generics.ListAPIView):
    serializer_class = OrderSerializer
    pagination_class = NewestFirstPage
    filter_backends = []
    queryset = Order.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        customer = self.get_customer(self.kwargs["wa_id"])
        return selectors.orders_with_details(self.scoped(Order.objects.filter(customer=customer)))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "business": self.business}

    @extend_schema(operation_id="customer_orders_list", parameters=[WA_ID_PARAM],
                   responses={200: OrderSerializer(many=True), **READ_ERRORS},
                   description="The customer's orders, newest first.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

