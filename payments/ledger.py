"""Posting to the double-entry ledger.

`lock()` fetches and row-locks (`SELECT ... ORDER BY id FOR NO KEY UPDATE`) the accounts a
movement touches, always in the same order (wallets, then business accounts, each by primary
key), so two movements never deadlock on each other's accounts; `post()` then writes balanced
transactions and moves the balances with one UPDATE. Both run inside the calling service's
`transaction.atomic()`.

A leg may name a business account by its kind instead of a locked account: `post()` then
locks it itself, as late as it can (after the transactions are written, just before their
entries and the balance UPDATE), so the busy accounts every payment of a merchant credits
(merchant payable, platform revenue) are held only for the last statements before commit.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shopchat.models import Customer
from shopchat.rows import add_by_id, loaded, select_rows

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
    legs: list  # [(LedgerAccount or a business account's Kind, amount_minor)]; positive = into the account
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
        customers = list(customers)
        for account in _locked_accounts(
            f"customer_id IN ({', '.join(['%s'] * len(customers))}) AND kind = %s AND currency = %s",
            [*customers, Kind.CUSTOMER_WALLET, business.currency],
        ):
            accounts.wallets[account.customer_id] = account
    if kinds:
        accounts.by_kind = _lock_business_accounts(business, kinds)
    return accounts


def lock_wallets_by_phone(*, business, wa_ids) -> list:
    """Lock the wallets of the business's customers `wa_ids` (those that have one) in primary-key
    order, like `lock()`, each with its customer (`account.customer`: id, wa_id and name) read
    by the same query."""
    lock = ""
    if connection.features.has_select_for_update_of:
        lock = " FOR NO KEY UPDATE OF a" if connection.features.has_select_for_no_key_update else " FOR UPDATE OF a"
    columns = ", ".join(f"a.{name}" for name in _ACCOUNT_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, c.wa_id, c.name FROM {LedgerAccount._meta.db_table} a "
            f"JOIN {Customer._meta.db_table} c ON c.id = a.customer_id WHERE c.business_id = %s "
            f"AND c.wa_id IN ({', '.join(['%s'] * len(wa_ids))}) AND a.kind = %s AND a.currency = %s ORDER BY a.id{lock}",
            [business.pk, *wa_ids, Kind.CUSTOMER_WALLET, business.currency],
        )
        rows = cursor.fetchall()
    accounts = []
    for row in rows:
        account = loaded(LedgerAccount, **dict(zip(_ACCOUNT_FIELDS, row)))
        account.customer = loaded(Customer, id=account.customer_id, business_id=business.pk, wa_id=row[-2],
                                  name=row[-1])
        account.customer.business = business
        accounts.append(account)
    return accounts


def _lock_business_accounts(business, kinds, found=None) -> dict:
    """One locking SELECT (unless the caller's statement took the locks: `found`); the missing
    accounts (a business's first movements) are created in one INSERT that leaves alone those
    a concurrent first movement has just created."""
    currency, kinds = business.currency, list(dict.fromkeys(kinds))
    where, params = _business_accounts(business, kinds)
    if found is None:
        found = {account.kind: account for account in _locked_accounts(where, params)}
    if len(found) < len(kinds):
        LedgerAccount.objects.bulk_create([
            LedgerAccount(business=business, kind=kind, currency=currency) for kind in kinds if kind not in found
        ], ignore_conflicts=True)
        found = {account.kind: account for account in _locked_accounts(where, params)}
    return found


def _business_accounts(business, kinds) -> tuple[str, list]:
    """The WHERE clause (and its parameters) of the business's accounts of `kinds`."""
    return (f"business_id = %s AND customer_id IS NULL AND currency = %s "
            f"AND kind IN ({', '.join(['%s'] * len(kinds))})", [business.pk, business.currency, *kinds])


def _locked_accounts(where: str, params: list) -> list:
    """The accounts matching `where`, row-locked in primary-key order, in one written-out SELECT.
    NO KEY UPDATE: exclusive between movements, but not against the foreign-key checks of rows
    that merely reference an account."""
    return select_rows(LedgerAccount, _ACCOUNT_FIELDS, where, params, lock="NO KEY UPDATE")


_ACCOUNT_FIELDS = ["id", "business_id", "kind", "customer_id", "currency", "balance_minor"]
_ACCOUNT_COLUMNS = ", ".join(_ACCOUNT_FIELDS)


def post(*, business, postings, actor=None) -> list[LedgerTransaction]:
    """Write `postings` (each balanced per currency) and move the balances of their accounts.

    Wallets must be locked by the caller with `lock()` (their balance is checked here); a
    business account named by its kind is locked here, last. Zero legs are dropped; an
    all-zero posting is skipped. Raises WalletOverdrawn before writing anything if a wallet
    would go negative. At most four statements: the transactions, the lock of the accounts
    named by kind, the entries, one balance UPDATE; on PostgreSQL two (the transactions with
    the lock, the entries with the UPDATE).
    """
    postings = [p for p in postings if any(amount for _, amount in p.legs)]
    wallets = defaultdict(int)
    for posting in postings:
        sums = defaultdict(int)
        for leg, amount in posting.legs:
            named = isinstance(leg, str)
            sums[business.currency if named else leg.currency] += amount
            if not named and leg.kind == Kind.CUSTOMER_WALLET:
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
    by_kind = _insert_transactions_and_lock(transactions, business, named)
    entries = [
        (txn.pk, by_kind[leg] if isinstance(leg, str) else leg, amount)
        for txn, posting in zip(transactions, postings)
        for leg, amount in posting.legs
        if amount
    ]
    accounts, deltas = {}, defaultdict(int)
    for _, account, amount in entries:
        accounts[account.pk] = account
        deltas[account.pk] += amount
    changed = {pk: d for pk, d in deltas.items() if d}
    _write_entries(entries, now, changed)
    for pk, d in changed.items():
        accounts[pk].balance_minor += d
    return transactions


# The statements every movement makes are written out: the ORM spends more time building them
# (about 0.4 ms each) than the database spends running them. Plain SQL that PostgreSQL and
# SQLite (3.35 or later, for RETURNING) both take; the columns are the models'.

def _insert_transactions_and_lock(transactions, business, kinds) -> dict:
    """INSERT the `transactions` (setting their ids), then lock the business's accounts of
    `kinds`: {kind: account}. On PostgreSQL one statement (the INSERT and the locking SELECT
    as two WITH queries of it)."""
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(transactions))
    params = []
    for txn in transactions:
        params += [txn.business_id, txn.kind, txn.reference, txn.memo, txn.created_by_id,
                   connection.ops.adapt_datetimefield_value(txn.created_at)]
    insert = (f"INSERT INTO {LedgerTransaction._meta.db_table} "
              f"(business_id, kind, reference, memo, created_by_id, created_at) VALUES {rows} RETURNING id")
    found = None
    with connection.cursor() as cursor:
        if kinds and connection.vendor == "postgresql":
            where, where_params = _business_accounts(business, kinds)
            nulls = ", ".join(["NULL"] * (len(_ACCOUNT_FIELDS) - 1))
            cursor.execute(
                f"WITH txn AS ({insert}), locked AS (SELECT {_ACCOUNT_COLUMNS} FROM {LedgerAccount._meta.db_table} "
                f"WHERE {where} ORDER BY id FOR NO KEY UPDATE) "
                f"SELECT false, id, {nulls} FROM txn UNION ALL SELECT true, {_ACCOUNT_COLUMNS} FROM locked",
                params + where_params,
            )
            rows = cursor.fetchall()
            ids = [row[1] for row in rows if not row[0]]
            found = {account.kind: account for account in (
                loaded(LedgerAccount, **dict(zip(_ACCOUNT_FIELDS, row[1:]))) for row in rows if row[0])}
        else:
            cursor.execute(insert, params)
            ids = [pk for pk, in cursor.fetchall()]
    for txn, pk in zip(transactions, sorted(ids), strict=True):  # one INSERT numbers its rows in their order
        txn.pk = pk
        txn._state.adding, txn._state.db = False, connection.alias
    return _lock_business_accounts(business, kinds, found) if kinds else {}


def _write_entries(entries, now, deltas: dict) -> None:
    """INSERT the `entries` ((transaction id, account, amount)) and add `deltas` ({account id:
    amount}) to the balances of their accounts, which are locked already. On PostgreSQL one
    statement (the INSERT as a data-modifying WITH of the UPDATE): the busy business accounts
    are held from their lock to the commit, and that is one round trip less of it."""
    created_at = connection.ops.adapt_datetimefield_value(now)
    insert_params = []
    for transaction_id, account, amount in entries:
        insert_params += [transaction_id, account.pk, amount, account.currency, created_at]
    insert = (f"INSERT INTO {LedgerEntry._meta.db_table} (transaction_id, account_id, amount_minor, currency, "
              f"created_at) VALUES {', '.join(['(%s, %s, %s, %s, %s)'] * len(entries))}")
    update, update_params = add_by_id(LedgerAccount, "balance_minor", deltas)
    with connection.cursor() as cursor:
        if not deltas:
            cursor.execute(insert, insert_params)
        elif connection.vendor == "postgresql":
            cursor.execute(f"WITH entries AS ({insert}) {update}", insert_params + update_params)
        else:
            cursor.execute(insert, insert_params)
            cursor.execute(update, update_params)


def move(kind, source, target, amount, reference="", memo="") -> Posting:
    """A two-leg posting: `amount` from `source` to `target` (locked accounts or business account kinds)."""
    return Posting(kind, [(source, -amount), (target, amount)], reference, memo)
