"""Settlement: one statement per run, each payment and refund settled exactly once, payouts
through the provider; reconciliation proves the ledger."""
import pytest
from django.core.management import call_command

from payments import errors, services
from payments.models import LedgerAccount, Payment, Settlement, SettlementLine
from payments.services import settlement as settlement_service
from shopchat.models import OutboxEvent

from .conftest import add_card, order_for


def pay(customer, total, method="card"):
    order = order_for(customer, total)
    source = add_card(customer) if method == "card" else None
    services.pay_order(order=order, method=method, funding_source=source)
    return order


def test_settlement_pays_gross_minus_refunds_minus_commission(business, customer):
    a = pay(customer, 100_000)
    pay(customer, 50_000)
    services.refund_order(order=a, amount_minor=20_000)
    settlement = services.settle_business(business=business)
    # commission: 2% + 300 each: 2,300 and 1,300
    assert (settlement.payment_count, settlement.refund_count) == (2, 1)
    assert settlement.gross_minor == 150_000 and settlement.refunds_minor == 20_000
    assert settlement.commission_minor == 3_600
    assert settlement.net_minor == settlement.payout_minor == 150_000 - 20_000 - 3_600
    assert settlement.status == "paid" and settlement.payout_reference.startswith("po_sandbox_")
    payable = LedgerAccount.objects.get(business=business, kind="merchant_payable")
    assert payable.balance_minor == 0
    event = OutboxEvent.objects.get(event_type="settlement.paid").payload
    assert event["amount"] == "1264.00"
    assert services.reconcile() == []


def test_a_second_run_settles_nothing_again(business, customer):
    pay(customer, 10_000)
    assert services.settle_business(business=business) is not None
    assert services.settle_business(business=business) is None
    assert SettlementLine.objects.count() == 1


def test_a_refund_after_settlement_lands_on_the_next_statement_and_debt_is_carried(business, customer):
    order = pay(customer, 10_000)
    first = services.settle_business(business=business)
    services.refund_order(order=order)
    second = services.settle_business(business=business)
    assert second.refund_count == 1 and second.net_minor == -10_000
    assert second.payout_minor == 0 and second.status == "carried" and second.closing_minor == -10_000
    pay(customer, 30_000)
    third = services.settle_business(business=business)
    assert third.opening_minor == -10_000
    assert third.payout_minor == 30_000 - 900 - 10_000
    assert first.payout_minor + third.payout_minor == 10_000 - 500 + 30_000 - 900 - 10_000
    assert services.reconcile() == []


def test_a_run_killed_halfway_leaves_nothing_and_the_rerun_settles_each_payment_once(business, customer, monkeypatch):
    for _ in range(5):
        pay(customer, 1_000)

    def killed(settlement, batch):
        if batch == 2:
            raise KeyboardInterrupt("worker killed")

    monkeypatch.setattr(settlement_service, "_after_claim_batch", killed)
    with pytest.raises(KeyboardInterrupt):
        services.settle_business(business=business, batch_size=2)
    assert not Settlement.objects.exists() and not Payment.objects.filter(settlement__isnull=False).exists()
    monkeypatch.undo()
    settlement = services.settle_business(business=business, batch_size=2)
    assert settlement.payment_count == 5
    assert SettlementLine.objects.filter(payment__isnull=False).count() == 5
    assert services.reconcile() == []


def test_settlement_needs_a_payout_account(business, customer):
    business.payout_account = ""
    business.save()
    pay(customer, 1_000)
    with pytest.raises(errors.NoPayoutAccount):
        services.settle_business(business=business)


def test_settlement_queries_do_not_grow_with_payments(business, customer, django_assert_max_num_queries):
    for _ in range(30):
        pay(customer, 1_000)
    with django_assert_max_num_queries(30):
        services.settle_business(business=business, batch_size=1_000)


def test_manage_py_settle_one_business(business, customer, capsys):
    pay(customer, 1_000)
    call_command("settle", "--business", business.slug)
    assert "1 settlement(s)" in capsys.readouterr().out
    assert Settlement.objects.count() == 1


def test_manage_py_reconcile_exits_1_on_a_difference(business, customer, capsys):
    pay(customer, 1_000)
    call_command("reconcile")
    assert "no differences" in capsys.readouterr().out
    LedgerAccount.objects.filter(kind="platform_revenue").update(balance_minor=1)
    with pytest.raises(SystemExit) as exit_:
        call_command("reconcile")
    assert exit_.value.code == 1
    assert "platform_revenue" in capsys.readouterr().out


def test_reconcile_spots_a_payment_captured_without_ledger_entries(business, customer):
    order = order_for(customer, 5_000)
    Payment.objects.create(business=business, order=order, customer=customer, method="card", amount_minor=5_000,
                           currency="INR", status="captured")
    checks = {d.check.split(" =")[0] for d in services.reconcile()}
    assert {"merchant_payable", "provider_clearing"} <= checks


def test_settle_all_skips_businesses_without_payout_account(business, customer, other_business):
    pay(customer, 1_000)
    assert [s.business for s in services.settle_all()] == [business]


def test_reconcile_spots_an_unbalanced_transaction_and_a_statement_not_matching_its_lines(business, customer):
    from payments.models import LedgerEntry, LedgerTransaction

    pay(customer, 1_000)
    settlement = services.settle_business(business=business)
    account = LedgerAccount.objects.get(business=business, kind="platform_revenue")
    txn = LedgerTransaction.objects.create(business=business, kind="adjustment")
    LedgerEntry.objects.create(transaction=txn, account=account, amount_minor=5, currency="INR")
    Settlement.objects.filter(pk=settlement.pk).update(net_minor=1, gross_minor=1, commission_minor=0,
                                                       refunds_minor=0, closing_minor=1 - settlement.payout_minor
                                                       + settlement.opening_minor)
    checks = " | ".join(d.check for d in services.reconcile())
    assert f"transaction {txn.pk} sums to zero" in checks
    assert f"settlement {settlement.pk} net = its lines" in checks


def test_the_beat_task_settles_every_business(business, customer):
    from payments import tasks

    pay(customer, 2_000)
    assert tasks.settle_all.delay().get() == 1
    assert tasks.settle_all.delay().get() == 0
