"""Payouts: a settlement's payout is booked under the ledger locks (merchant payable -> payouts),
then sent to the business's provider after that commits (Stripe Connect transfer, RazorpayX
payout, the sandbox), with the settlement's own idempotency key (`settlement_<id>`), so nothing
is locked over the call and a repeated send pays once.

A failed payout (refused at once, or reversed later by a webhook: Stripe `transfer.reversed`,
RazorpayX `payout.reversed`/`failed`) is reversed in the ledger (payouts -> merchant payable),
the settlement marked failed and the merchant told; the money waits in the payable and the
next run (or `retry_failed_payouts`, once the payout account is fixed) pays it again.

Locks: the business's merchant payable and payouts accounts (by id), then the settlement row."""
import logging

from django.db import transaction
from django.utils.translation import gettext_noop

from shopchat.models import Business
from shopchat.money import format_major
from shopchat.outbox import emit_event, notify_staff

from .. import ledger
from ..ledger import Kind, move
from ..models import LedgerTransaction, Settlement
from ..providers import ProviderError, ProviderUnavailable, provider_for

log = logging.getLogger(__name__)
Txn = LedgerTransaction.Kind


def send_payout(*, settlement_id: int) -> Settlement:
    """Send a booked payout; `sending` stays when the provider cannot be reached (sent again by
    the next run with the same key)."""
    settlement = Settlement.objects.select_related("business").get(pk=settlement_id)
    if settlement.status != Settlement.Status.SENDING:
        return settlement
    business = settlement.business
    try:
        result = provider_for(business).payout(
            account=business.payout_account, amount_minor=settlement.payout_minor, currency=settlement.currency,
            description=f"shopchat settlement {settlement.pk}", idempotency_key=f"settlement_{settlement.pk}")
    except ProviderUnavailable:
        log.warning("payments: payout of settlement %s not answered; sent again by the next run", settlement.pk)
        return settlement
    except ProviderError as exc:
        return fail_payout(settlement_id=settlement.pk, reason=str(exc))
    if result.status == "failed":
        return fail_payout(settlement_id=settlement.pk, reason=result.failure or "The payout was refused.",
                           reference=result.reference)
    Settlement.objects.filter(pk=settlement.pk, status=Settlement.Status.SENDING).update(
        status=Settlement.Status.PAID, payout_reference=result.reference)
    settlement.status, settlement.payout_reference = Settlement.Status.PAID, result.reference
    emit_event(business=business, event_type="settlement.paid", data={
        "settlement": settlement.pk, "amount": format_major(settlement.payout_minor, business.currency),
        "currency": business.currency, "gross": format_major(settlement.gross_minor, business.currency),
        "refunds": format_major(settlement.refunds_minor, business.currency),
        "commission": format_major(settlement.commission_minor, business.currency),
        "payments": settlement.payment_count, "payout_reference": result.reference,
    })
    cur = business.currency
    notify_staff(business=business,  # each recipient reads it in their back-office language
                 subject=gettext_noop("Settlement %(number)s: %(payout)s paid out"),
                 body=gettext_noop("%(payments)s payments, gross %(gross)s, refunds %(refunds)s, commission "
                                   "%(commission)s; paid out %(payout)s to %(account)s."),
                 params={"number": settlement.pk, "payments": settlement.payment_count,
                         "gross": {"money": [settlement.gross_minor, cur]},
                         "refunds": {"money": [settlement.refunds_minor, cur]},
                         "commission": {"money": [settlement.commission_minor, cur]},
                         "payout": {"money": [settlement.payout_minor, cur]},
                         "account": business.payout_account_masked})
    return settlement


def fail_payout(*, settlement_id: int, reason: str, reference: str = "") -> Settlement:
    """Reverse a payout that failed (once): payouts -> merchant payable, the settlement failed,
    the merchant told to fix the payout account."""
    with transaction.atomic():
        found = Settlement.objects.select_related("business").get(pk=settlement_id)
        business = found.business
        accounts = ledger.lock(business=business, kinds=(Kind.MERCHANT_PAYABLE, Kind.PAYOUTS))
        settlement = Settlement.objects.select_for_update(of=("self",)).select_related("business").get(pk=found.pk)
        if settlement.status not in (Settlement.Status.SENDING, Settlement.Status.PAID):
            return settlement
        ledger.post(business=business, postings=[
            move(Txn.SETTLEMENT, accounts[Kind.PAYOUTS], accounts[Kind.MERCHANT_PAYABLE], settlement.payout_minor,
                 f"settlement:{settlement.pk}:reversed", f"Payout of settlement {settlement.pk} failed"),
        ])
        Settlement.objects.filter(pk=settlement.pk).update(status=Settlement.Status.FAILED,
                                                           payout_failure=reason[:200],
                                                           payout_reference=reference or settlement.payout_reference)
        settlement.status, settlement.payout_failure = Settlement.Status.FAILED, reason[:200]
        emit_event(business=business, event_type="settlement.payout_failed", data={
            "settlement": settlement.pk, "amount": format_major(settlement.payout_minor, business.currency),
            "currency": business.currency, "reason": reason[:200]})
        notify_staff(business=business,  # in each recipient's language
                     subject=gettext_noop("Payout of settlement %(number)s failed"),
                     body=gettext_noop("The payout of %(amount)s to %(account)s failed: %(reason)s. The amount is "
                                       "back in your balance; correct your payout account and it is paid with the "
                                       "next run."),
                     params={"number": settlement.pk, "account": business.payout_account_masked,
                             "amount": {"money": [settlement.payout_minor, business.currency]},
                             "reason": reason[:200]})
    return settlement


def fail_payout_by_reference(*, business_id: int, reference: str, reason: str) -> str:
    """A provider's webhook says a payout was reversed or failed after it was sent."""
    settlement = Settlement.objects.filter(business_id=business_id, payout_reference=reference).first()
    if settlement is None or not reference:
        return "ignored: unknown payout"
    failed = fail_payout(settlement_id=settlement.pk, reason=reason or "The payout was reversed.")
    return "payout_reversed" if failed.status == Settlement.Status.FAILED else f"ignored: {failed.status}"


def retry_failed_payouts(*, business: Business) -> Settlement | None:
    """Once the payout account is fixed: pay what failed now (the reversed amount is in the
    payable; a settlement run pays it)."""
    from .settlement import settle_business

    if not Settlement.objects.filter(business=business, status=Settlement.Status.FAILED).exists():
        return None
    return settle_business(business=business)


def resend_unconfirmed_payouts() -> int:
    """Payouts whose provider never answered, sent again with the same key."""
    count = 0
    for settlement_id in Settlement.objects.filter(status=Settlement.Status.SENDING).values_list("pk", flat=True):
        send_payout(settlement_id=settlement_id)
        count += 1
    return count
