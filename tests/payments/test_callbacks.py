"""Provider callbacks: signed, de-duplicated, safe out of order; the pending card path end to end."""
import pytest
from django.test import override_settings

from payments import services
from payments.models import Payment, ProviderEvent, TopUp
from payments.providers import sandbox

from .conftest import PENDING_CARD, add_card, deliver, order_for, wallet_balance


@pytest.fixture
def pending(customer, monkeypatch):
    monkeypatch.setattr("payments.providers.sandbox.schedule_callback", lambda *a: None)
    payment = services.pay_order(order=order_for(customer, 20_000), method="card",
                                 funding_source=add_card(customer, PENDING_CARD))
    assert payment.status == "pending"
    return payment


def test_callback_captures_a_pending_payment_and_pays_the_order(client, pending):
    response = deliver(client, pending.provider_reference)
    assert response.status_code == 200 and response.json()["outcome"] == "captured"
    pending.refresh_from_db()
    assert pending.status == "captured" and pending.order.status == "paid"
    assert services.reconcile() == []


def test_callback_with_a_bad_signature_is_400_and_changes_nothing(client, pending):
    body = sandbox.callback_body(pending.provider_reference, "charge.succeeded")
    forged = {"Sandbox-Signature": "t=1700000000,v1=" + "0" * 64}
    assert deliver(client, pending.provider_reference, headers=forged, body=body).status_code == 400
    assert deliver(client, pending.provider_reference, headers={}, body=body).status_code == 400
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert not ProviderEvent.objects.exists()


def test_a_body_altered_after_signing_is_refused(client, pending):
    body = sandbox.callback_body(pending.provider_reference, "charge.failed")
    headers = sandbox.signed_headers(body)
    tampered = body.replace(b"charge.failed", b"charge.succeeded").replace(b"charge_failed", b"charge_succeeded")
    assert deliver(client, pending.provider_reference, headers=headers, body=tampered).status_code == 400
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_duplicate_callbacks_have_one_effect(client, pending):
    first = deliver(client, pending.provider_reference)
    second = deliver(client, pending.provider_reference)
    assert first.status_code == second.status_code == 200
    assert second.json()["duplicate"] is True
    assert Payment.objects.get().status == "captured"
    assert ProviderEvent.objects.count() == 1
    assert services.reconcile() == []


def test_out_of_order_callbacks_never_undo_a_capture(client, pending):
    assert deliver(client, pending.provider_reference, "charge.succeeded").json()["outcome"] == "captured"
    late_auth = deliver(client, pending.provider_reference, "charge.authorized")
    late_fail = deliver(client, pending.provider_reference, "charge.failed", failure_code="card_declined")
    assert late_auth.json()["outcome"].startswith("ignored") and late_fail.json()["outcome"].startswith("ignored")
    pending.refresh_from_db()
    assert pending.status == "captured"
    assert services.reconcile() == []


def test_authorized_then_succeeded_captures_once(client, pending):
    deliver(client, pending.provider_reference, "charge.authorized")
    assert Payment.objects.get().status == "authorized"
    deliver(client, pending.provider_reference, "charge.succeeded")
    assert Payment.objects.get().status == "captured"


def test_failed_callback_fails_the_pending_payment(client, pending):
    deliver(client, pending.provider_reference, "charge.failed", failure_code="card_declined",
            failure_reason="Declined by the bank.")
    pending.refresh_from_db()
    assert pending.status == "failed" and pending.failure_reason == "Declined by the bank."
    assert pending.order.status == "pending_payment"


def test_callback_for_an_unknown_reference_is_not_recorded_so_a_retry_can_apply(client, db):
    assert deliver(client, "ch_sandbox_nope").status_code == 404
    assert not ProviderEvent.objects.exists()


def test_unknown_provider_is_404(client, db):
    response = client.post("/api/v1/payments/providers/acme/webhook/", b"{}", content_type="application/json")
    assert response.status_code == 404


def test_pending_top_up_completes_on_callback(client, customer, monkeypatch):
    monkeypatch.setattr("payments.providers.sandbox.schedule_callback", lambda *a: None)
    top = services.top_up(customer=customer, amount_minor=7_000, funding_source=add_card(customer, PENDING_CARD))
    assert top.status == "pending" and wallet_balance(customer) == 0
    deliver(client, top.provider_reference)
    assert TopUp.objects.get().status == "succeeded" and wallet_balance(customer) == 7_000
    assert services.reconcile() == []


@pytest.mark.django_db(transaction=True)
def test_pending_card_is_captured_by_the_callback_the_sandbox_delivers_over_http(live_server, business, customer):
    """Celery (eager here) runs the sandbox's task after commit; it POSTs the signed callback
    to the webhook at SITE_URL over real HTTP."""
    with override_settings(SITE_URL=live_server.url, SANDBOX_CALLBACK_DELAY_SECONDS=0):
        payment = services.pay_order(order=order_for(customer, 9_900), method="card",
                                     funding_source=add_card(customer, PENDING_CARD))
    payment.refresh_from_db()
    assert payment.status == "captured"
    assert ProviderEvent.objects.get().outcome == "captured"


def test_a_payment_completing_after_the_order_expired_is_refunded_at_once(client, pending):
    from orders.models import Order

    Order.objects.filter(pk=pending.order_id).update(status="expired")
    assert deliver(client, pending.provider_reference).json()["outcome"] == "captured_and_refunded"
    pending.refresh_from_db()
    assert pending.status == "captured" and pending.refunded_minor == pending.amount_minor
    assert pending.order.status == "expired"
    assert services.reconcile() == []
