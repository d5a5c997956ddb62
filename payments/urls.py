"""Payments' public URL: the hosted card-payment page a customer opens from the chat."""
from django.urls import path

from .views import pay_page

urlpatterns = [
    path("pay/<str:token>/", pay_page, name="payments-pay"),
]
