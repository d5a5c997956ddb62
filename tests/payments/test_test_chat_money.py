"""A merchant's own test chat ("Try your shop", `Customer.is_test`) moves sandbox money only: its
payments go to the test sales account (no commission), are never settled nor paid out, and
its refunds come back out of that account; the ledger still reconciles."""
import pytest

from payments import services
from payments.models import LedgerAccount, Settlement
from payments.providers import provider_for_customer
from tests.factories import CustomerFactory, PaymentProviderConfigFactory

from .conftest import fund, order_for

pytestmark = pytest.mark.django_db
Kind = LedgerAccount.Kind


@pytest.fixture
def tester(business):
    return CustomerFactory(business=business, is_test=True)


def balance(business, kind) -> int:
    account = LedgerAccount.objects.filter(business=business, kind=kind).first()
    return account.balance_minor if account else 0


def paid_test_order(tester, total=10_000):
    fund(tester, total)
    order = order_for(tester, total)
    services.pay_order(order=order, method="wallet")
    return order


def test_a_test_chat_payment_goes_to_test_sales_without_commission(business, tester):
    paid_test_order(tester)
    assert balance(business, Kind.TEST_SALES) == 10_000
    assert balance(business, Kind.MERCHANT_PAYABLE) == 0 and balance(business, Kind.PLATFORM_REVENUE) == 0
    assert services.reconcile() == []


def test_settlement_leaves_test_chat_payments_out(business, tester, customer):
    paid_test_order(tester)
    assert services.settle_business(business=business) is None
    fund(customer, 20_000)
    services.pay_order(order=order_for(customer, 20_000), method="wallet")
    settlement = services.settle_business(business=business)
    assert settlement.gross_minor == 20_000 and settlement.lines.count() == 1
    assert Settlement.objects.count() == 1 and balance(business, Kind.TEST_SALES) == 10_000
    assert services.reconcile() == []


def test_a_test_chat_refund_comes_out_of_test_sales(business, tester):
    order = paid_test_order(tester)
    services.refund_order(order=order, amount_minor=4_000, reason="trying refunds")
    assert balance(business, Kind.TEST_SALES) == 6_000 and balance(business, Kind.MERCHANT_PAYABLE) == 0
    assert services.settle_business(business=business) is None
    assert services.reconcile() == []


def test_a_test_chat_pays_with_the_sandbox_even_when_the_shop_has_a_real_provider(business, tester, customer):
    PaymentProviderConfigFactory(business=business, provider="stripe", secret_key="sk_test_fake")
    assert provider_for_customer(tester).name == "sandbox"
    assert provider_for_customer(customer).name == "stripe"
