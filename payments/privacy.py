"""Payments' part of a customer's export and erasure (registered in `PaymentsConfig.ready()`).

Money records stay whole (payments, refunds, top-ups, transfers, ledger transactions and
entries: amounts, dates, references), so the ledger stays balanced and `reconcile` clean. What
the customer wrote on them (a transfer's note, copied into its ledger memo) and anything naming
them (a refund reason) become tombstones; linked cards lose their provider token and are
switched off. A wallet that still holds money stops the erasure: the balance is the customer's
money and must be paid out or spent first."""
from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from shopchat.models import Customer
from shopchat.money import display
from shopchat.privacy import TOMBSTONE, Erasure

from .models import (
    Dispute,
    FundingSource,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    Refund,
    TopUp,
    Transfer,
)


def export(customer: Customer) -> dict[str, Any]:
    payments = list(Payment.objects.filter(customer=customer).select_related("order").order_by("created_at", "id"))
    refunds = Refund.objects.filter(payment__customer=customer).select_related("payment").order_by("created_at", "id")
    accounts = list(LedgerAccount.objects.filter(customer=customer).order_by("id"))
    entries = (LedgerEntry.objects.filter(account__customer=customer).select_related("transaction")
               .order_by("id"))
    transfers = (Transfer.objects.filter(Q(sender=customer) | Q(recipient=customer))
                 .select_related("sender", "recipient").order_by("created_at", "id"))
    return {
        "payments": [{
            "id": p.pk, "order": p.order.number, "method": p.method, "status": p.status,
            "amount_minor": p.amount_minor, "currency": p.currency, "refunded_minor": p.refunded_minor,
            "provider": p.provider, "provider_reference": p.provider_reference, "created_at": p.created_at,
            "captured_at": p.captured_at,
        } for p in payments],
        "refunds": [{
            "id": r.pk, "payment": r.payment_id, "amount_minor": r.amount_minor, "currency": r.currency,
            "reason": r.reason, "status": r.status, "created_at": r.created_at,
        } for r in refunds],
        # chargebacks raised on the customer's card payments (the provider's reason code, no words of theirs)
        "disputes": [{
            "payment": d.payment_id, "order": d.payment.order.number, "amount_minor": d.amount_minor,
            "currency": d.currency, "status": d.status, "reason": d.reason, "opened_at": d.opened_at,
            "resolved_at": d.resolved_at,
        } for d in Dispute.objects.filter(payment__customer=customer).select_related("payment__order")
            .order_by("opened_at", "id")],
        "wallet": {
            "balances": [{"currency": a.currency, "balance_minor": a.balance_minor,
                          "balance": display(a.balance_minor, a.currency)} for a in accounts],
            "ledger_entries": [{
                "id": e.pk, "transaction": e.transaction_id, "kind": e.transaction.kind,
                "reference": e.transaction.reference, "memo": e.transaction.memo, "amount_minor": e.amount_minor,
                "currency": e.currency, "created_at": e.created_at,
            } for e in entries],
        },
        "top_ups": [{
            "id": t.pk, "amount_minor": t.amount_minor, "currency": t.currency, "status": t.status,
            "created_at": t.created_at,
        } for t in TopUp.objects.filter(customer=customer).order_by("created_at", "id")],
        "transfers": [{
            "id": t.pk, "direction": "sent" if t.sender_id == customer.pk else "received",
            "counterpart": (t.recipient if t.sender_id == customer.pk else t.sender).wa_id,
            "amount_minor": t.amount_minor, "currency": t.currency, "note": t.note, "created_at": t.created_at,
        } for t in transfers],
        "cards": [{
            "brand": c.brand, "last4": c.last4, "exp_month": c.exp_month, "exp_year": c.exp_year,
            "active": c.is_active, "linked_at": c.created_at,
        } for c in FundingSource.objects.filter(customer=customer).order_by("created_at", "id")],
    }


def check(customer: Customer) -> list[str]:
    """Locks the customer's wallet accounts (id order, after the orders) and refuses while one
    holds money."""
    held = [a for a in LedgerAccount.objects.select_for_update().filter(customer=customer).order_by("pk")
            if a.balance_minor]
    return [_("the wallet still holds %(amount)s (spend it or pay it out first)")
            % {"amount": display(a.balance_minor, a.currency)} for a in held]


def collect(customer: Customer) -> list[str]:
    return list(Transfer.objects.filter(sender=customer).exclude(note="").values_list("note", flat=True))


def erase(erasure: Erasure) -> None:
    customer = erasure.customer
    sent = Transfer.objects.filter(sender=customer).exclude(note="")
    references = [f"transfer:{pk}" for pk in Transfer.objects.filter(Q(sender=customer) | Q(recipient=customer))
                  .values_list("pk", flat=True)]
    erasure.count("transfer notes", sent.update(note=TOMBSTONE))
    received = [t for t in Transfer.objects.filter(recipient=customer).exclude(note="").only("id", "note")
                if erasure.mentions(t.note)]
    erasure.count("transfer notes", Transfer.objects.filter(pk__in=[t.pk for t in received]).update(note=TOMBSTONE))
    # The memo is words, not money: the ledger's append-only rule (amounts, accounts) is kept,
    # the customer's note copied into it is not.
    erasure.count("ledger memos", LedgerTransaction.objects.filter(business=erasure.business,
                                                                   reference__in=references)
                  .exclude(memo="").update(memo=TOMBSTONE))
    refunds = [r for r in Refund.objects.filter(payment__customer=customer).exclude(reason="").only("id", "reason")
               if erasure.mentions(r.reason)]
    erasure.count("refund reasons", Refund.objects.filter(pk__in=[r.pk for r in refunds]).update(reason=TOMBSTONE))
    erasure.count("cards", FundingSource.objects.filter(customer=customer).update(token=TOMBSTONE, is_active=False))
