"""The providers' API base URL is the merchant's choice, so it goes through the outbound guard
(shopchat.outbound) at save and at send; what is kept of a provider's webhook names no one; the
minimum payout is typed in major units."""
import pytest
from django.test import override_settings

from payments.models import PaymentProviderConfig, ProviderEvent
from payments.providers import ProviderError, provider_for
from shopchat import outbound
from tests.factories import BusinessFactory, CustomerFactory, PaymentProviderConfigFactory

from .conftest import order_for
from .fakes import razorpay_api, stripe_api
from .fakes.razorpay_api import body_of, signature
from .fakes.stripe_api import event, signature_header

FORM = {"key_id": "", "secret_key": "sk_test_x", "webhook_secret": "whsec_x", "payout_destination": "acct_1",
        "payout_schedule": "daily", "minimum_payout_minor": "0"}


def test_a_private_api_base_url_is_refused_in_the_back_office(owner_client, business):
    with override_settings(OUTBOUND_ALLOW_PRIVATE=False):
        response = owner_client.post("/admin/payments/paymentproviderconfig/add/", {
            **FORM, "business": business.pk, "provider": "stripe", "api_base_url": "http://127.0.0.1:5432/"})
    assert response.status_code == 200 and not PaymentProviderConfig.objects.exists()
    assert "only public addresses can be called" in response.content.decode()


@pytest.mark.parametrize("provider", ["stripe", "razorpay"])
def test_a_stored_private_base_url_stops_the_call_before_it_is_made(business, provider):
    # a row saved before the rule (or past the form): refused at send time, never retried
    PaymentProviderConfigFactory(business=business, provider=provider, key_id="rzp_test_1",
                                 api_base_url="http://10.0.0.8:8080")
    with override_settings(OUTBOUND_ALLOW_PRIVATE=False), pytest.raises(ProviderError) as refused:
        provider_for(business).refund(reference="pay_1", amount_minor=100, currency="INR", idempotency_key="r1")
    assert refused.value.code == "outbound_refused" and refused.value.field == "api_base_url"


@pytest.mark.parametrize("provider", ["stripe", "razorpay"])
def test_the_address_dialled_is_checked_when_the_connection_opens(business, monkeypatch, provider):
    # the name passed the save-time check, then resolves to a private address (DNS rebinding)
    fakes = {"stripe": stripe_api.FakeStripe, "razorpay": razorpay_api.FakeRazorpay}
    with fakes[provider]() as fake:
        PaymentProviderConfigFactory(business=business, provider=provider, key_id=razorpay_api.KEY_ID,
                                     secret_key=razorpay_api.KEY_SECRET, api_base_url=fake.url)
        monkeypatch.setattr(outbound, "check_url", lambda url: None)
        with override_settings(OUTBOUND_ALLOW_PRIVATE=False), pytest.raises(ProviderError) as refused:
            provider_for(business).refund(reference="pay_1", amount_minor=100, currency="INR",
                                          idempotency_key="r1")
        assert refused.value.code == "outbound_refused" and fake.server.requests == []


def test_a_stripe_webhook_is_stored_without_the_customers_details(client, business):
    customer = CustomerFactory(business=business)
    config = PaymentProviderConfigFactory(business=business, provider="stripe", webhook_secret="whsec_p")
    order = order_for(customer)
    session = {"id": "cs_test_p", "object": "checkout.session", "mode": "payment", "payment_status": "paid",
               "status": "complete", "amount_total": order.total_minor, "currency": order.currency.lower(),
               "payment_intent": "pi_p", "metadata": {"order": order.number, "business": str(business.pk)},
               "customer_details": {"email": "jenny.rosen@example.com", "name": "Jenny Rosen",
                                    "phone": "+15555550100", "address": {"line1": "1 Main St"}},
               "customer_email": "jenny.rosen@example.com"}
    body = event("checkout.session.completed", session)
    response = client.post(f"/api/v1/payments/providers/stripe/webhook/{config.webhook_key}/", body,
                           content_type="application/json", HTTP_STRIPE_SIGNATURE=signature_header(body, "whsec_p"))
    assert response.status_code == 200 and response.json()["outcome"] == "captured"
    stored = str(ProviderEvent.objects.get(provider="stripe").payload)
    assert "Jenny" not in stored and "example.com" not in stored and "5555550100" not in stored
    assert "1 Main St" not in stored and order.number in stored and "pi_p" in stored


def test_a_razorpay_webhook_is_stored_without_the_payers_contact(client, db):
    shop = BusinessFactory(currency="INR")
    with razorpay_api.FakeRazorpay() as fake:
        config = PaymentProviderConfigFactory(business=shop, provider="razorpay", key_id=razorpay_api.KEY_ID,
                                              secret_key=razorpay_api.KEY_SECRET, webhook_secret="rzp_p",
                                              api_base_url=fake.url)
        from payments import services

        order = order_for(CustomerFactory(business=shop))
        services.card_payment_link(order=order)
        (link,) = fake.links.values()
        body = body_of(fake.pay_link(link["id"]))
    response = client.post(f"/api/v1/payments/providers/razorpay/webhook/{config.webhook_key}/", body,
                           content_type="application/json", HTTP_X_RAZORPAY_SIGNATURE=signature(body, "rzp_p"),
                           HTTP_X_RAZORPAY_EVENT_ID="evt_rzp_p")
    assert response.status_code == 200 and response.json()["outcome"] == "captured"
    stored = str(ProviderEvent.objects.get(provider="razorpay").payload)
    assert "gaurav" not in stored and "9000090000" not in stored and "success@razorpay" not in stored
    assert order.number in stored


def test_the_minimum_payout_is_typed_in_major_units(owner_client, business):
    business.currency = "INR"
    business.save(update_fields=["currency"])
    response = owner_client.post("/admin/payments/paymentproviderconfig/add/", {
        **FORM, "business": business.pk, "provider": "sandbox", "api_base_url": "", "minimum_payout_minor": "250.50"})
    assert response.status_code == 302, response.content.decode()[:2000]
    config = PaymentProviderConfig.objects.get(business=business)
    assert config.minimum_payout_minor == 25_050
    html = owner_client.get(f"/admin/payments/paymentproviderconfig/{config.pk}/change/").content.decode()
    assert 'value="250.50"' in html and "(INR)" in html


def test_a_sandbox_callback_keeps_its_reference_and_outcome_fields():
    from payments.providers.stored_events import stored

    payload = {"id": "evt_1", "type": "charge.failed", "created": 1, "data": {
        "reference": "ch_1", "failure_code": "card_declined", "failure_reason": "Declined", "payment_key": "pay_1"}}
    assert stored(payload) == payload
