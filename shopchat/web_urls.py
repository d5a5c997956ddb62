"""Public pages outside the gateway API: the home page, and each app's own public URLs
(included by name, so the kernel imports none of them)."""
from django.shortcuts import redirect
from django.urls import include, path

urlpatterns = [
    path("", lambda request: redirect("admin:index"), name="home"),
    path("", include("payments.urls")),
    path("", include("catalog.urls")),
    path("", include("web.urls")),
]
