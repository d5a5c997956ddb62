"""Real concurrency on PostgreSQL: threads racing on one wallet, one Idempotency-Key, one
settlement. Each thread closes its own connection."""
import threading
import time

import pytest
from django.db import close_old_connections, connection

from payments import errors, services
from payments.models import LedgerAccount, Payment, Settlement, SettlementLine, Transfer
from payments.services import settlement as settlement_service
from shopchat.models import Customer
from tests.conftest import api_client_for, requires_postgres
from tests.factories import BusinessFactory, CustomerFactory

from .conftest import add_card, fund, order_for, wallet_balance

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def race(*targets):
    """Run the callables at the same moment in threads; return their results or exceptions."""
    barrier = threading.Barrier(len(targets))
    results = [None] * len(targets)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    close_old_connections()
    return results


@pytest.fixture
def shop():
    return BusinessFactory(payout_account="acme@okaxis")


def test_two_transfers_racing_on_one_wallet_never_overdraw_it(shop):
    sender = CustomerFactory(business=shop)
    fund(sender, 10_000)
    results = race(
        lambda: services.transfer(sender=Customer.objects.get(pk=sender.pk), to_wa_id="919800000001",
                                  amount_minor=7_000).transfer,
        lambda: services.transfer(sender=Customer.objects.get(pk=sender.pk), to_wa_id="919800000002",
                                  amount_minor=7_000).transfer,
    )
    assert sum(isinstance(r, Transfer) for r in results) == 1
    assert sum(isinstance(r, errors.InsufficientFunds) for r in results) == 1
    assert wallet_balance(sender) == 3_000
    assert services.reconcile() == []


def test_many_transfers_in_a_ring_keep_every_wallet_at_or_above_zero(shop):
    people = [CustomerFactory(business=shop) for _ in range(4)]
    for person in people:
        fund(person, 1_000)

    def send(i):
        def go():
            done = 0
            for _ in range(5):
                try:
                    services.transfer(sender=people[i], to_wa_id=people[(i + 1) % 4].wa_id, amount_minor=300)
                    done += 1
                except errors.InsufficientFunds:
                    pass
            return done
        return go

    race(*[send(i) for i in range(4)])
    balances = LedgerAccount.objects.filter(kind="customer_wallet").values_list("balance_minor", flat=True)
    assert all(b >= 0 for b in balances)
    assert sum(wallet_balance(p) for p in people) == 4_000
    assert services.reconcile() == []


def test_the_same_idempotency_key_sent_twice_at_once_yields_one_payment(shop):
    customer = CustomerFactory(business=shop)
    fund(customer, 100_000)
    order = order_for(customer, 10_000)
    clients = [api_client_for(shop), api_client_for(shop)]
    url = f"/api/v1/orders/{order.number}/payments/"
    results = race(*[
        (lambda c=c: c.post(url, {"method": "wallet"}, format="json", HTTP_IDEMPOTENCY_KEY="twice").status_code)
        for c in clients
    ])
    assert Payment.objects.count() == 1 and Payment.objects.get().status == "captured"
    assert sorted(results) in ([201, 201], [201, 409])
    assert wallet_balance(customer) == 90_000


def test_two_payments_of_one_order_at_once_capture_once(shop):
    customer = CustomerFactory(business=shop)
    fund(customer, 100_000)
    order = order_for(customer, 10_000)
    results = race(*[lambda: services.pay_order(order=order, method="wallet") for _ in range(2)])
    assert sum(isinstance(r, Payment) for r in results) == 1
    assert Payment.objects.filter(status="captured").count() == 1 and wallet_balance(customer) == 90_000


def _settleable_shops(count=3, payments=6):
    shops = [BusinessFactory(payout_account=f"shop{i}@okaxis") for i in range(count)]
    for business in shops:
        customer = CustomerFactory(business=business)
        card = add_card(customer)
        for _ in range(payments):
            services.pay_order(order=order_for(customer, 1_000), method="card", funding_source=card)
    return shops


def test_a_settlement_run_killed_halfway_and_rerun_settles_each_payment_once(monkeypatch):
    shops = _settleable_shops()
    calls = {"n": 0}

    def killed(settlement, batch):
        calls["n"] += 1
        if calls["n"] == 5:  # in the middle of the second business
            raise SystemExit("worker killed")

    monkeypatch.setattr(settlement_service, "_after_claim_batch", killed)
    with pytest.raises(SystemExit):
        for business in shops:
            services.settle_business(business=business, batch_size=2)
    assert Settlement.objects.count() == 1
    monkeypatch.undo()
    services.settle_all()
    assert SettlementLine.objects.filter(payment__isnull=False).count() == 18
    assert Payment.objects.filter(settlement__isnull=True).count() == 0
    assert Settlement.objects.count() == 3
    assert services.reconcile() == []


def test_two_settlement_runs_at_once_settle_each_payment_once():
    _settleable_shops()
    results = race(services.settle_all, services.settle_all)
    assert not [r for r in results if isinstance(r, BaseException)]
    assert Settlement.objects.count() == 3
    assert SettlementLine.objects.filter(payment__isnull=False).count() == 18
    assert services.reconcile() == []


def test_a_callback_racing_its_duplicate_captures_once(monkeypatch):
    from payments.providers import sandbox
    from tests.payments.conftest import PENDING_CARD

    monkeypatch.setattr("payments.providers.sandbox.schedule_callback", lambda *a: None)

    shop = BusinessFactory()
    customer = CustomerFactory(business=shop)
    payment = services.pay_order(order=order_for(customer, 5_000), method="card",
                                 funding_source=add_card(customer, PENDING_CARD))
    body = sandbox.callback_body(payment.provider_reference, "charge.succeeded")
    headers = sandbox.signed_headers(body)
    results = race(*[lambda: services.handle_provider_callback(provider_name="sandbox", body=body, headers=headers)
                     for _ in range(3)])
    assert sorted(r.duplicate for r in results) == [False, True, True]
    assert LedgerAccount.objects.get(business=shop, kind="merchant_payable").balance_minor == 5_000 - 100


def test_refunds_racing_settlement_and_each_other_never_refund_twice(shop):
    customer = CustomerFactory(business=shop)
    card = add_card(customer)
    orders = [order_for(customer, 10_000) for _ in range(3)]
    for order in orders:
        services.pay_order(order=order, method="card", funding_source=card)
    results = race(
        lambda: services.refund_order(order=orders[0]),
        lambda: services.refund_order(order=orders[0]),
        lambda: services.settle_business(business=shop),
        lambda: services.refund_order(order=orders[1], amount_minor=4_000),
    )
    assert sum(isinstance(r, errors.NotRefundable) for r in results[:2]) == 1
    assert not [r for r in results[2:] if isinstance(r, BaseException)]
    assert Payment.objects.get(order=orders[0]).refunded_minor == 10_000
    services.settle_business(business=shop)
    assert services.reconcile() == []


def test_wallet_payments_of_one_merchant_racing_a_settlement_are_each_settled_once(shop):
    """Every wallet payment credits the merchant's payable and revenue accounts, which a
    payment locks only at its end and a settlement locks to read the payable balance: payments
    and the settlement never deadlock, and each payment is on exactly one statement."""
    people = [CustomerFactory(business=shop) for _ in range(4)]
    for person in people:
        fund(person, 100_000)
    orders = {person.pk: [order_for(person, 1_000 + i) for i in range(5)] for person in people}

    def pay_all(person):
        return lambda: [services.pay_order(order=o, method="wallet").status for o in orders[person.pk]]

    def settle_meanwhile():
        settled = []
        for _ in range(30):
            settled.append(services.settle_business(business=shop))
            time.sleep(0.005)
        return [s.payment_count for s in settled if s is not None]

    results = race(*[pay_all(p) for p in people], settle_meanwhile)  # statements land between payments
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert all(statuses == ["captured"] * 5 for statuses in results[:4])
    services.settle_business(business=shop)
    assert Payment.objects.filter(status="captured", settlement__isnull=True).count() == 0
    assert SettlementLine.objects.filter(payment__isnull=False).count() == 20
    assert LedgerAccount.objects.get(business=shop, kind="merchant_payable").balance_minor == 0
    closing = 0  # each statement opens with what the one before closed with: no payment paid out early
    for statement in Settlement.objects.filter(business=shop).order_by("period_end"):
        assert statement.opening_minor == closing
        closing = statement.closing_minor
    assert services.reconcile() == []


def test_transfers_both_ways_at_once_never_deadlock(shop):
    a, b = CustomerFactory(business=shop), CustomerFactory(business=shop)
    fund(a, 10_000)
    fund(b, 10_000)

    def send(sender, recipient):
        return lambda: [services.transfer(sender=sender, to_wa_id=recipient.wa_id, amount_minor=100) for _ in range(10)]

    results = race(send(a, b), send(b, a), send(a, b), send(b, a))
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert wallet_balance(a) == wallet_balance(b) == 10_000
    assert services.reconcile() == []
