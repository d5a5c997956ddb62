"""The chat app's inbound webhooks, included at the site's root."""
from django.urls import path

from .views import whatsapp_webhook

urlpatterns = [
    path("webhooks/whatsapp/", whatsapp_webhook, name="whatsapp-webhook"),
]
