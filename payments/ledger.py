"""Posting to the double-entry ledger.

`lock()` fetches and row-locks (`SELECT ... ORDER BY id FOR UPDATE`) the accounts a movement
touches, always in the same order (wallets, then business accounts, each by primary key), so
two movements never deadlock on each other's accounts; `post()` then writes balanced transactions and moves the balances with one
UPDATE. Both run inside the calling service's `transaction.atomic()`.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, F, Value, When

from .models import LedgerAccount, LedgerEntry, LedgerTransaction, Wallet

Kind = LedgerAccount.Kind


class UnbalancedTransaction(ValueError):
    """A transaction whose entries do not sum to zero per currency: a bug, never posted."""


class WalletOverdrawn(Exception):
    """Posting would take a wallet below zero (the database CHECK would refuse it too)."""

    def __init__(self, account):
        super().__init__(f"wallet account {account.pk} would go below zero")
        self.account = account


@dataclass
class Posting:
    kind: str
    legs: list  # [(LedgerAccount, amount_minor)]; positive = into the account
    reference: str = ""
    memo: str = ""


@dataclass
class Accounts:
    """The locked accounts of one movement: `accounts[Kind.MERCHANT_PAYABLE]`, `accounts.wallet(customer_id)`."""

    by_kind: dict = field(default_factory=dict)
    wallets: dict = field(default_factory=dict)

    def __getitem__(self, kind):
        return self.by_kind[kind]

    def wallet(self, customer_id):
        return self.wallets.get(customer_id)


def ensure_wallet(customer) -> Wallet:
    """The customer's wallet, created (with its ledger account) on first use."""
    wallet = Wallet.objects.filter(customer=customer).select_related("account").first()
    if wallet is not None:
        return wallet
    try:
        with transaction.atomic():
            account = LedgerAccount.objects.create(
                business_id=customer.business_id, kind=Kind.CUSTOMER_WALLET, customer=customer,
                currency=customer.business.currency,
            )
            return Wallet.objects.create(business_id=customer.business_id, customer=customer, account=account)
    except IntegrityError:  # created by a concurrent first receipt
        return Wallet.objects.select_related("account").get(customer=customer)


def lock(*, business, kinds=(), customers=()) -> Accounts:
    """Lock the wallets of `customers` (customer ids; one without a wallet is simply absent),
    then the business's accounts of `kinds` (created when missing).

    The global lock order is: customer wallets, then business accounts, each group in
    primary-key order. Services lock the busy business accounts (merchant payable, revenue)
    as late as they can, so those rows are held only for the last few statements.
    """
    accounts = Accounts()
    if customers:
        for account in LedgerAccount.objects.select_for_update().filter(
            customer_id__in=list(customers), kind=Kind.CUSTOMER_WALLET, currency=business.currency
        ).order_by("pk"):
            accounts.wallets[account.customer_id] = account
    if kinds:
        accounts.by_kind = _lock_business_accounts(business, kinds)
    return accounts


def _lock_business_accounts(business, kinds) -> dict:
    currency = business.currency
    for _ in range(2):
        found = {
            account.kind: account
            for account in LedgerAccount.objects.select_for_update().filter(
                business=business, customer__isnull=True, currency=currency, kind__in=list(kinds)
            ).order_by("pk")
        }
        missing = [k for k in kinds if k not in found]
        if not missing:
            return found
        for kind in missing:
            LedgerAccount.objects.get_or_create(business=business, kind=kind, currency=currency, customer=None)
    raise RuntimeError("could not create ledger accounts")  # pragma: no cover


def post(*, business, postings, actor=None) -> list[LedgerTransaction]:
    """Write `postings` (each balanced per currency) and move the balances of their accounts,
    which the caller has locked with `lock()`. Zero legs are dropped; an all-zero posting is
    skipped. Raises WalletOverdrawn before writing anything if a wallet would go negative."""
    postings = [p for p in postings if any(amount for _, amount in p.legs)]
    deltas = defaultdict(int)
    accounts = {}
    for posting in postings:
        sums = defaultdict(int)
        for account, amount in posting.legs:
            sums[account.currency] += amount
            deltas[account.pk] += amount
            accounts[account.pk] = account
        if any(sums.values()):
            raise UnbalancedTransaction(f"{posting.kind} {posting.reference}: {dict(sums)}")
    for pk, delta in deltas.items():
        account = accounts[pk]
        if account.kind == Kind.CUSTOMER_WALLET and account.balance_minor + delta < 0:
            raise WalletOverdrawn(account)
    if not postings:
        return []
    transactions = LedgerTransaction.objects.bulk_create([
        LedgerTransaction(business=business, kind=p.kind, reference=p.reference, memo=p.memo[:200], created_by=actor)
        for p in postings
    ])
    LedgerEntry.objects.bulk_create([
        LedgerEntry(transaction=txn, account=account, amount_minor=amount, currency=account.currency)
        for txn, posting in zip(transactions, postings)
        for account, amount in posting.legs
        if amount
    ])
    changed = {pk: d for pk, d in deltas.items() if d}
    if changed:
        LedgerAccount.objects.filter(pk__in=list(changed)).update(
            balance_minor=F("balance_minor")
            + Case(*[When(pk=pk, then=Value(d)) for pk, d in changed.items()], output_field=BigIntegerField())
        )
        for pk, d in changed.items():
            accounts[pk].balance_minor += d
    return transactions


def move(kind, source, target, amount, reference="", memo="") -> Posting:
    """A two-leg posting: `amount` from `source` to `target`."""
    return Posting(kind, [(source, -amount), (target, amount)], reference, memo)
