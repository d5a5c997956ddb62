"""The wallet: cards (tokens only), top-ups, transfers to a phone number, limits, the wallet view."""
import pytest

from payments import errors, services
from payments.models import FundingSource, LedgerAccount, Transfer
from shopchat.models import Customer, OutboxEvent

from .conftest import DECLINED_CARD, add_card, fund, wallet_balance

WALLET = "/api/v1/customers/{}/wallet/"


def test_linking_a_card_stores_only_token_brand_last4_and_expiry(api, customer):
    response = api.post(WALLET.format(customer.wa_id) + "funding-sources/",
                        {"card_number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030}, format="json")
    assert response.status_code == 201
    assert response.json()["last4"] == "4242" and response.json()["brand"] == "visa"
    assert "card_number" not in response.json() and "token" not in response.json()
    source = FundingSource.objects.get()
    assert "4242424242424242" not in source.token


def test_linking_a_provider_token(api, customer):
    response = api.post(WALLET.format(customer.wa_id) + "funding-sources/", {"token": "tok_sandbox_4242_abcdef"},
                        format="json")
    assert response.status_code == 201 and response.json()["last4"] == "4242"


@pytest.mark.parametrize("body, field", [
    ({"card_number": "4242424242424241", "exp_month": 12, "exp_year": 2030}, "card_number"),
    ({"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2001}, "exp_year"),
    ({"token": "garbage"}, "token"),
    ({}, "token"),
])
def test_bad_card_input_is_400_naming_the_field_and_never_echoes_the_number(api, customer, body, field):
    response = api.post(WALLET.format(customer.wa_id) + "funding-sources/", body, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["fields"]
    assert "424242424242424" not in response.content.decode()
    assert not FundingSource.objects.exists()


def test_top_up_adds_to_the_wallet(api, customer, card):
    response = api.post(WALLET.format(customer.wa_id) + "top-ups/", {"amount": "500.00", "funding_source": card.pk},
                        format="json", HTTP_IDEMPOTENCY_KEY="t1")
    assert response.status_code == 201 and response.json()["amount"] == "500.00"
    assert wallet_balance(customer) == 50_000


def test_declined_top_up_is_402_and_adds_nothing(api, customer):
    source = add_card(customer, DECLINED_CARD)
    response = api.post(WALLET.format(customer.wa_id) + "top-ups/", {"amount": "5.00", "funding_source": source.pk},
                        format="json", HTTP_IDEMPOTENCY_KEY="t2")
    assert response.status_code == 402 and response.json()["error"]["top_up"]["status"] == "failed"
    assert wallet_balance(customer) == 0


def test_wallet_view_shows_balance_cards_and_activity_as_decimal_strings(api, customer):
    fund(customer, 12_345)
    body = api.get(WALLET.format(customer.wa_id)).json()
    assert body["balance"] == "123.45" and body["currency"] == "INR"
    assert body["funding_sources"][0]["last4"] == "4242"
    assert body["recent_activity"][0] == {**body["recent_activity"][0], "kind": "top_up", "amount": "123.45"}


def test_wallet_of_a_customer_without_one_reads_zero_and_creates_nothing(api, customer):
    assert api.get(WALLET.format(customer.wa_id)).json()["balance"] == "0.00"
    assert not LedgerAccount.objects.exists()


def test_wallet_of_another_business_customer_is_404(other_api, customer):
    assert other_api.get(WALLET.format(customer.wa_id)).status_code == 404


def test_transfer_creates_the_recipient_and_their_wallet_on_first_receipt(api, funded):
    response = api.post(WALLET.format(funded.wa_id) + "transfers/", {"to": "+91 98765 43210", "amount": "100.00",
                        "note": "lunch"}, format="json", HTTP_IDEMPOTENCY_KEY="p1")
    assert response.status_code == 201, response.json()
    assert response.json()["to"] == "919876543210" and response.json()["balance"] == "4900.00"
    friend = Customer.objects.get(wa_id="919876543210", business=funded.business)
    assert wallet_balance(friend) == 10_000
    received = OutboxEvent.objects.get(event_type="transfer.received").payload
    assert received["customer"]["wa_id"] == "919876543210" and received["from"]["wa_id"] == funded.wa_id
    assert OutboxEvent.objects.filter(event_type="transfer.sent").exists()
    assert services.reconcile() == []


def test_transfer_beyond_the_balance_is_409_and_moves_nothing(api, customer):
    fund(customer, 1_000)
    response = api.post(WALLET.format(customer.wa_id) + "transfers/", {"to": "919876543210", "amount": "10.01"},
                        format="json", HTTP_IDEMPOTENCY_KEY="p2")
    assert response.status_code == 409 and response.json()["error"]["code"] == "insufficient_funds"
    assert wallet_balance(customer) == 1_000 and not Transfer.objects.exists()


def test_transfer_to_yourself_or_a_bad_number_is_400_naming_to(api, funded):
    for to in (funded.wa_id, "12"):
        response = api.post(WALLET.format(funded.wa_id) + "transfers/", {"to": to, "amount": "1.00"}, format="json",
                            HTTP_IDEMPOTENCY_KEY=f"self-{to}")
        assert response.status_code == 400 and "to" in response.json()["error"]["fields"]


def test_per_transfer_limit(funded):
    funded.business.transfer_limit_minor = 5_000
    funded.business.save()
    with pytest.raises(errors.TransferLimitExceeded):
        services.transfer(sender=funded, to_wa_id="919876543210", amount_minor=5_001)
    services.transfer(sender=funded, to_wa_id="919876543210", amount_minor=5_000)


def test_per_day_limit_counts_the_days_transfers(funded):
    funded.business.daily_transfer_limit_minor = 10_000
    funded.business.save()
    services.transfer(sender=funded, to_wa_id="919876543210", amount_minor=6_000)
    with pytest.raises(errors.TransferLimitExceeded):
        services.transfer(sender=funded, to_wa_id="919876543211", amount_minor=4_001)
    services.transfer(sender=funded, to_wa_id="919876543211", amount_minor=4_000)


def test_transfer_api_runs_a_constant_number_of_queries(api, funded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    friend = Customer.objects.create(business=funded.business, wa_id="919876543210")
    fund(friend, 100)
    counts = []
    for n in range(3):
        with CaptureQueriesContext(connection) as queries:
            response = api.post(WALLET.format(funded.wa_id) + "transfers/", {"to": friend.wa_id, "amount": "1.00"},
                                format="json", HTTP_IDEMPOTENCY_KEY=f"q{n}")
        assert response.status_code == 201, response.json()
        counts.append(len(queries))
    # the key; the Idempotency-Key claimed, then the call's block and its stored answer (5); the
    # sender; both wallets locked in one query; the transfer; the ledger: transaction, entries,
    # balances (3); both events in one INSERT. (The first call also marks the key used.)
    assert counts[1] == counts[2] <= 14, counts


def test_a_refused_transfer_writes_nothing_and_the_callers_transaction_goes_on(customer):
    """Refusals are decided before any write and raised after the service's block (which has
    no savepoint): a caller inside its own transaction can catch them and carry on."""
    fund(customer, 1_000)
    with pytest.raises(errors.InsufficientFunds):
        services.transfer(sender=customer, to_wa_id="919876543299", amount_minor=1_001)
    assert not Customer.objects.filter(wa_id="919876543299").exists()
    assert wallet_balance(customer) == 1_000


def test_the_sandbox_has_no_card_setup_link(api, customer):
    response = api.post(f"/api/v1/customers/{customer.wa_id}/wallet/card-setup-link/")
    assert response.status_code == 400 and response.json()["error"]["fields"]["customer"]


def test_the_card_setup_link_of_another_business_customer_is_404(other_api, customer):
    assert other_api.post(f"/api/v1/customers/{customer.wa_id}/wallet/card-setup-link/").status_code == 404
