"""Posting to the double-entry ledger.

`lock()` fetches and row-locks (`SELECT ... ORDER BY id FOR NO KEY UPDATE`) the accounts a
movement touches, always in the same order (wallets, then business accounts, each by primary
key), so two movements never deadlock on each other's accounts; `post()` then writes balanced
transactions and moves the balances with one UPDATE. Both run inside the calling service's
`transaction.atomic()`; their statements are in `payments.queries`.

A leg may name a business account by its kind instead of a locked account: `post()` then
locks it itself, as late as it can (after the transactions are written, just before their
entries and the balance UPDATE), so the busy accounts every payment of a merchant credits
(merchant payable, platform revenue) are held only for the last statements before commit.
"""
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from shopchat.models import Business, Customer

from . import queries
from .models import LedgerAccount, LedgerEntry, LedgerTransaction, Wallet

Kind = LedgerAccount.Kind


class UnbalancedTransaction(ValueError):
    """A transaction whose entries do not sum to zero per currency: a bug, never posted."""


class WalletOverdrawn(Exception):
    """Posting would take a wallet below zero (the database CHECK would refuse it too)."""

    def __init__(self, account: LedgerAccount) -> None:
        super().__init__(f"wallet account {account.pk} would go below zero")
        self.account = account


@dataclass
class Posting:
    kind: str
    legs: list[tuple[LedgerAccount | str, int]]  # (account, or a business account's Kind; amount), + = into it
    reference: str = ""
    memo: str = ""


@dataclass
class Accounts:
    """The locked accounts of one movement: `accounts[Kind.MERCHANT_PAYABLE]`, `accounts.wallet(customer_id)`."""

    by_kind: dict[str, LedgerAccount] = field(default_factory=dict)
    wallets: dict[int, LedgerAccount] = field(default_factory=dict)  # by customer id

    def __getitem__(self, kind: str) -> LedgerAccount:
        return self.by_kind[kind]

    def wallet(self, customer_id: int) -> LedgerAccount | None:
        return self.wallets.get(customer_id)


def ensure_wallet(customer: Customer) -> Wallet:
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


def lock(*, business: Business, kinds: Sequence[str] = (), customers: Sequence[int] = ()) -> Accounts:
    """Lock the wallets of `customers` (customer ids; one without a wallet is simply absent),
    then the business's accounts of `kinds` (created when missing).

    The global lock order is: the order row, customer wallets, then business accounts, each
    group in primary-key order. Services lock the busy business accounts (merchant payable,
    revenue) as late as they can, so those rows are held only for the last few statements.
    """
    accounts = Accounts()
    if customers:
        where, params = queries.wallets_of(customer_ids=list(customers), currency=business.currency)
        for account in queries.lock_accounts(where=where, params=params):
            assert account.customer_id is not None  # a wallet's
            accounts.wallets[account.customer_id] = account
    if kinds:
        accounts.by_kind = _lock_business_accounts(business, kinds)
    return accounts


def lock_wallets_by_phone(*, business: Business, wa_ids: Sequence[str]) -> list[LedgerAccount]:
    """Lock the wallets of the business's customers `wa_ids` (those that have one) in primary-key
    order, like `lock()`, each with its customer (`account.customer`: id, wa_id and name)."""
    return queries.lock_wallets_by_phone(business=business, wa_ids=wa_ids)


def _lock_business_accounts(business: Business, kinds: Sequence[str],
                            found: dict[str, LedgerAccount] | None = None) -> dict[str, LedgerAccount]:
    """One locking SELECT (unless the caller's statement took the locks: `found`); the missing
    accounts (a business's first movements) are created in one INSERT that leaves alone those
    a concurrent first movement has just created."""
    currency, kinds = business.currency, list(dict.fromkeys(kinds))
    where, params = queries.business_accounts_of(business_id=business.pk, currency=currency, kinds=kinds)
    if found is None:
        found = {account.kind: account for account in queries.lock_accounts(where=where, params=params)}
    if len(found) < len(kinds):
        LedgerAccount.objects.bulk_create([
            LedgerAccount(business=business, kind=kind, currency=currency) for kind in kinds if kind not in found
        ], ignore_conflicts=True)
        found = {account.kind: account for account in queries.lock_accounts(where=where, params=params)}
    return found


def post(*, business: Business, postings: Iterable[Posting], actor: User | None = None) -> list[LedgerTransaction]:
    """Write `postings` (each balanced per currency) and move the balances of their accounts.

    Wallets must be locked by the caller with `lock()` (their balance is checked here); a
    business account named by its kind is locked here, last. Zero legs are dropped; an
    all-zero posting is skipped. Raises WalletOverdrawn before writing anything if a wallet
    would go negative. At most four statements: the transactions, the lock of the accounts
    named by kind, the entries, one balance UPDATE; on PostgreSQL two (the transactions with
    the lock, the entries with the UPDATE).
    """
    postings = [p for p in postings if any(amount for _, amount in p.legs)]
    wallets: defaultdict[LedgerAccount, int] = defaultdict(int)
    for posting in postings:
        sums: defaultdict[str, int] = defaultdict(int)  # by currency
        for leg, amount in posting.legs:
            if isinstance(leg, str):  # a business account named by its kind
                sums[business.currency] += amount
            else:
                sums[leg.currency] += amount
                if leg.kind == Kind.CUSTOMER_WALLET:
                    wallets[leg] += amount
        if any(sums.values()):
            raise UnbalancedTransaction(f"{posting.kind} {posting.reference}: {dict(sums)}")
    for account, delta in wallets.items():
        if account.balance_minor + delta < 0:
            raise WalletOverdrawn(account)
    if not postings:
        return []
    now = timezone.now()
    transactions = [
        LedgerTransaction(business_id=business.pk, kind=p.kind, reference=p.reference, memo=p.memo[:200],
                          created_by=actor, created_at=now)
        for p in postings
    ]
    named = list(dict.fromkeys(leg for p in postings for leg, _ in p.legs if isinstance(leg, str)))
    found = queries.insert_transactions_and_lock(transactions, business_id=business.pk, currency=business.currency,
                                                 kinds=named)
    by_kind = _lock_business_accounts(business, named, found) if named else {}
    entries = [
        (txn.pk, by_kind[leg] if isinstance(leg, str) else leg, amount)
        for txn, posting in zip(transactions, postings, strict=True)
        for leg, amount in posting.legs
        if amount
    ]
    accounts: dict[int, LedgerAccount] = {}
    deltas: defaultdict[int, int] = defaultdict(int)
    for _, account, amount in entries:
        accounts[account.pk] = account
        deltas[account.pk] += amount
    changed = {pk: d for pk, d in deltas.items() if d}
    queries.write_entries_and_move_balances([
        LedgerEntry(transaction_id=txn_id, account_id=account.pk, amount_minor=amount, currency=account.currency,
                    created_at=now)
        for txn_id, account, amount in entries
    ], changed)
    for pk, d in changed.items():
        accounts[pk].balance_minor += d
    return transactions


def move(kind: str, source: LedgerAccount | str, target: LedgerAccount | str, amount: int, reference: str = "",
         memo: str = "") -> Posting:
    """A two-leg posting: `amount` from `source` to `target` (locked accounts or business account kinds)."""
    return Posting(kind, [(source, -amount), (target, amount)], reference, memo)
