"""Staff and gateways racing on one paid order (PostgreSQL, real threads): refunds, payments and
a cancel at once never answer 5xx, a deadlock or serialization failure that still happens is
retried (bounded) or answered 409 `conflict`, and the ledger reconciles afterwards."""
import itertools

import pytest

from payments import services
from payments.models import Payment, Refund
from tests.conftest import api_client_for, requires_postgres
from tests.factories import BusinessFactory, CustomerFactory

from .conftest import fund, order_for, wallet_balance
from .test_concurrency import race

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]
keys = itertools.count()


def calls(client, order, customer, *, refunds, payments, cancels):
    def refund(amount):
        return lambda: client.post(f"/api/v1/orders/{order.number}/refunds/", {"amount": f"{amount / 100:.2f}"},
                                   format="json", HTTP_IDEMPOTENCY_KEY=f"refund-{next(keys)}")

    def pay():
        return client.post(f"/api/v1/orders/{order.number}/payments/", {"method": "wallet"}, format="json",
                           HTTP_IDEMPOTENCY_KEY=f"pay-{next(keys)}")

    def cancel():
        return client.post(f"/api/v1/orders/{order.number}/cancel/", {"reason": "race"}, format="json")

    return [refund(1_000) for _ in range(refunds)] + [pay] * payments + [cancel] * cancels


def test_refunds_payments_and_a_cancel_racing_on_one_paid_order_never_answer_5xx():
    shop = BusinessFactory(payout_account="acme@okaxis")
    client = api_client_for(shop, scopes=("gateway", "integration"))
    statuses = []
    for _ in range(5):
        customer = CustomerFactory(business=shop)
        fund(customer, 100_000)
        order = order_for(customer, 20_000)
        services.pay_order(order=order, method="wallet")
        results = race(*calls(client, order, customer, refunds=6, payments=3, cancels=2))
        errors = [r for r in results if isinstance(r, BaseException)]
        assert not errors, errors
        statuses += [r.status_code for r in results]
        payment = Payment.objects.get(order=order, status="captured")
        refunded = sum(Refund.objects.filter(payment=payment).values_list("amount_minor", flat=True))
        assert payment.refunded_minor == refunded <= 20_000
        assert wallet_balance(customer) == 100_000 - 20_000 + refunded
    assert not [s for s in statuses if s >= 500], statuses
    assert set(statuses) <= {200, 201, 409, 422}, statuses
    assert services.reconcile() == []


def test_one_refund_racing_one_cancel_never_answers_5xx():
    shop = BusinessFactory(payout_account="acme@okaxis")
    client = api_client_for(shop, scopes=("gateway", "integration"))
    statuses = []
    for _ in range(10):
        customer = CustomerFactory(business=shop)
        fund(customer, 50_000)
        order = order_for(customer, 10_000)
        services.pay_order(order=order, method="wallet")
        results = race(*calls(client, order, customer, refunds=1, payments=0, cancels=1))
        statuses += [getattr(r, "status_code", 599) for r in results]
    assert not [s for s in statuses if s >= 500], statuses
    assert services.reconcile() == []
