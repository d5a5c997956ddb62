"""Paying orders from the wallet and by card: captures, declines, pending cards, events."""
import pytest

from orders.models import Order
from payments import errors, services
from payments.models import LedgerAccount, Payment
from shopchat.models import OutboxEvent

from .conftest import DECLINED_CARD, NO_FUNDS_CARD, PENDING_CARD, add_card, order_for, wallet_balance

PAY = "/api/v1/orders/{}/payments/"


def balances(business):
    return dict(LedgerAccount.objects.filter(business=business, customer=None).values_list("kind", "balance_minor"))


def events(kind):
    return list(OutboxEvent.objects.filter(event_type=kind).values_list("payload", flat=True))


def test_wallet_payment_captures_pays_the_order_and_takes_the_commission(funded):
    order = order_for(funded, 100_000)
    payment = services.pay_order(order=order, method="wallet")
    assert payment.status == "captured"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.paid_at
    # 2% + 3.00 fixed = 2,000 + 300
    assert payment.commission_minor == 2_300
    assert balances(funded.business)["merchant_payable"] == 100_000 - 2_300
    assert balances(funded.business)["platform_revenue"] == 2_300
    assert wallet_balance(funded) == 400_000
    captured = events("payment.captured")
    assert captured[0]["order"] == order.number and captured[0]["amount"] == "1000.00"
    assert captured[0]["customer"]["wa_id"] == funded.wa_id
    assert events("order.paid")
    assert services.reconcile() == []


def test_wallet_payment_without_enough_balance_fails_and_moves_nothing(customer):
    order = order_for(customer, 100_000)
    payment = services.pay_order(order=order, method="wallet")
    assert payment.status == "failed" and payment.failure_code == "insufficient_funds"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert events("payment.failed")[0]["reason"]
    assert services.reconcile() == []


def test_card_payment_captures_through_provider_clearing(customer, card):
    payment = services.pay_order(order=order_for(customer, 50_000), method="card", funding_source=card)
    assert payment.status == "captured" and payment.provider_reference.startswith("ch_sandbox_")
    assert balances(customer.business)["provider_clearing"] == -50_000
    assert services.reconcile() == []


@pytest.mark.parametrize("number, code", [(DECLINED_CARD, "card_declined"), (NO_FUNDS_CARD, "insufficient_funds")])
def test_declined_cards_record_a_failed_payment_and_the_order_stays_payable(customer, number, code):
    order = order_for(customer)
    payment = services.pay_order(order=order, method="card", funding_source=add_card(customer, number))
    assert payment.status == "failed" and payment.failure_code == code
    assert not balances(customer.business).get("merchant_payable")
    retry = services.pay_order(order=order, method="card", funding_source=add_card(customer))
    assert retry.status == "captured"


def test_a_second_payment_of_a_paid_order_is_refused(funded):
    order = order_for(funded)
    services.pay_order(order=order, method="wallet")
    with pytest.raises(errors.OrderNotPayable):
        services.pay_order(order=order, method="wallet")
    assert Payment.objects.filter(status="captured").count() == 1


def test_pending_card_stays_pending_until_the_callback(customer, django_capture_on_commit_callbacks, monkeypatch):
    scheduled = []
    monkeypatch.setattr("payments.providers.sandbox.schedule_callback",
                        lambda ref, kind, key="": scheduled.append((ref, kind)))
    order = order_for(customer)
    with django_capture_on_commit_callbacks(execute=True):
        payment = services.pay_order(order=order, method="card", funding_source=add_card(customer, PENDING_CARD))
    assert payment.status == "pending"
    assert scheduled == [(payment.provider_reference, "charge.succeeded")]
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_api_pays_from_the_wallet_with_decimal_strings(api, funded):
    order = order_for(funded, 12_345)
    response = api.post(PAY.format(order.number), {"method": "wallet"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == "123.45" and body["currency"] == "INR" and body["status"] == "captured"


def test_api_payment_needs_an_idempotency_key(api, funded):
    response = api.post(PAY.format(order_for(funded).number), {"method": "wallet"}, format="json")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]


def test_api_retry_with_the_same_key_returns_the_first_payment(api, funded):
    order = order_for(funded)
    first = api.post(PAY.format(order.number), {"method": "wallet"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    again = api.post(PAY.format(order.number), {"method": "wallet"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert again.status_code == 201 and again.json() == first.json()
    assert Payment.objects.count() == 1


def test_api_declined_card_answers_402_with_the_failed_payment(api, customer):
    source = add_card(customer, DECLINED_CARD)
    response = api.post(PAY.format(order_for(customer).number), {"method": "card", "funding_source": source.pk},
                        format="json", HTTP_IDEMPOTENCY_KEY="d1")
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "card_declined" and error["payment"]["status"] == "failed"
    assert Payment.objects.get().status == "failed"


def test_api_card_payment_needs_a_card_of_the_customer(api, customer, business):
    from tests.factories import CustomerFactory

    stranger_card = add_card(CustomerFactory(business=business))
    response = api.post(PAY.format(order_for(customer).number), {"method": "card", "funding_source": stranger_card.pk},
                        format="json", HTTP_IDEMPOTENCY_KEY="x")
    assert response.status_code == 400 and "funding_source" in response.json()["error"]["fields"]


def test_api_order_of_another_business_is_404(other_api, funded):
    response = other_api.post(PAY.format(order_for(funded).number), {"method": "wallet"}, format="json",
                              HTTP_IDEMPOTENCY_KEY="o")
    assert response.status_code == 404


def test_card_payment_link_page_pays_by_card_and_never_shows_the_number(client, customer):
    order = order_for(customer, 5_000)
    link = services.card_payment_link(order=order)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and "50.00" in page.content.decode()
    done = client.post("/" + path, {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2030})
    assert "4242424242424242" not in done.content.decode()
    order.refresh_from_db()
    assert order.status == "paid"


def test_a_forged_payment_link_is_404(client):
    assert client.get("/pay/not-a-token/").status_code == 404


def test_wallet_payment_api_runs_a_constant_number_of_queries(api, funded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in range(3):
        order = order_for(funded, 1_000)
        with CaptureQueriesContext(connection) as queries:
            response = api.post(PAY.format(order.number), {"method": "wallet"}, format="json",
                                HTTP_IDEMPOTENCY_KEY=f"q{n}")
        assert response.status_code == 201
        counts.append(len(queries))
    # The API key (the tests do not cache it); the call's block (2: begin and end); the
    # Idempotency-Key claimed and its answer stored (2); the order locked with its customer, its
    # live-payment check and the wallet (and, on PostgreSQL, the payment's id drawn); orders'
    # mark_paid with the payment (the order's update, its transition, the payment and the
    # order.paid and payment.captured events: one statement); the ledger: transactions with the
    # merchant accounts locked, entries with the balances (2). SQLite makes these 3 statements
    # 8. The first payment also creates the merchant accounts.
    assert counts[1] == counts[2] <= (9 if connection.vendor == "postgresql" else 14), counts
