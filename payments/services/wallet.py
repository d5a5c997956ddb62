"""The customer's wallet: linked cards (only provider tokens, brand, last four and expiry are
stored) and top-ups from them.

Locks: the customer's wallet, then the provider clearing account (DESIGN.md order)."""
import uuid

from django.db import transaction
from django.utils import timezone

from shopchat.errors import InvalidInput
from shopchat.models import Customer
from shopchat.money import format_major
from shopchat.outbox import customer_ref, emit_event

from .. import ledger
from ..ledger import Kind, move
from ..models import FundingSource, LedgerTransaction, TopUp
from ..providers import ChargeResult, ProviderError, ProviderUnavailable, provider_for, provider_for_customer

Txn = LedgerTransaction.Kind


def add_funding_source(*, customer: Customer, token: str = "", card_number: str = "", exp_month: int | None = None,
                       exp_year: int | None = None, provider_name: str | None = None) -> FundingSource:
    """Link a card to the customer's wallet from a provider token or (sandbox) a test card
    number, tokenized at once: only token, brand, last four and expiry are stored. The card is
    described by the business's provider (Stripe: a saved payment method `cus_.../pm_...`)."""
    provider = provider_for_customer(customer, provider_name)
    try:
        if token:
            card = provider.describe_token(token=token)
        else:
            if exp_month is None or exp_year is None:
                field = "exp_month" if exp_month is None else "exp_year"
                raise InvalidInput(field, "Give the card's expiry month and year.")
            _check_expiry(int(exp_month), int(exp_year))
            card = provider.tokenize(card_number=card_number, exp_month=exp_month, exp_year=exp_year)
    except ProviderError as exc:
        raise InvalidInput(exc.field or "token", str(exc), code=exc.code) from None
    except ProviderUnavailable:
        raise InvalidInput("token", "The payment provider could not be reached; try again.",
                           code="provider_unavailable") from None
    with transaction.atomic():
        existing = FundingSource.objects.filter(provider=provider.name, token=card.token).first()
        if existing is not None:
            if existing.customer_id != customer.pk:
                raise InvalidInput("token", "This token belongs to another customer.")
            return existing
        return FundingSource.objects.create(
            business_id=customer.business_id, customer=customer, provider=provider.name, token=card.token,
            brand=card.brand, last4=card.last4, exp_month=card.exp_month, exp_year=card.exp_year,
        )


def _check_expiry(month: int, year: int) -> None:
    if not 1 <= month <= 12:
        raise InvalidInput("exp_month", "The month must be 1 to 12.")
    today = timezone.now().date()
    if not today.year <= year <= today.year + 30 or (year == today.year and month < today.month):
        raise InvalidInput("exp_year", "This card has expired or the year is not valid.")


def usable_source(funding_source: FundingSource | None, customer: Customer) -> FundingSource:
    """The card to charge, checked to be the customer's and active (InvalidInput otherwise)."""
    if funding_source is None:
        raise InvalidInput("funding_source", "Choose a linked card to pay with.")
    if funding_source.customer_id != customer.pk or not funding_source.is_active:
        raise InvalidInput("funding_source", "This card is not linked to the customer's wallet.")
    return funding_source


def top_up(*, customer: Customer, amount_minor: int, funding_source: FundingSource) -> TopUp:
    """Add money to the customer's wallet from a linked card. Succeeded, pending (a callback
    completes it) or failed (recorded with the reason).

    Like a card payment (`charging`): the top-up is recorded pending with its idempotency key,
    the card charged after that commits with nothing locked, and the answer applied in a second
    short transaction (the top-up's row, then the wallet and clearing accounts). A lost answer is
    repaired by the callback or `repair_pending_payments`."""
    if amount_minor <= 0:
        raise InvalidInput("amount", "The amount must be more than zero.")
    business = customer.business
    source = usable_source(funding_source, customer)
    ledger.ensure_wallet(customer)
    top = TopUp.objects.create(
        business=business, customer=customer, funding_source=source, amount_minor=amount_minor,
        currency=business.currency, provider=source.provider, idempotency_key=f"top_{uuid.uuid4().hex}",
    )
    provider = provider_for(business, source.provider)
    try:
        result = provider.charge(token=source.token, amount_minor=amount_minor, currency=business.currency,
                                 description=f"Wallet top-up at {business.name}", idempotency_key=top.idempotency_key,
                                 metadata={"payment_key": top.idempotency_key})
    except ProviderError as exc:
        result = ChargeResult("failed", "", exc.code, str(exc))
    except ProviderUnavailable:
        return top  # pending: the repair job asks again
    return apply_top_up_result(top_up_id=top.pk, result=result)


def apply_top_up_result(*, top_up_id: int, result: ChargeResult) -> TopUp:
    """The provider's answer about a pending top-up, applied once under the top-up's row lock."""
    with transaction.atomic():
        top = TopUp.objects.select_for_update(of=("self",)).select_related("customer", "business").get(pk=top_up_id)
        if top.status != TopUp.Status.PENDING:
            return top
        if result.reference and not top.provider_reference:
            top.provider_reference = result.reference
            TopUp.objects.filter(pk=top.pk).update(provider_reference=result.reference)
        if result.status == "failed":
            TopUp.objects.filter(pk=top.pk).update(status=TopUp.Status.FAILED, failure_code=result.failure_code[:40],
                                                   failure_reason=result.failure_reason[:200],
                                                   updated_at=timezone.now())
            top.status, top.failure_code, top.failure_reason = (TopUp.Status.FAILED, result.failure_code[:40],
                                                                result.failure_reason[:200])
        elif result.status == "captured":
            complete_top_up(top)
        return top


def complete_top_up(top: TopUp) -> None:
    """Provider clearing -> the customer's wallet, and `wallet.topped_up`. The caller holds the
    top-up's row (or just created it) in its transaction."""
    business, customer = top.business, top.customer
    accounts = ledger.lock(business=business, kinds=(Kind.PROVIDER_CLEARING,), customers=[customer.pk])
    wallet = accounts.wallet(customer.pk)
    assert wallet is not None  # `top_up` made sure of it
    ledger.post(business=business, postings=[
        move(Txn.TOP_UP, accounts[Kind.PROVIDER_CLEARING], wallet, top.amount_minor,
             f"top_up:{top.pk}", "Wallet top-up"),
    ])
    TopUp.objects.filter(pk=top.pk).update(status=TopUp.Status.SUCCEEDED, updated_at=timezone.now())
    top.status = TopUp.Status.SUCCEEDED
    emit_event(business=business, event_type="wallet.topped_up", data={
        "top_up": top.pk, "amount": format_major(top.amount_minor, top.currency), "currency": top.currency,
        "balance": format_major(wallet.balance_minor, top.currency),
        "customer": customer_ref(customer),
    })
