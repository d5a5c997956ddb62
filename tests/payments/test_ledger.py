"""The ledger: balanced transactions only, append-only rows, wallets never below zero."""
import pytest
from django.db import IntegrityError, connection, transaction

from payments import ledger
from payments.ledger import Kind, Posting
from payments.models import AppendOnlyError, LedgerAccount, LedgerEntry, LedgerTransaction
from tests.conftest import requires_postgres

from .conftest import fund


def test_an_unbalanced_transaction_is_refused_and_nothing_is_written(business):
    accounts = ledger.lock(business=business, kinds=(Kind.PROVIDER_CLEARING, Kind.MERCHANT_PAYABLE))
    with pytest.raises(ledger.UnbalancedTransaction):
        ledger.post(business=business, postings=[
            Posting("adjustment", [(accounts[Kind.PROVIDER_CLEARING], -100), (accounts[Kind.MERCHANT_PAYABLE], 99)]),
        ])
    assert not LedgerEntry.objects.exists()


def test_a_posting_moves_both_balances_and_they_sum_to_zero(business):
    accounts = ledger.lock(business=business, kinds=(Kind.PROVIDER_CLEARING, Kind.MERCHANT_PAYABLE))
    ledger.post(business=business, postings=[
        ledger.move("adjustment", accounts[Kind.PROVIDER_CLEARING], accounts[Kind.MERCHANT_PAYABLE], 250)])
    balances = dict(LedgerAccount.objects.values_list("kind", "balance_minor"))
    assert balances == {Kind.PROVIDER_CLEARING: -250, Kind.MERCHANT_PAYABLE: 250}


def test_posting_that_would_overdraw_a_wallet_is_refused(customer):
    fund(customer, 1_000)
    wallet = ledger.ensure_wallet(customer).account
    accounts = ledger.lock(business=customer.business, kinds=(Kind.MERCHANT_PAYABLE,), customers=[customer.pk])
    with pytest.raises(ledger.WalletOverdrawn):
        ledger.post(business=customer.business, postings=[
            ledger.move("payment", accounts.wallet(customer.pk), accounts[Kind.MERCHANT_PAYABLE], 1_001)])
    wallet.refresh_from_db()
    assert wallet.balance_minor == 1_000


def test_the_database_refuses_a_negative_wallet_balance(customer):
    account = ledger.ensure_wallet(customer).account
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=account.pk).update(balance_minor=-1)


def test_ledger_rows_cannot_be_changed_or_deleted_through_the_orm(customer):
    fund(customer, 1_000)
    entry = LedgerEntry.objects.first()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerTransaction.objects.first().delete()


@requires_postgres
def test_postgres_refuses_updates_and_deletes_of_ledger_entries(customer):
    fund(customer, 1_000)
    for sql in ("UPDATE payments_ledgerentry SET amount_minor = 1", "DELETE FROM payments_ledgerentry"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert LedgerEntry.objects.count() == 2
