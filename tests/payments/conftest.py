"""Fixtures of the payments tests: a business that can be settled, customers with wallets
and cards, and orders built with the ORM."""
import pytest

from payments import services
from payments.providers import sandbox
from tests.factories import CustomerFactory, OrderFactory, fund_wallet

OK_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
NO_FUNDS_CARD = "4000000000009995"
PENDING_CARD = "4000000000003220"


@pytest.fixture
def business(db):
    from tests.factories import BusinessFactory

    return BusinessFactory(payout_account="acme@okaxis", commission_percent="2.00", commission_fixed_minor=300)


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business)


def add_card(customer, number=OK_CARD):
    return services.add_funding_source(customer=customer, card_number=number, exp_month=12, exp_year=2030)


def fund(customer, amount_minor):
    """Top the customer's wallet up by card (the only way money enters a wallet)."""
    return fund_wallet(customer, amount_minor)


def order_for(customer, total_minor=100_000, **fields):
    return OrderFactory(business=customer.business, customer=customer, subtotal_minor=total_minor, **fields)


@pytest.fixture
def card(customer):
    return add_card(customer)


@pytest.fixture
def funded(customer):
    fund(customer, 500_000)
    return customer


def wallet_balance(customer) -> int:
    from payments.models import LedgerAccount

    return LedgerAccount.objects.filter(customer=customer).values_list("balance_minor", flat=True).first() or 0


WEBHOOK = "/api/v1/payments/providers/sandbox/webhook/"


def deliver(client, reference, kind="charge.succeeded", headers=None, body=None, **data):
    body = body or sandbox.callback_body(reference, kind, **data)
    headers = headers if headers is not None else sandbox.signed_headers(body)
    return client.post(WEBHOOK, body, content_type="application/json",
                       **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"})
