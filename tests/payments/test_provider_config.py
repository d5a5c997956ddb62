"""Per business: which provider, write-only credentials, its webhook secret and URL, and the card
payment API running its provider call outside the Idempotency-Key's transaction."""
import json
import time

from payments import services
from payments.models import Payment, PaymentProviderConfig
from payments.providers import ChargeResult, provider_for
from shopchat.models import IdempotencyRecord
from shopchat.outbox import sign
from tests.conftest import api_client_for
from tests.factories import PaymentProviderConfigFactory

from .conftest import add_card, order_for


def test_a_business_without_settings_pays_through_the_sandbox(business):
    assert provider_for(business).name == "sandbox"


def test_the_business_provider_is_built_with_its_own_settings(business):
    config = PaymentProviderConfigFactory(business=business, api_base_url="https://eu.example.com")
    provider = provider_for(business)
    assert provider.config == config


def test_owner_never_sees_the_stored_secrets(owner_client, business):
    config = PaymentProviderConfigFactory(business=business)
    html = owner_client.get(f"/admin/payments/paymentproviderconfig/{config.pk}/change/").content.decode()
    assert "sk_test_config_secret_key" not in html and "whsec_config_webhook_secret" not in html
    assert "********_key" in html and config.webhook_key in html


def test_saving_with_empty_secrets_keeps_them(owner_client, business):
    config = PaymentProviderConfigFactory(business=business)
    response = owner_client.post(f"/admin/payments/paymentproviderconfig/{config.pk}/change/", {
        "business": business.pk, "provider": "stripe", "key_id": "", "secret_key": "", "webhook_secret": "",
        "api_base_url": "", "payout_destination": "acct_1", "payout_schedule": "weekly",
        "minimum_payout_minor": 5000,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    config.refresh_from_db()
    assert config.secret_key == "sk_test_config_secret_key" and config.webhook_secret == "whsec_config_webhook_secret"
    assert config.provider == "stripe" and config.payout_schedule == "weekly"


def test_a_real_provider_needs_its_secrets(owner_client, business):
    response = owner_client.post("/admin/payments/paymentproviderconfig/add/", {
        "business": business.pk, "provider": "razorpay", "key_id": "", "secret_key": "", "webhook_secret": "",
        "api_base_url": "", "payout_destination": "", "payout_schedule": "daily", "minimum_payout_minor": 0,
    })
    assert response.status_code == 200 and not PaymentProviderConfig.objects.exists()
    assert "Enter Razorpay&#x27;s key id." in response.content.decode()


def test_manager_reads_the_settings_with_masked_secrets(manager_client, business):
    config = PaymentProviderConfigFactory(business=business)
    html = manager_client.get(f"/admin/payments/paymentproviderconfig/{config.pk}/change/").content.decode()
    assert "sk_test_config_secret_key" not in html


def test_another_business_settings_are_not_found(owner_client, other_business):
    config = PaymentProviderConfigFactory(business=other_business)
    assert owner_client.get(f"/admin/payments/paymentproviderconfig/{config.pk}/change/").status_code in (302, 404)


def _callback(reference, secret, **data):
    body = json.dumps({"id": f"evt_{reference}", "type": "charge.succeeded",
                       "data": {"reference": reference, **data}}).encode()
    return body, sign(secret, body, int(time.time()))


def test_the_business_webhook_url_checks_its_own_secret(client, customer, monkeypatch):
    monkeypatch.setattr("payments.providers.sandbox.schedule_callback", lambda *a: None)
    config = PaymentProviderConfigFactory(business=customer.business)
    url = f"/api/v1/payments/providers/sandbox/webhook/{config.webhook_key}/"
    monkeypatch.setattr("payments.providers.sandbox.SandboxProvider.charge",
                        lambda self, **kw: ChargeResult("pending", "ch_biz_1"))
    payment = services.pay_order(order=order_for(customer), method="card", funding_source=add_card(customer))
    body, forged = _callback("ch_biz_1", "whsec_someone_else")
    assert client.post(url, body, content_type="application/json", HTTP_SANDBOX_SIGNATURE=forged).status_code == 400
    assert client.post("/api/v1/payments/providers/sandbox/webhook/nope/", body, content_type="application/json",
                       HTTP_SANDBOX_SIGNATURE=forged).status_code == 404
    body, signature = _callback("ch_biz_1", config.webhook_secret)
    assert client.post(url, body, content_type="application/json", HTTP_SANDBOX_SIGNATURE=signature).status_code == 200
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CAPTURED


def test_the_card_payment_api_replays_its_answer_and_keeps_no_claim_open(customer):
    api = api_client_for(customer.business)
    card = add_card(customer)
    order = order_for(customer)
    headers = {"HTTP_IDEMPOTENCY_KEY": "pay-once"}
    body = {"method": "card", "funding_source": str(card.pk)}
    first = api.post(f"/api/v1/orders/{order.number}/payments/", body, format="json", **headers)
    assert first.status_code == 201, first.content
    again = api.post(f"/api/v1/orders/{order.number}/payments/", body, format="json", **headers)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Payment.objects.filter(order=order).count() == 1
    assert IdempotencyRecord.objects.get(key="pay-once").state == IdempotencyRecord.State.DONE


def test_a_refused_card_payment_answer_is_kept_for_the_retries(customer):
    api = api_client_for(customer.business)
    card = add_card(customer)
    order = order_for(customer, status="cancelled")
    body = {"method": "card", "funding_source": str(card.pk)}
    first = api.post(f"/api/v1/orders/{order.number}/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert first.status_code == 409
    again = api.post(f"/api/v1/orders/{order.number}/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert again.status_code == 409 and again["Idempotent-Replayed"] == "true"


def test_the_provider_settings_speak_the_staff_language(owner_client, business):
    config = PaymentProviderConfigFactory(business=business)
    html = owner_client.get(f"/admin/payments/paymentproviderconfig/{config.pk}/change/",
                            HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Mindestauszahlung" in html and "Auszahlungsrhythmus" in html and "Leer lassen, um es zu behalten" in html
