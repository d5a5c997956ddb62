"""/api/v1/: the core's endpoints and each app's."""
from django.urls import include, path

from .privacy import CustomerEraseView, CustomerExportView
from .views import CustomerView

urlpatterns = [
    path("customers/<str:wa_id>/", CustomerView.as_view(), name="api-customer"),
    path("customers/<str:wa_id>/export/", CustomerExportView.as_view(), name="api-customer-export"),
    path("customers/<str:wa_id>/erase/", CustomerEraseView.as_view(), name="api-customer-erase"),
    path("", include("catalog.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("support.api.urls")),
]
