"""Public pages and inbound webhooks outside the gateway API (feeds, WhatsApp, home)."""
from django.shortcuts import redirect
from django.urls import path

urlpatterns = [
    path("", lambda request: redirect("admin:index"), name="home"),
]
