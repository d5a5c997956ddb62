"""/api/v1/ endpoints of the orders app: carts, orders, fulfilment."""
from django.urls import path

from . import addresses, coupons, shipping, views

urlpatterns = [
    path("customers/<str:wa_id>/cart/", views.CartView.as_view(), name="api-cart"),
    path("customers/<str:wa_id>/cart/items/<str:retailer_id>/", views.CartItemView.as_view(), name="api-cart-item"),
    path("customers/<str:wa_id>/cart/coupon/", coupons.CartCouponView.as_view(), name="api-cart-coupon"),
    path("customers/<str:wa_id>/addresses/", addresses.CustomerAddressesView.as_view(), name="api-customer-addresses"),
    path("customers/<str:wa_id>/addresses/<str:label>/", addresses.CustomerAddressView.as_view(),
         name="api-customer-address"),
    path("customers/<str:wa_id>/orders/", views.CustomerOrdersView.as_view(), name="api-customer-orders"),
    path("orders/", views.OrdersView.as_view(), name="api-orders"),
    path("shipping/options/", shipping.ShippingOptionsView.as_view(), name="api-shipping-options"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="api-order"),
    path("orders/<str:number>/ship/", views.OrderShipView.as_view(), name="api-order-ship"),
    path("orders/<str:number>/deliver/", views.OrderDeliverView.as_view(), name="api-order-deliver"),
]
