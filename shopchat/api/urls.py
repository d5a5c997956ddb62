"""/api/v1/: the core's endpoints and each app's."""
from django.urls import include, path

from .views import CustomerView

urlpatterns = [
    path("customers/<str:wa_id>/", CustomerView.as_view(), name="api-customer"),
    path("", include("catalog.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("support.api.urls")),
]
