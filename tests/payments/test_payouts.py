"""Payouts on a schedule per business, a minimum payout, and failed payouts (reversed in the
ledger, the merchant told, paid again once the account is fixed), through Stripe Connect
transfers and RazorpayX payouts behind the same interface, against local fakes of their APIs."""
from datetime import date, timedelta
from unittest import mock

import pytest

from payments import services
from payments.models import LedgerAccount, Settlement
from tests.factories import BusinessFactory, CustomerFactory, PaymentProviderConfigFactory

from .conftest import add_card, order_for
from .fakes import razorpay_api, stripe_api


def paid(customer, total=10_000):
    services.pay_order(order=order_for(customer, total), method="card", funding_source=add_card(customer))


def payable(business):
    return LedgerAccount.objects.get(business=business, kind="merchant_payable").balance_minor


@pytest.fixture
def stripe_fake():
    with stripe_api.FakeStripe() as fake:
        yield fake


def stripe_config(business, fake, destination="acct_merchant_1", **fields):
    return PaymentProviderConfigFactory(business=business, provider="stripe", secret_key="sk_test_fake",
                                        webhook_secret="whsec_x", api_base_url=fake.url,
                                        payout_destination=destination, **fields)


def test_a_payout_is_a_stripe_connect_transfer_with_the_settlement_key(business, customer, stripe_fake):
    paid(customer)  # through the sandbox: the business switches to Stripe afterwards
    stripe_config(business, stripe_fake)
    settlement = services.settle_business(business=business)
    assert settlement.status == Settlement.Status.PAID and settlement.payout_reference.startswith("tr_test")
    (call,) = stripe_fake.server.calls("POST", "/v1/transfers")
    assert call["body"]["destination"] == "acct_merchant_1" and int(call["body"]["amount"]) == settlement.payout_minor
    assert call["headers"]["idempotency-key"] == f"settlement_{settlement.pk}"
    assert payable(business) == 0 and services.reconcile() == []


def test_a_failed_payout_is_reversed_told_and_paid_once_the_account_is_fixed(business, customer, stripe_fake):
    from shopchat.models import OutboxEvent

    paid(customer)
    config = stripe_config(business, stripe_fake, destination="acct_closed")
    failed = services.settle_business(business=business)
    assert failed.status == Settlement.Status.FAILED and "closed" in failed.payout_failure
    assert payable(business) == failed.payout_minor  # the money is back in the merchant's balance
    assert services.reconcile() == []
    assert OutboxEvent.objects.filter(event_type="settlement.payout_failed").count() == 1
    config.payout_destination = "acct_merchant_1"
    config.save()
    again = services.retry_failed_payouts(business=business)
    assert again.status == Settlement.Status.PAID and again.payout_minor == failed.payout_minor
    assert payable(business) == 0 and services.reconcile() == []


def test_a_transfer_reversed_later_by_a_webhook_is_reversed_in_the_ledger(client, business, customer, stripe_fake):
    paid(customer)
    config = stripe_config(business, stripe_fake)
    settlement = services.settle_business(business=business)
    body = stripe_api.event("transfer.reversed", {"id": settlement.payout_reference, "object": "transfer",
                                                  "amount": settlement.payout_minor, "reversed": True})
    response = client.post(f"/api/v1/payments/providers/stripe/webhook/{config.webhook_key}/", body,
                           content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=stripe_api.signature_header(body, "whsec_x"))
    assert response.json()["outcome"] == "payout_reversed"
    assert Settlement.objects.get(pk=settlement.pk).status == Settlement.Status.FAILED
    assert payable(business) == settlement.payout_minor and services.reconcile() == []


def test_razorpayx_payouts_go_to_the_fund_account_and_a_rejected_one_is_reversed(db):
    shop = BusinessFactory(currency="INR", payout_account="acme@okaxis")
    paid(CustomerFactory(business=shop))
    with razorpay_api.FakeRazorpay() as fake:
        PaymentProviderConfigFactory(business=shop, provider="razorpay", key_id=razorpay_api.KEY_ID,
                                     secret_key=razorpay_api.KEY_SECRET, webhook_secret="w", api_base_url=fake.url,
                                     payout_destination="fa_closed")
        failed = services.settle_business(business=shop)
        assert failed.status == Settlement.Status.FAILED
        (call,) = fake.server.calls("POST", "/v1/payouts")
        assert call["body"]["fund_account_id"] == "fa_closed" and call["body"]["mode"] == "IMPS"
        assert call["headers"]["x-payout-idempotency"] == f"settlement_{failed.pk}"
    assert services.reconcile() == []


def test_below_the_minimum_payout_the_balance_is_carried(business, customer):
    paid(customer)
    PaymentProviderConfigFactory(business=business, minimum_payout_minor=1_000_000)
    settlement = services.settle_business(business=business)
    assert settlement.status == Settlement.Status.CARRIED and settlement.payout_minor == 0
    assert payable(business) == settlement.closing_minor > 0 and services.reconcile() == []


@pytest.mark.parametrize(("schedule", "weekday", "settled"), [
    ("daily", 2, True), ("weekly", 2, False), ("weekly", 0, True), ("manual", 0, False)])
def test_the_nightly_run_follows_each_business_payout_schedule(business, customer, schedule, weekday, settled):
    paid(customer)
    PaymentProviderConfigFactory(business=business, payout_schedule=schedule)
    day = date(2026, 11, 30) + timedelta(days=weekday)  # a Monday, plus
    with mock.patch("payments.services.settlement.timezone.localdate", return_value=day):
        done = services.settle_all()
    assert bool(done) is settled
