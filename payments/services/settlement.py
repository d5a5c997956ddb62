"""Settlement: a business's captured, unsettled payments minus refunds minus commission become a
statement and a payout to the merchant's account, each payment and refund settled exactly once.

Locks: the business's merchant-payable and payouts accounts, then the payment and refund rows
it claims (DESIGN.md order: ledger accounts before the rows that reference them)."""
import logging

from django.db import transaction
from django.db.models import Count, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from shopchat.actors import Actor, staff_user
from shopchat.models import Business

from .. import ledger, queries
from ..errors import NoPayoutAccount
from ..ledger import Kind, move
from ..models import LedgerTransaction, Payment, PaymentProviderConfig, Refund, Settlement, SettlementLine

log = logging.getLogger(__name__)
Txn = LedgerTransaction.Kind


def _after_claim_batch(settlement: Settlement, batch: int) -> None:
    """Called after each claimed batch (a seam for tests that kill a run halfway)."""


def settle_business(*, business: Business, actor: Actor = None, batch_size: int = 10_000) -> Settlement | None:
    """Settle every captured, unsettled payment and unsettled refund of the business into one
    statement, and pay the net (less any debt carried from before) out through the provider.

    Set-based: payments are claimed batch by batch with `UPDATE ... WHERE settlement IS NULL`
    and the lines written with one INSERT ... SELECT, so the number of queries does not grow
    with the number of payments. The whole business settles in one transaction holding the
    merchant-payable lock: a run killed halfway leaves nothing, and a concurrent run waits,
    then finds nothing left. `SettlementLine.payment` / `.refund` are unique, so each payment
    and refund is settled exactly once whatever happens. Returns None when nothing is due.
    """
    if not business.payout_account:
        raise NoPayoutAccount(business.name)
    try:
        with transaction.atomic():
            settlement = _settle(business, actor, batch_size)
    except _NothingToSettle:
        return None
    if settlement.status == Settlement.Status.SENDING:
        from .payouts import send_payout  # the provider call, after the commit: nothing locked

        settlement = send_payout(settlement_id=settlement.pk)
    return settlement


class _NothingToSettle(Exception):
    pass


def _settle(business: Business, actor: Actor, batch_size: int) -> Settlement:
    accounts = ledger.lock(business=business, kinds=(Kind.MERCHANT_PAYABLE, Kind.PAYOUTS))
    previous = Settlement.objects.filter(business=business).order_by("-period_end").values("period_end").first()
    settlement = Settlement.objects.create(
        business=business, currency=business.currency, period_start=previous["period_end"] if previous else None,
        period_end=timezone.now(), payout_account=business.payout_account,
        created_by=staff_user(actor),
    )
    claimed = 0
    # a merchant's test chat is never settled: its payments went to the test sales account
    for model, condition in ((Payment, Q(status=Payment.Status.CAPTURED, customer__is_test=False)),
                             (Refund, Q(payment__customer__is_test=False))):
        batch = 0
        while True:
            due = model.objects.filter(condition, business=business, settlement__isnull=True).order_by("pk")
            count = model.objects.filter(pk__in=Subquery(due.values("pk")[:batch_size]),
                                         settlement__isnull=True).update(settlement=settlement)
            claimed += count
            if count:
                batch += 1
                _after_claim_batch(settlement, batch)
            if count < batch_size:
                break
    payable = accounts[Kind.MERCHANT_PAYABLE]
    minimum = minimum_payout(business)
    if not claimed and payable.balance_minor < max(1, minimum):  # a reversed payout is paid again
        raise _NothingToSettle
    queries.write_settlement_lines(settlement_id=settlement.pk)
    totals = SettlementLine.objects.filter(settlement=settlement).aggregate(
        payments=Count("payment"), refunds=Count("refund"), gross=Coalesce(Sum("gross_minor"), 0),
        refunded=Coalesce(Sum("refund_minor"), 0), commission=Coalesce(Sum("commission_minor"), 0),
        net=Coalesce(Sum("net_minor"), 0),
    )
    opening = payable.balance_minor - totals["net"]
    payout = max(0, payable.balance_minor)
    if payout < minimum:  # below the business's minimum: carried to the next run
        payout = 0
    reference = ""
    if payout:
        ledger.post(business=business, actor=settlement.created_by, postings=[
            move(Txn.SETTLEMENT, payable, accounts[Kind.PAYOUTS], payout, f"settlement:{settlement.pk}",
                 f"Payout to {business.payout_account_masked}"),
        ])
    fields = dict(
        status=Settlement.Status.SENDING if payout else Settlement.Status.CARRIED,
        payment_count=totals["payments"], refund_count=totals["refunds"], gross_minor=totals["gross"],
        refunds_minor=totals["refunded"], commission_minor=totals["commission"], net_minor=totals["net"],
        opening_minor=opening, payout_minor=payout, closing_minor=opening + totals["net"] - payout,
        payout_reference=reference,
    )
    Settlement.objects.filter(pk=settlement.pk).update(**fields)
    for name, value in fields.items():
        setattr(settlement, name, value)
    return settlement


def minimum_payout(business: Business) -> int:
    config = PaymentProviderConfig.objects.filter(business_id=business.pk).only("minimum_payout_minor").first()
    return config.minimum_payout_minor if config is not None else 0


def due_today(business_id: int, schedules: dict[int, str]) -> bool:
    """Daily (the default), weekly on Mondays, manual never (the back office's button only)."""
    schedule = schedules.get(business_id, PaymentProviderConfig.PayoutSchedule.DAILY)
    if schedule == PaymentProviderConfig.PayoutSchedule.MANUAL:
        return False
    return schedule != PaymentProviderConfig.PayoutSchedule.WEEKLY or timezone.localdate().weekday() == 0


def settle_all(*, actor: Actor = None) -> list[Settlement]:
    """The daily run: settle every active business with a payout account whose payout schedule
    is due today. One business's failure is logged and does not stop the others (the next run
    retries it)."""
    done = []
    schedules = dict(PaymentProviderConfig.objects.values_list("business_id", "payout_schedule"))
    businesses = Business.objects.filter(status=Business.Status.ACTIVE).exclude(payout_account="").order_by("pk")
    for business in businesses.iterator():
        if not due_today(business.pk, schedules):
            continue
        try:
            settlement = settle_business(business=business, actor=actor)
        except Exception:
            log.exception("settlement of %s failed; the next run retries it", business.slug)
            continue
        if settlement is not None:
            done.append(settlement)
    return done
