"""Public pages and inbound webhooks outside the gateway API (feeds, WhatsApp, home)."""
from django.shortcuts import redirect
from django.urls import path

from payments.views import pay_page

from .whatsapp.views import whatsapp_webhook

urlpatterns = [
    path("", lambda request: redirect("admin:index"), name="home"),
    path("pay/<str:token>/", pay_page, name="payments-pay"),
    path("webhooks/whatsapp/", whatsapp_webhook, name="whatsapp-webhook"),
]
