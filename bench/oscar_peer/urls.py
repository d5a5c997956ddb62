"""The oscar peer's URLs: oscar-api under /api/ (the peer's flow uses only that)."""
from django.urls import include, path

urlpatterns = [path("api/", include("oscarapi.urls"))]
