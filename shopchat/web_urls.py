"""Public pages and inbound webhooks outside the gateway API (feeds, WhatsApp, home)."""
from django.shortcuts import redirect
from django.urls import path

from .whatsapp.views import whatsapp_webhook

urlpatterns = [
    path("", lambda request: redirect("admin:index"), name="home"),
    path("webhooks/whatsapp/", whatsapp_webhook, name="whatsapp-webhook"),
]
