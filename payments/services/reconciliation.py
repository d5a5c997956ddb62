"""Reconciliation: the proof that the ledger agrees with payments, refunds, commission, top-ups
and payouts (`manage.py reconcile`, exit 1 on any difference). Reads only."""
from dataclasses import dataclass
from typing import Any

from django.db.models import Aggregate, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from shopchat.models import Business

from ..ledger import Kind
from ..models import Dispute, LedgerAccount, LedgerEntry, Payment, Refund, Settlement, TopUp


@dataclass
class Difference:
    business: str
    currency: str
    check: str
    expected: int
    actual: int

    def __str__(self) -> str:
        return f"{self.business} {self.currency} {self.check}: expected {self.expected}, ledger says {self.actual}"


PROVIDER_METHODS = (Payment.Method.CARD, Payment.Method.WHATSAPP)  # money through provider clearing

# (business id, currency) -> the row of sums of one table
Sums = dict[tuple[int, str], dict[str, Any]]


def reconcile(*, business: Business | None = None) -> list[Difference]:
    """Prove the ledger: every transaction balances, every balance equals its entries, no
    wallet is negative, and per business and currency the accounts equal what payments,
    refunds, commission, top-ups and payouts say they should. Returns the differences."""
    diffs: list[Difference] = []
    businesses = {b.pk: b for b in (Business.objects.filter(pk=business.pk) if business else Business.objects.all())}
    scope = Q(transaction__business_id__in=list(businesses)) if business else Q()
    for row in (LedgerEntry.objects.filter(scope).values("transaction_id", "transaction__business__slug", "currency")
                .annotate(total=Sum("amount_minor")).exclude(total=0)):
        diffs.append(Difference(row["transaction__business__slug"], row["currency"],
                                f"transaction {row['transaction_id']} sums to zero", 0, row["total"]))
    accounts = (LedgerAccount.objects.filter(business_id__in=list(businesses)) if business
                else LedgerAccount.objects.all())
    entry_sums = dict(LedgerEntry.objects.filter(account__in=accounts).values("account_id")
                      .annotate(total=Sum("amount_minor")).values_list("account_id", "total"))
    totals: dict[tuple[int, str, str], int] = {}
    for account in accounts.select_related("business"):
        expected = entry_sums.get(account.pk, 0)
        if account.balance_minor != expected:
            diffs.append(Difference(account.business.slug, account.currency, f"balance of {account} = its entries",
                                    expected, account.balance_minor))
        if account.kind == Kind.CUSTOMER_WALLET and account.balance_minor < 0:
            diffs.append(Difference(account.business.slug, account.currency, f"{account} not below zero", 0,
                                    account.balance_minor))
        key = (account.business_id, account.currency, account.kind)
        totals[key] = totals.get(key, 0) + account.balance_minor

    def sums(queryset: QuerySet[Any], **aggregates: Aggregate) -> Sums:
        return {(r["business_id"], r["currency"]): r
                for r in queryset.values("business_id", "currency").annotate(**aggregates)}

    pay_scope = {"business_id__in": list(businesses)} if business else {}
    captured = sums(Payment.objects.filter(status=Payment.Status.CAPTURED, **pay_scope),
                    gross=Sum("amount_minor"), commission=Sum("commission_minor"),
                    card=Sum("amount_minor", filter=Q(method__in=PROVIDER_METHODS)),
                    wallet=Sum("amount_minor", filter=Q(method=Payment.Method.WALLET)),
                    test=Sum("amount_minor", filter=Q(customer__is_test=True)))
    refunds = sums(Refund.objects.filter(**pay_scope), total=Sum("amount_minor"),
                   test=Sum("amount_minor", filter=Q(payment__customer__is_test=True)),
                   card=Sum("amount_minor", filter=Q(payment__method__in=PROVIDER_METHODS)),
                   wallet=Sum("amount_minor", filter=Q(payment__method=Payment.Method.WALLET)))
    topups = sums(TopUp.objects.filter(status=TopUp.Status.SUCCEEDED, **pay_scope), total=Sum("amount_minor"))
    payouts = sums(Settlement.objects.filter(**pay_scope).exclude(status=Settlement.Status.FAILED),  # reversed
                   total=Sum("payout_minor"))
    disputes = sums(Dispute.objects.filter(**pay_scope), held=Sum("amount_minor", filter=Q(status=Dispute.Status.OPEN)),
                    lost=Sum("amount_minor", filter=Q(status=Dispute.Status.LOST)))
    keys = set(captured) | set(refunds) | set(topups) | set(payouts) | {(b, c) for b, c, _ in totals}
    for business_id, currency in sorted(keys):
        def get(table: Sums, name: str, key: tuple[int, str] = (business_id, currency)) -> int:
            return (table.get(key) or {}).get(name) or 0

        test_sales = get(captured, "test") - get(refunds, "test")  # the merchant's test chats, never paid out
        gross, commission = get(captured, "gross") - get(captured, "test"), get(captured, "commission")
        held, lost = get(disputes, "held"), get(disputes, "lost")
        expected = {
            Kind.MERCHANT_PAYABLE: (gross - (get(refunds, "total") - get(refunds, "test")) - commission
                                    - get(payouts, "total") - held - lost),
            Kind.TEST_SALES: test_sales,
            Kind.PLATFORM_REVENUE: commission,
            Kind.PAYOUTS: get(payouts, "total"),
            Kind.DISPUTES_HELD: held,
            Kind.PROVIDER_CLEARING: -(get(captured, "card") + get(topups, "total")) + get(refunds, "card") + lost,
            Kind.CUSTOMER_WALLET: get(topups, "total") + get(refunds, "wallet") - get(captured, "wallet"),
        }
        slug = businesses[business_id].slug if business_id in businesses else str(business_id)
        for kind, value in expected.items():
            actual = totals.get((business_id, currency, kind), 0)
            if actual != value:
                diffs.append(Difference(slug, currency, f"{kind} = payments - refunds - commission - payouts",
                                        value, actual))
    statements = Settlement.objects.filter(**pay_scope).annotate(
        lines_net=Coalesce(Sum("lines__net_minor"), 0)).exclude(lines_net=F("net_minor")).select_related("business")
    for settlement in statements[:100]:
        diffs.append(Difference(settlement.business.slug, settlement.currency,
                                f"settlement {settlement.pk} net = its lines", settlement.net_minor,
                                settlement.lines_net))
    settled_without_line = Payment.objects.filter(settlement__isnull=False, settlement_line__isnull=True, **pay_scope)
    for payment in settled_without_line.select_related("business")[:100]:
        diffs.append(Difference(payment.business.slug, payment.currency, f"payment {payment.pk} has a statement line",
                                1, 0))
    return diffs
