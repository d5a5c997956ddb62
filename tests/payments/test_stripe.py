"""The Stripe adapter, the official `stripe` library pointed at a local fake of Stripe's API
(tests/payments/fakes/stripe_api.py): pay by link, by linked card with and without 3-D Secure,
partial refund, duplicate and out-of-order webhooks, a forged or replayed signature, a crash
between the call and the commit. `reconcile` is clean after each."""
import time
from datetime import timedelta

import pytest

from orders.models import Order
from payments import services
from payments.models import FundingSource, Payment, ProviderEvent, Refund
from payments.services import charging
from shopchat.models import OutboxEvent
from tests.factories import PaymentProviderConfigFactory

from .conftest import order_for
from .fakes import stripe_api
from .fakes.stripe_api import event, signature_header

WEBHOOK_SECRET = "whsec_test_stripe"


@pytest.fixture
def fake():
    with stripe_api.FakeStripe() as server:
        yield server


@pytest.fixture
def config(business, fake):
    return PaymentProviderConfigFactory(business=business, provider="stripe", secret_key="sk_test_fake",
                                        webhook_secret=WEBHOOK_SECRET, api_base_url=fake.url)


def post_event(client, config, body, secret=WEBHOOK_SECRET, timestamp=None):
    return client.post(f"/api/v1/payments/providers/stripe/webhook/{config.webhook_key}/", body,
                       content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=signature_header(body, secret, timestamp))


def linked_card(customer, method="pm_card_visa"):
    return services.add_funding_source(customer=customer, token=f"cus_test_1/{method}")


def test_the_payment_link_is_a_checkout_session_of_the_order(config, fake, customer):
    order = order_for(customer, 12_345)
    url = services.card_payment_link(order=order)
    assert url.startswith("https://checkout.stripe.com/c/pay/cs_test")
    (call,) = fake.server.calls("POST", "/v1/checkout/sessions")
    assert call["body"]["mode"] == "payment" and call["body"]["line_items[0][price_data][unit_amount]"] == "12345"
    assert call["body"]["metadata[order]"] == order.number and call["headers"]["idempotency-key"]
    assert not Payment.objects.exists()  # a link blocks nothing until it is paid


def paid_session(order, intent="pi_link_1"):
    return {"id": "cs_test_1", "object": "checkout.session", "mode": "payment", "payment_status": "paid",
            "status": "complete", "amount_total": order.total_minor, "currency": order.currency.lower(),
            "payment_intent": intent, "metadata": {"order": order.number, "business": str(order.business_id)}}


def test_a_paid_checkout_session_pays_the_order(client, config, customer):
    order = order_for(customer)
    response = post_event(client, config, event("checkout.session.completed", paid_session(order)))
    assert response.status_code == 200 and response.json()["outcome"] == "captured"
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.CAPTURED and payment.provider_reference == "pi_link_1"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert services.reconcile() == []


def test_a_duplicate_webhook_is_applied_once(client, config, customer):
    order = order_for(customer)
    body = event("checkout.session.completed", paid_session(order), event_id="evt_dup_1")
    assert post_event(client, config, body).json()["duplicate"] is False
    again = post_event(client, config, body)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert Payment.objects.filter(order=order).count() == 1
    assert services.reconcile() == []


def test_webhooks_in_any_order_pay_the_order_once(client, config, customer):
    order = order_for(customer)
    intent = {"id": "pi_link_1", "object": "payment_intent", "amount": order.total_minor, "status": "succeeded",
              "metadata": {"order": order.number, "business": str(order.business_id)}}
    # the PaymentIntent's event before the session's
    assert post_event(client, config, event("payment_intent.succeeded", intent)).json()["outcome"] == "captured"
    late = post_event(client, config, event("checkout.session.completed", paid_session(order)))
    assert late.json()["outcome"] == "ignored: payment already recorded"
    assert Payment.objects.filter(order=order).count() == 1
    assert services.reconcile() == []


def test_a_forged_signature_is_refused_and_writes_nothing(client, config, customer):
    order = order_for(customer)
    response = post_event(client, config, event("checkout.session.completed", paid_session(order)),
                          secret="whsec_forged")
    assert response.status_code == 400
    assert not ProviderEvent.objects.exists() and not Payment.objects.exists()


def test_a_replayed_old_webhook_is_refused(client, config, customer):
    order = order_for(customer)
    response = post_event(client, config, event("checkout.session.completed", paid_session(order)),
                          timestamp=int(time.time()) - 3600)
    assert response.status_code == 400 and not Payment.objects.exists()


def test_a_linked_card_pays_off_session_with_the_payment_key(config, fake, customer):
    card = linked_card(customer)
    assert (card.brand, card.last4, card.token) == ("visa", "4242", "cus_test_1/pm_card_visa")
    payment = services.pay_order(order=order_for(customer), method="card", funding_source=card)
    assert payment.status == Payment.Status.CAPTURED and payment.provider_reference.startswith("pi_test")
    (call,) = fake.server.calls("POST", "/v1/payment_intents")
    assert call["headers"]["idempotency-key"] == payment.idempotency_key
    assert call["body"]["off_session"] == "true" and call["body"]["confirm"] == "true"
    assert call["body"]["customer"] == "cus_test_1" and call["body"]["metadata[payment_key]"] == payment.idempotency_key
    assert services.reconcile() == []


def test_a_declined_linked_card_fails_with_stripe_s_reason(config, customer):
    payment = services.pay_order(order=order_for(customer), method="card",
                                 funding_source=linked_card(customer, "pm_card_chargeDeclined"))
    assert payment.status == Payment.Status.FAILED and payment.failure_code == "card_declined"
    assert services.reconcile() == []


def test_3d_secure_sends_the_authentication_link_then_the_webhook_captures(client, config, fake, customer):
    card = linked_card(customer, "pm_card_authenticationRequired")
    order = order_for(customer)
    payment = services.pay_order(order=order, method="card", funding_source=card)
    assert payment.status == Payment.Status.PENDING
    assert payment.action_url.startswith("https://hooks.stripe.com/3d_secure_2/hosted")
    told = OutboxEvent.objects.filter(event_type="payment.action_required").first()
    assert told is not None and told.payload["url"] == payment.action_url
    intent = {"id": payment.provider_reference, "object": "payment_intent", "amount": order.total_minor,
              "status": "succeeded", "metadata": {"payment_key": payment.idempotency_key}}
    assert post_event(client, config, event("payment_intent.succeeded", intent)).json()["outcome"] == "captured"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CAPTURED
    assert services.reconcile() == []


def test_a_partial_refund_goes_to_stripe_after_the_commit(config, fake, customer, django_capture_on_commit_callbacks):
    order = order_for(customer, 10_000)
    payment = services.pay_order(order=order, method="card", funding_source=linked_card(customer))
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.refund_order(order=Order.objects.get(pk=order.pk), amount_minor=2_500)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.provider_reference.startswith("re_test")
    (call,) = fake.server.calls("POST", "/v1/refunds")
    assert call["body"] == {"payment_intent": payment.provider_reference, "amount": "2500",
                            "metadata[refund_key]": f"refund_{refund.pk}"}  # names it in refund.failed
    assert call["headers"]["idempotency-key"] == f"refund_{refund.pk}"
    assert Payment.objects.get(pk=payment.pk).refunded_minor == 2_500
    assert services.reconcile() == []


def test_a_crash_after_the_stripe_call_is_repaired_by_searching_the_payment_key(config, fake, customer,
                                                                                 monkeypatch):
    def crash(payment, result):
        raise RuntimeError("killed")

    monkeypatch.setattr(charging, "_after_provider_call", crash)
    order = order_for(customer)
    with pytest.raises(RuntimeError):
        services.pay_order(order=order, method="card", funding_source=linked_card(customer))
    assert Payment.objects.get(order=order).provider_reference == ""
    assert services.repair_pending_payments(older_than=timedelta(0)) == {"captured": 1}
    assert len(fake.server.calls("POST", "/v1/payment_intents")) == 1  # asked about, never charged again
    assert len(fake.server.calls("GET", "/v1/payment_intents/search")) == 1
    assert Payment.objects.get(order=order).provider_reference.startswith("pi_test")
    assert services.reconcile() == []


def test_a_card_saved_on_stripe_s_setup_page_joins_the_wallet(client, config, fake, customer):
    url = services.card_setup_link(customer=customer)
    assert url.startswith("https://checkout.stripe.com/")
    (session,) = fake.server.calls("POST", "/v1/checkout/sessions")
    assert session["body"]["mode"] == "setup"
    ref = session["body"]["setup_intent_data[metadata][shopchat_customer]"]
    intent = {"id": "seti_1", "object": "setup_intent", "status": "succeeded", "customer": "cus_test_9",
              "payment_method": "pm_card_visa", "metadata": {"shopchat_customer": ref}}
    assert post_event(client, config, event("setup_intent.succeeded", intent)).json()["outcome"] == "card_linked"
    card = FundingSource.objects.get(customer=customer)
    assert card.token == "cus_test_9/pm_card_visa" and card.provider == "stripe" and card.last4 == "4242"


def test_the_wallet_api_answers_the_card_setup_link(config, fake, customer):
    from tests.conftest import api_client_for

    response = api_client_for(customer.business).post(f"/api/v1/customers/{customer.wa_id}/wallet/card-setup-link/")
    assert response.status_code == 201 and response.json()["url"].startswith("https://checkout.stripe.com/")
    (session,) = fake.server.calls("POST", "/v1/checkout/sessions")
    assert session["body"]["mode"] == "setup"
