"""Catalog's public URL: the secret live feed Meta's Commerce Manager fetches."""
from django.urls import re_path

from .views import catalog_feed

urlpatterns = [
    re_path(r"^feeds/(?P<slug>[-a-zA-Z0-9_]+)/(?P<token>[-A-Za-z0-9_]+)\.(?P<fmt>csv|tsv)$", catalog_feed,
            name="catalog-feed"),
]
