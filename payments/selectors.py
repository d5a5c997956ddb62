"""Reads of the payments app: the wallet summary the chat shows."""
from datetime import datetime
from typing import TypedDict

from shopchat.models import Customer
from shopchat.money import format_major

from .models import FundingSource, LedgerEntry, Wallet


class WalletActivity(TypedDict):
    kind: str
    amount: str
    memo: str
    created_at: datetime


class WalletSummary(TypedDict):
    customer: str
    balance: str
    currency: str
    funding_sources: list[FundingSource]
    recent_activity: list[WalletActivity]


def wallet_summary(*, customer: Customer, activity: int = 20) -> WalletSummary:
    """Balance, linked cards and recent wallet movements (newest first). A customer without a
    wallet yet has a zero balance; nothing is created by reading."""
    currency = customer.business.currency
    wallet = Wallet.objects.select_related("account").filter(customer=customer).first()
    entries: list[WalletActivity] = []
    if wallet is not None:
        entries = [
            {"kind": e.transaction.kind, "amount": format_major(e.amount_minor, currency),
             "memo": e.transaction.memo, "created_at": e.created_at}
            for e in LedgerEntry.objects.filter(account_id=wallet.account_id).select_related("transaction")
            .order_by("-id")[:activity]
        ]
    return {
        "customer": customer.wa_id,
        "balance": format_major(wallet.account.balance_minor if wallet else 0, currency),
        "currency": currency,
        "funding_sources": list(FundingSource.objects.filter(customer=customer, is_active=True)),
        "recent_activity": entries,
    }
