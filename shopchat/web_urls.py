"""Public pages and inbound webhooks outside the gateway API (feeds, payment pages, home)."""
from django.shortcuts import redirect
from django.urls import path, re_path

from catalog.views import catalog_feed
from payments.views import pay_page

urlpatterns = [
    path("", lambda request: redirect("admin:index"), name="home"),
    path("pay/<str:token>/", pay_page, name="payments-pay"),
    re_path(r"^feeds/(?P<slug>[-a-zA-Z0-9_]+)/(?P<token>[-A-Za-z0-9_]+)\.(?P<fmt>csv|tsv)$", catalog_feed,
            name="catalog-feed"),
]
