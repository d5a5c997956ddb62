"""The hand-written statements of payments, named for what they lock or read.

Every payment, refund and transfer runs these, so they are written out with the kernel's SQL
toolkit (`shopchat.sql`) instead of built by the ORM. The lock order of every money path
(DESIGN.md): the order row, then customer wallets in id order, then the business's ledger
accounts in id order (the busy merchant accounts as late as possible), then stock rows.
"""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from orders.models import Order
from shopchat import sql
from shopchat.models import Business, Customer

from .models import LedgerAccount, LedgerEntry, LedgerTransaction, Payment, Refund, SettlementLine

Kind = LedgerAccount.Kind
ACCOUNT_FIELDS = ("id", "business_id", "kind", "customer_id", "currency", "balance_minor")


# --- paying an order --------------------------------------------------------------------------

@dataclass(frozen=True)
class PayableOrder:
    """An order as paying reads it under its row lock, with its customer, whether it has
    expired or has a live payment, and (asked for) the customer's wallet, locked after it."""

    order_id: int
    customer_id: int
    number: str
    status: str
    total_minor: int
    currency: str
    wa_id: str
    customer_name: str
    customer_is_test: bool
    expired: bool
    has_live_payment: bool
    wallet_id: int | None
    wallet_balance_minor: int | None
    next_payment_id: int | None


def lock_payable_order(*, business_id: int, currency: str, wallet: bool, number: str | None = None,
                       order_id: int | None = None) -> PayableOrder | None:
    """Lock the business's order (by `number` or `order_id`) and read it for paying it; with
    `wallet`, the customer's wallet account is locked by the same query (after the order), and
    on PostgreSQL the payment's id is drawn with it. None when there is no such order. One
    query, two when the customer has no wallet yet (a wallet row cannot be locked on the
    nullable side of an outer join)."""
    if wallet:
        found = _lock_payable(business_id, currency, number, order_id, wallet=True)
        if found is not None:
            return found
    return _lock_payable(business_id, currency, number, order_id, wallet=False)


def _lock_payable(business_id: int, currency: str, number: str | None, order_id: int | None, *,
                  wallet: bool) -> PayableOrder | None:
    live = Payment.ACTIVE
    columns = ("o.id AS order_id, o.customer_id AS customer_id, o.number AS number, o.status AS status, "
               "o.total_minor AS total_minor, o.currency AS currency, c.wa_id AS wa_id, c.name AS customer_name, "
               "c.is_test AS customer_is_test, o.expires_at IS NOT NULL AND o.expires_at <= %s AS expired, "
               f"EXISTS (SELECT 1 FROM {sql.table(Payment)} p WHERE p.order_id = o.id "
               f"AND p.status IN ({sql.placeholders(len(live))})) AS has_live_payment")
    params: list[Any] = [_now(), *live]
    joins, lock = "", sql.locking(sql.Lock.UPDATE, "o")
    if wallet:
        draw = (f"nextval(pg_get_serial_sequence('{Payment._meta.db_table}', 'id'))" if sql.is_postgres()
                else "NULL")
        columns += f", a.id AS wallet_id, a.balance_minor AS wallet_balance_minor, {draw} AS next_payment_id"
        joins = (f" JOIN {sql.table(LedgerAccount)} a ON a.customer_id = o.customer_id AND a.kind = %s "
                 "AND a.currency = %s")
        params += [Kind.CUSTOMER_WALLET, currency]
        if lock:
            lock += sql.locking(sql.Lock.NO_KEY_UPDATE, "a")
    else:
        columns += ", NULL AS wallet_id, NULL AS wallet_balance_minor, NULL AS next_payment_id"
    where, key = ("o.number = %s", number) if number is not None else ("o.id = %s", order_id)
    return sql.fetch_one(
        PayableOrder,
        f"SELECT {columns} FROM {sql.table(Order)} o JOIN {sql.table(Customer)} c ON c.id = o.customer_id{joins} "
        f"WHERE o.business_id = %s AND {where}{lock}",
        [*params, business_id, key],
    )


def _now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


# --- ledger accounts ------------------------------------------------------------------------------

def lock_accounts(*, where: str, params: Sequence[Any]) -> list[LedgerAccount]:
    """The accounts matching `where`, row-locked in primary-key order. NO KEY UPDATE: exclusive
    between movements, but not against the foreign-key checks of rows that merely reference an
    account."""
    return sql.select_models(LedgerAccount, ACCOUNT_FIELDS, where, params, lock=sql.Lock.NO_KEY_UPDATE)


def wallets_of(*, customer_ids: Sequence[int], currency: str) -> tuple[str, list[Any]]:
    """The WHERE clause (and its parameters) of the wallets of `customer_ids`."""
    return (f"customer_id IN ({sql.placeholders(len(customer_ids))}) AND kind = %s AND currency = %s",
            [*customer_ids, Kind.CUSTOMER_WALLET, currency])


def business_accounts_of(*, business_id: int, currency: str, kinds: Sequence[str]) -> tuple[str, list[Any]]:
    """The WHERE clause (and its parameters) of the business's accounts of `kinds`."""
    return (f"business_id = %s AND customer_id IS NULL AND currency = %s AND kind IN ({sql.placeholders(len(kinds))})",
            [business_id, currency, *kinds])


@dataclass(frozen=True)
class _Account:
    """A ledger account's row (and, locked by phone, its customer's)."""

    id: int
    business_id: int
    kind: str
    customer_id: int | None
    currency: str
    balance_minor: int

    def account(self) -> LedgerAccount:
        return sql.partial(LedgerAccount, id=self.id, business_id=self.business_id, kind=self.kind,
                           customer_id=self.customer_id, currency=self.currency, balance_minor=self.balance_minor)


@dataclass(frozen=True)
class _WalletOfCustomer(_Account):
    wa_id: str
    name: str


_ACCOUNT_COLUMNS = ", ".join(f"a.{name}" for name in ACCOUNT_FIELDS)


def lock_wallets_by_phone(*, business: Business, wa_ids: Sequence[str]) -> list[LedgerAccount]:
    """Lock the wallets of the business's customers `wa_ids` (those that have one) in primary-key
    order, each with its customer (`account.customer`: id, wa_id and name) read by the same query."""
    rows = sql.fetch_all(
        _WalletOfCustomer,
        f"SELECT {_ACCOUNT_COLUMNS}, c.wa_id, c.name FROM {sql.table(LedgerAccount)} a JOIN {sql.table(Customer)} c "
        f"ON c.id = a.customer_id WHERE c.business_id = %s AND c.wa_id IN ({sql.placeholders(len(wa_ids))}) "
        f"AND a.kind = %s AND a.currency = %s ORDER BY a.id{sql.locking(sql.Lock.NO_KEY_UPDATE, 'a')}",
        [business.pk, *wa_ids, Kind.CUSTOMER_WALLET, business.currency],
    )
    accounts = []
    for row in rows:
        account = row.account()
        account.customer = sql.partial(Customer, id=row.customer_id, business_id=business.pk, wa_id=row.wa_id,
                                       name=row.name)
        account.customer.business = business
        accounts.append(account)
    return accounts


# --- posting -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _InsertedOrLocked:
    """A row of `insert_transactions_and_lock`: a new transaction's id, or a locked account."""

    locked: bool
    id: int
    business_id: int | None
    kind: str | None
    customer_id: int | None
    currency: str | None
    balance_minor: int | None


def insert_transactions_and_lock(transactions: Sequence[LedgerTransaction], *, business_id: int, currency: str,
                                 kinds: Sequence[str]) -> dict[str, LedgerAccount] | None:
    """INSERT the `transactions` (setting their ids) and, on PostgreSQL, lock the business's
    accounts of `kinds` in the same statement (the INSERT and the locking SELECT as two WITH
    queries): {kind: account} found, or None where the accounts are left for the caller to lock."""
    insert = sql.insert_statement(transactions)
    if not (kinds and sql.is_postgres()):
        ids = [row.id for row in sql.fetch_all(_Inserted, insert.sql, insert.params)]
        insert.set_keys(sorted(ids))  # one INSERT numbers its rows in their order
        return None
    where, where_params = business_accounts_of(business_id=business_id, currency=currency, kinds=kinds)
    nulls = ", ".join(f"NULL AS {name}" for name in ACCOUNT_FIELDS[1:])
    rows = sql.fetch_all(
        _InsertedOrLocked,
        f"WITH txn AS ({insert.sql}), locked AS (SELECT {', '.join(ACCOUNT_FIELDS)} FROM {sql.table(LedgerAccount)} "
        f"WHERE {where} ORDER BY id{sql.locking(sql.Lock.NO_KEY_UPDATE)}) "
        f"SELECT false AS locked, id, {nulls} FROM txn UNION ALL SELECT true, {', '.join(ACCOUNT_FIELDS)} FROM locked",
        insert.params + where_params,
    )
    insert.set_keys(sorted(row.id for row in rows if not row.locked))
    found = [_Account(row.id, row.business_id, row.kind, row.customer_id, row.currency, row.balance_minor)  # type: ignore[arg-type]
             for row in rows if row.locked]
    return {row.kind: row.account() for row in found}


@dataclass(frozen=True)
class _Inserted:
    id: int


def write_entries_and_move_balances(entries: Sequence[LedgerEntry], deltas: Mapping[int, int]) -> None:
    """INSERT the `entries` and add `deltas` ({account id: amount}) to the balances of their
    accounts, which are locked already. On PostgreSQL one statement (the INSERT as a
    data-modifying WITH of the UPDATE): the busy business accounts are held from their lock to
    the commit, and that is one round trip less of it."""
    insert = sql.insert_statement(entries, keys=False)
    if not deltas:
        insert.run()
    else:
        move = sql.add_by_id(LedgerAccount, balance_minor=deltas)
        if sql.is_postgres():
            sql.Statement(f"WITH entries AS ({insert.sql}) {move.sql}", insert.params + move.params).run()
        else:
            insert.run()
            move.run()


# --- settlement ----------------------------------------------------------------------------------

def write_settlement_lines(*, settlement_id: int) -> None:
    """The statement lines of a settlement: one per payment and refund it claimed, written by
    two INSERT ... SELECT (the number of statements does not grow with the payments)."""
    line, pay, ref = (sql.table(m) for m in (SettlementLine, Payment, Refund))
    columns = "settlement_id, payment_id, refund_id, gross_minor, refund_minor, commission_minor, net_minor"
    sql.Statement(f"INSERT INTO {line} ({columns}) SELECT %s, id, NULL, amount_minor, 0, commission_minor, "
                  f"amount_minor - commission_minor FROM {pay} WHERE settlement_id = %s",
                  [settlement_id, settlement_id]).run()
    sql.Statement(f"INSERT INTO {line} ({columns}) SELECT %s, NULL, id, 0, amount_minor, 0, -amount_minor "
                  f"FROM {ref} WHERE settlement_id = %s", [settlement_id, settlement_id]).run()
