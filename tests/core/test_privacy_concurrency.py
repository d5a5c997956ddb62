"""Erasure racing the customer's own activity on PostgreSQL, with real threads: an erased
customer never keeps money in the wallet nor gets their name back, whichever commits first."""
import pytest

from payments import services as payments
from payments.models import LedgerAccount
from shopchat.models import Customer
from shopchat.privacy import services as privacy
from shopchat.services import put_customer
from tests.conftest import requires_postgres
from tests.factories import BusinessFactory, CustomerFactory, fund_wallet
from tests.payments.test_concurrency import race

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def erase(pk):
    return lambda: privacy.erase_customer(customer=Customer.objects.get(pk=pk), actor="test")


@pytest.mark.parametrize("attempt", range(3))
def test_erasure_racing_a_transfer_out_of_the_wallet_never_erases_a_wallet_with_money(attempt):
    shop = BusinessFactory()
    customer = CustomerFactory(business=shop, name="Racing Customer")
    fund_wallet(customer, 1_000)
    results = race(
        erase(customer.pk),
        lambda: payments.transfer(sender=Customer.objects.get(pk=customer.pk), to_wa_id="4915100000001",
                                  amount_minor=1_000),
    )
    customer.refresh_from_db()
    balance = LedgerAccount.objects.get(customer=customer).balance_minor
    if customer.erased_at is not None:
        assert balance == 0
    else:
        assert isinstance(results[0], privacy.ErasureRefused) or balance == 0
    assert payments.reconcile() == []


@pytest.mark.parametrize("attempt", range(3))
def test_a_message_arriving_during_the_erasure_never_brings_the_name_back(attempt):
    shop = BusinessFactory()
    customer = CustomerFactory(business=shop, wa_id="4915100000002", name="Old Name")
    race(erase(customer.pk),
         lambda: put_customer(business=shop, wa_id="4915100000002", name="New Name", inbound=True))
    customer.refresh_from_db()
    assert customer.erased_at is not None and customer.name == ""
    assert Customer.objects.filter(business=shop, wa_id="4915100000002", erased_at__isnull=True).count() <= 1
