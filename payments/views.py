"""The hosted card-payment page a customer opens from the chat (`card_payment_link`): the
sandbox stand-in for a PSP's checkout. The card number goes straight to the provider's
tokenizer and is never stored or logged."""
from django import forms
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from shopchat.errors import DomainError
from shopchat.money import display

from . import services
from .models import Payment


class CardForm(forms.Form):
    card_number = forms.CharField(max_length=23, widget=forms.TextInput(attrs={"autocomplete": "cc-number"}))
    exp_month = forms.IntegerField(min_value=1, max_value=12)
    exp_year = forms.IntegerField(min_value=2000, max_value=2100)


@sensitive_post_parameters("card_number")
@csrf_protect
def pay_page(request, token):
    order = services.order_for_payment_link(token)
    if order is None:
        raise Http404("This payment link is not valid.")
    context = {"order": order, "total": display(order.total_minor, order.currency), "payment": None, "error": ""}
    form = CardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.add_funding_source(customer=order.customer, **form.cleaned_data)
            payment = services.pay_order(order=order, method=Payment.Method.CARD, funding_source=source)
            context["payment"] = payment
            if payment.status == Payment.Status.FAILED:
                context["error"] = payment.failure_reason
        except DomainError as exc:
            context["error"] = exc.message
        form = CardForm()  # never echo the number back
    context["form"] = form
    return render(request, "payments/pay.html", context)
