"""/api/v1/ endpoints of the payments app."""
from django.urls import path

from . import views

urlpatterns = [
    path("orders/<str:number>/payments/", views.OrderPaymentView.as_view(), name="api-order-payments"),
    path("orders/<str:number>/cancel/", views.OrderCancelView.as_view(), name="api-order-cancel"),
    path("orders/<str:number>/refunds/", views.OrderRefundView.as_view(), name="api-order-refunds"),
    path("customers/<str:wa_id>/wallet/", views.WalletView.as_view(), name="api-wallet"),
    path("customers/<str:wa_id>/wallet/funding-sources/", views.FundingSourceView.as_view(),
         name="api-funding-sources"),
    path("customers/<str:wa_id>/wallet/card-setup-link/", views.CardSetupLinkView.as_view(),
         name="api-card-setup-link"),
    path("customers/<str:wa_id>/wallet/top-ups/", views.TopUpView.as_view(), name="api-top-ups"),
    path("customers/<str:wa_id>/wallet/transfers/", views.TransferView.as_view(), name="api-transfers"),
    path("payments/providers/<str:name>/webhook/", views.ProviderWebhookView.as_view(), name="api-provider-webhook"),
    path("payments/providers/<str:name>/webhook/<str:key>/", views.BusinessProviderWebhookView.as_view(),
         name="api-provider-webhook-business"),
]
