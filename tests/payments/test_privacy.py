"""Payments under erasure: the wallet rule, and the one ledger change PostgreSQL allows."""
import pytest
from django.db import IntegrityError, connection, transaction

from payments import services
from payments.models import LedgerTransaction
from shopchat.privacy import services as privacy
from shopchat.privacy.errors import ErasureRefused
from tests.conftest import requires_postgres
from tests.factories import CustomerFactory

from .conftest import fund


def test_a_wallet_that_still_holds_money_stops_the_erasure(customer):
    fund(customer, 1_500)
    with pytest.raises(ErasureRefused) as refused:
        privacy.erase_customer(customer=customer, actor="test")
    assert "wallet still holds" in refused.value.data["reasons"][0]
    customer.refresh_from_db()
    assert customer.erased_at is None and customer.name


def test_erasure_tombstones_the_transfer_note_in_the_ledger_memo(customer, business):
    fund(customer, 1_000)
    services.transfer(sender=customer, to_wa_id=CustomerFactory(business=business).wa_id, amount_minor=1_000,
                      note="for the blue bicycle")
    privacy.erase_customer(customer=customer, actor="test")
    assert LedgerTransaction.objects.get(kind="transfer").memo == "[erased]"
    assert not services.reconcile(business=business)


@requires_postgres
def test_postgres_lets_only_the_memo_become_the_tombstone(customer):
    fund(customer, 1_000)
    refused = ("UPDATE payments_ledgertransaction SET memo = 'changed'",
               "UPDATE payments_ledgertransaction SET memo = '[erased]', reference = 'x'",
               "DELETE FROM payments_ledgertransaction")
    for sql in refused:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE payments_ledgertransaction SET memo = '[erased]'")
    assert LedgerTransaction.objects.get().memo == "[erased]"
