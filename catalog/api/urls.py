"""/api/v1/ endpoints of the catalog app."""
from django.urls import path

from .views import CollectionListView, ProductBatchView, ProductDetailView, ProductGroupView, ProductListView

urlpatterns = [
    path("catalog/collections/", CollectionListView.as_view(), name="api-collections"),
    path("catalog/products/", ProductListView.as_view(), name="api-products"),
    path("catalog/products/batch/", ProductBatchView.as_view(), name="api-products-batch"),
    path("catalog/products/<str:retailer_id>/", ProductDetailView.as_view(), name="api-product"),
    path("catalog/product-groups/<str:item_group_id>/", ProductGroupView.as_view(), name="api-product-group"),
]
