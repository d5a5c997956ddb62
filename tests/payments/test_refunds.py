"""Refunds: full or partial, never more than captured, back to where the money came from."""
import pytest

from payments import errors, services
from payments.models import LedgerAccount, Refund
from shopchat.models import OutboxEvent

from .conftest import order_for, wallet_balance

REFUND = "/api/v1/orders/{}/refunds/"


@pytest.fixture
def paid_by_wallet(funded):
    order = order_for(funded, 100_000)
    services.pay_order(order=order, method="wallet")
    return order


def test_full_refund_returns_the_money_to_the_wallet(paid_by_wallet, funded):
    refund = services.refund_order(order=paid_by_wallet)
    assert refund.amount_minor == 100_000
    assert wallet_balance(funded) == 500_000
    paid_by_wallet.refresh_from_db()
    assert paid_by_wallet.status == "refunded"
    event = OutboxEvent.objects.get(event_type="payment.refunded").payload
    assert event["refunded"] == "1000.00" and event["customer"]["wa_id"] == funded.wa_id
    assert services.reconcile() == []


def test_partial_refunds_add_up_and_never_exceed_what_was_captured(paid_by_wallet):
    services.refund_order(order=paid_by_wallet, amount_minor=30_000)
    paid_by_wallet.refresh_from_db()
    assert paid_by_wallet.status == "partly_refunded"
    with pytest.raises(errors.NotRefundable):
        services.refund_order(order=paid_by_wallet, amount_minor=70_001)
    last = services.refund_order(order=paid_by_wallet)
    assert last.amount_minor == 70_000
    with pytest.raises(errors.NotRefundable):
        services.refund_order(order=paid_by_wallet, amount_minor=1)
    assert services.reconcile() == []


def test_card_refund_goes_back_through_the_provider(customer, card, django_capture_on_commit_callbacks):
    order = order_for(customer, 40_000)
    services.pay_order(order=order, method="card", funding_source=card)
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.refund_order(order=order, amount_minor=10_000)
    assert refund.status == Refund.Status.PENDING  # booked; sent once the booking commits
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.provider_reference.startswith("re_sandbox_")
    clearing = LedgerAccount.objects.get(business=customer.business, kind="provider_clearing")
    assert clearing.balance_minor == -40_000 + 10_000
    assert services.reconcile() == []


def test_an_unpaid_order_cannot_be_refunded(customer):
    with pytest.raises(errors.NotRefundable):
        services.refund_order(order=order_for(customer))


def test_refund_records_who_made_it(paid_by_wallet, admin_user):
    refund = services.refund_order(order=paid_by_wallet, actor=admin_user, reason="damaged")
    assert refund.created_by == admin_user and refund.reason == "damaged"


def test_api_refund_needs_the_integration_scope(api, paid_by_wallet):
    response = api.post(REFUND.format(paid_by_wallet.number), {}, format="json", HTTP_IDEMPOTENCY_KEY="r")
    assert response.status_code == 403


def test_api_partial_refund_takes_a_decimal_string(integration_api, paid_by_wallet):
    response = integration_api.post(REFUND.format(paid_by_wallet.number), {"amount": "250.50", "reason": "late"},
                                    format="json", HTTP_IDEMPOTENCY_KEY="r1")
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "250.50" and response.json()["currency"] == "INR"
    again = integration_api.post(REFUND.format(paid_by_wallet.number), {"amount": "250.50", "reason": "late"},
                                 format="json", HTTP_IDEMPOTENCY_KEY="r1")
    assert again.json() == response.json() and Refund.objects.count() == 1


def test_api_refund_over_the_captured_amount_is_409_naming_amount(integration_api, paid_by_wallet):
    response = integration_api.post(REFUND.format(paid_by_wallet.number), {"amount": "1000.01"}, format="json",
                                    HTTP_IDEMPOTENCY_KEY="r2")
    assert response.status_code == 409 and "amount" in response.json()["error"]["fields"]
    assert not Refund.objects.exists()


def test_api_refund_amount_with_too_many_decimals_is_400(integration_api, paid_by_wallet):
    response = integration_api.post(REFUND.format(paid_by_wallet.number), {"amount": "1.001"}, format="json",
                                    HTTP_IDEMPOTENCY_KEY="r3")
    assert response.status_code == 400 and "amount" in response.json()["error"]["fields"]
