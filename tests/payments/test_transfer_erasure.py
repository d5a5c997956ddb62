"""A transfer to a number whose customer is erased while the transfer waits for the wallet's
lock goes to a new customer of that number, never into the erased customer's wallet."""
import pytest
from django.utils import timezone

from payments import ledger, queries, services
from payments.models import LedgerAccount
from shopchat.models import Customer
from tests.factories import CustomerFactory

from .conftest import fund

pytestmark = pytest.mark.django_db


def test_a_transfer_to_a_customer_erased_meanwhile_goes_to_a_new_customer(business, customer, monkeypatch):
    recipient = CustomerFactory(business=business, wa_id="15550009999", name="Ravi")
    ledger.ensure_wallet(recipient)  # a wallet, empty: the erasure is allowed
    fund(customer, 10_000)
    original = queries.lock_wallets_by_phone

    def lock_then_erasure_commits(**kwargs):
        rows = original(**kwargs)  # matched the number before the erasure replaced it
        Customer.objects.filter(pk=recipient.pk).update(erased_at=timezone.now(), wa_id="999000000001", name="")
        return rows

    monkeypatch.setattr(queries, "lock_wallets_by_phone", lock_then_erasure_commits)
    sent = services.transfer(sender=customer, to_wa_id="15550009999", amount_minor=2_500)
    assert sent.transfer.recipient_id != recipient.pk
    assert sent.transfer.recipient.wa_id == "15550009999" and sent.transfer.recipient.erased_at is None
    erased_wallet = LedgerAccount.objects.filter(customer=recipient).first()
    assert erased_wallet is None or erased_wallet.balance_minor == 0
    assert services.reconcile() == []
