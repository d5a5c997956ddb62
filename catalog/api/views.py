"""Catalog endpoints: collections, the product list with search and filters, one product, a
variant group with its variants, and the integration key's writes (PUT / PATCH / DELETE one
product, a batch of up to 5,000)."""
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from shopchat.api.base import BusinessScopedMixin, CursorPage
from shopchat.api.schema import ERRORS, errors
from shopchat.errors import InvalidInput

from .. import selectors, services
from ..feeds import clean_retailer_id
from ..models import Collection, Product
from .filters import ProductFilter
from .serializers import (
    BatchResponseSerializer,
    BatchSerializer,
    CollectionSerializer,
    ProductGroupSerializer,
    ProductPatchSerializer,
    ProductSerializer,
    ProductWriteSerializer,
)

RETAILER_ID = OpenApiParameter("retailer_id", OpenApiTypes.STR, OpenApiParameter.PATH,
                               description="The product's id (retailer id) in the catalog.")
ITEM_GROUP_ID = OpenApiParameter("item_group_id", OpenApiTypes.STR, OpenApiParameter.PATH,
                                 pattern=r"^[A-Za-z0-9_.\-]{1,100}$",
                                 description="The variant group's id (the feed's item_group_id).")
WRITE_ERRORS = errors(400, 401, 403, 404, 409, 415, 429)


def flat_errors(errors, prefix="") -> dict:
    """Nested serializer errors as {"requests[3].retailer_id": [...]}, the error format's shape."""
    flat = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if key == "non_field_errors" and prefix:
                flat.update(flat_errors(value, prefix))
                continue
            name = f"{prefix}[{key}]" if isinstance(key, int) or str(key).isdigit() else (
                f"{prefix}.{key}" if prefix else str(key))
            flat.update(flat_errors(value, name))
    elif isinstance(errors, list) and errors and all(isinstance(e, (dict, list)) for e in errors):
        for index, value in enumerate(errors):
            if value:
                flat.update(flat_errors(value, f"{prefix}[{index}]"))
    else:
        flat[prefix or "non_field_errors"] = [str(e) for e in (errors if isinstance(errors, list) else [errors])]
    return flat


class ProductPage(CursorPage):
    """By relevance when searching, otherwise by title (the (business, title, id) index
    serves it); ties by id, so cursors stay stable over any size."""

    def get_ordering(self, request, queryset, view):
        if "search_score" in queryset.query.annotations:
            return ("-search_score", "id")
        return ("title", "id")


class CollectionPage(CursorPage):
    ordering = ("position", "id")


class CollectionListView(BusinessScopedMixin, generics.ListAPIView):
    serializer_class = CollectionSerializer
    pagination_class = CollectionPage
    filter_backends = []
    queryset = Collection.objects.none()

    def get_queryset(self):
        return selectors.collections_with_counts(business=self.business)

    @extend_schema(operation_id="catalog_collections_list", responses={200: CollectionSerializer(many=True),
                                                                        **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProductListView(BusinessScopedMixin, generics.ListAPIView):
    serializer_class = ProductSerializer
    pagination_class = ProductPage
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilter
    queryset = Product.objects.none()

    def get_queryset(self):
        return selectors.api_products(business=self.business)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "business": self.business}

    @extend_schema(operation_id="catalog_products_list", responses={200: ProductSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProductDetailView(BusinessScopedMixin, APIView):
    required_scope = {"GET": "gateway", "PUT": "integration", "PATCH": "integration", "DELETE": "integration"}

    def _show(self, product, status=200):
        return Response(ProductSerializer(product, context={"business": self.business}).data, status=status)

    @extend_schema(operation_id="catalog_product_retrieve", parameters=[RETAILER_ID],
                   responses={200: ProductSerializer, **ERRORS})
    def get(self, request, retailer_id):
        return self._show(self.get_scoped_or_404(Product.objects.filter(is_active=True), retailer_id=retailer_id))

    @extend_schema(operation_id="catalog_product_put", parameters=[RETAILER_ID], request=ProductWriteSerializer,
                   responses={200: ProductSerializer, 201: ProductSerializer, **WRITE_ERRORS},
                   description="Create the product or replace it (integration keys). Stock held by open "
                               "orders is kept; a stock below it answers 409.")
    def put(self, request, retailer_id):
        retailer_id = self._checked_id(retailer_id)
        body = ProductWriteSerializer(data=request.data, context={"business": self.business})
        body.is_valid(raise_exception=True)
        is_active = body.validated_data["is_active"]
        product, created = services.put_product(business=self.business, retailer_id=retailer_id,
                                                values=body.validated_data["values"],
                                                is_active=True if is_active is None else is_active)
        return self._show(product, status=201 if created else 200)

    @extend_schema(operation_id="catalog_product_patch", parameters=[RETAILER_ID], request=ProductPatchSerializer,
                   responses={200: ProductSerializer, **WRITE_ERRORS},
                   description="Change price, sale price, stock, availability or the active flag.")
    def patch(self, request, retailer_id):
        body = ProductPatchSerializer(data=request.data, context={"business": self.business})
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data["values"])
        if body.validated_data["is_active"] is not None:
            changes["is_active"] = body.validated_data["is_active"]
        product = services.update_product(business=self.business, retailer_id=retailer_id, changes=changes)
        return self._show(product)

    @extend_schema(operation_id="catalog_product_delete", parameters=[RETAILER_ID],
                   responses={204: None, **WRITE_ERRORS}, description="Deactivate the product.")
    def delete(self, request, retailer_id):
        services.deactivate_product(business=self.business, retailer_id=retailer_id)
        return Response(status=204)

    def _checked_id(self, retailer_id):
        try:
            return clean_retailer_id(retailer_id)
        except ValueError as exc:
            raise InvalidInput("retailer_id", str(exc)) from None


class ProductGroupView(BusinessScopedMixin, APIView):
    """A variant group: its active variants (each a product with its own id, price and stock),
    what they share and what tells them apart. Two queries whatever the size of the group: the
    API key, then the variants on the (business, item_group_id) index."""

    @extend_schema(operation_id="catalog_product_group_retrieve", parameters=[ITEM_GROUP_ID],
                   responses={200: ProductGroupSerializer, **ERRORS},
                   description="The group with its active variants; 404 when the business has no active "
                               "product in it.")
    def get(self, request, item_group_id):
        variants = selectors.group_variants(business=self.business, item_group_id=item_group_id)
        if not variants:
            raise Http404
        return Response(ProductGroupSerializer(variants, context={"business": self.business}).data)


class ProductBatchView(BusinessScopedMixin, APIView):
    required_scope = "integration"

    @extend_schema(operation_id="catalog_products_batch", request=BatchSerializer,
                   responses={200: BatchResponseSerializer, **errors(400, 401, 403, 415, 429)},
                   description="Up to 5,000 items `{method: CREATE|UPDATE|DELETE, retailer_id, data}` in one "
                               "call, like Meta's items_batch; one result per item, in order.")
    def post(self, request):
        body = BatchSerializer(data=request.data)
        if not body.is_valid():
            raise ValidationError(flat_errors(body.errors))
        results = services.apply_product_batch(business=self.business, items=body.validated_data["requests"])
        return Response({"results": results})
