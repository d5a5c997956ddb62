"""Money between customers of one business, by phone number, within the business's limits.

Locks: both wallets, in primary-key order, by one query (a recipient's new wallet comes after
the sender's); the recipient is checked again after it (not erased meanwhile). Every refusal is
decided before anything is written and raised after the block, so the block needs no savepoint
of its own inside a caller's transaction."""
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from shopchat import sql
from shopchat.conflicts import retry_conflicts
from shopchat.errors import DomainError, InvalidInput
from shopchat.models import Business, Customer
from shopchat.money import display, format_major
from shopchat.outbox import Event, customer_ref
from shopchat.services import upsert_customer
from shopchat.uow import unit_of_work
from shopchat.validators import normalize_wa_id, validate_wa_id

from .. import ledger
from ..errors import InsufficientFunds, TransferLimitExceeded
from ..ledger import move
from ..models import LedgerAccount, LedgerTransaction, Transfer

Txn = LedgerTransaction.Kind


@dataclass(frozen=True)
class SentTransfer:
    """A transfer made, and the sender's balance after it (the gateway shows it)."""

    transfer: Transfer
    sender_balance_minor: int


@retry_conflicts
def transfer(*, sender: Customer, to_wa_id: str, amount_minor: int, note: str = "") -> SentTransfer:
    """Send money from the sender's wallet to another customer of the same business by phone
    number; the recipient (and their wallet) is created on first receipt. Per-transfer and
    per-day limits come from the business; the day is the business's local day, counted under
    the sender's wallet lock so two racing transfers cannot pass the limit together."""
    business = sender.business
    if amount_minor <= 0:
        raise InvalidInput("amount", "The amount must be more than zero.")
    if business.transfer_limit_minor is not None and amount_minor > business.transfer_limit_minor:
        raise TransferLimitExceeded(
            f"At most {display(business.transfer_limit_minor, business.currency)} per transfer."
        )
    to_wa_id = normalize_wa_id(to_wa_id)
    try:
        validate_wa_id(to_wa_id)
    except DjangoValidationError:
        raise InvalidInput("to", "Give the recipient's WhatsApp number (country code first).") from None
    if to_wa_id == sender.wa_id:
        raise InvalidInput("to", "You cannot send money to yourself.")
    with transaction.atomic(savepoint=False):
        sent, refusal = _transfer(business, sender, to_wa_id, amount_minor, note)
    if refusal is not None:
        raise refusal
    return sent  # type: ignore[return-value]


def _erased_meanwhile(wallet: LedgerAccount) -> bool:
    """Whether the wallet's customer was erased by an erasure that held the wallet's lock while
    this transfer waited for it (the lock's query matched the number before the erasure replaced
    it). Read after the lock, so that commit is seen; an erasure still to come waits for this
    transfer's lock instead, and then refuses: the wallet holds money."""
    if wallet.customer_id is None:  # a business account, never a customer's wallet
        return False
    return Customer.objects.filter(pk=wallet.customer_id, erased_at__isnull=False).exists()


def _transfer(business: Business, sender: Customer, to_wa_id: str, amount_minor: int,
              note: str) -> tuple[SentTransfer | None, DomainError | None]:
    wallets: dict[str, LedgerAccount] = {}
    for account in ledger.lock_wallets_by_phone(business=business, wa_ids=[sender.wa_id, to_wa_id]):
        assert account.customer is not None  # locked with its customer
        wallets[account.customer.wa_id] = account
    source = wallets.get(sender.wa_id)
    if source is None or source.balance_minor < amount_minor:
        return None, InsufficientFunds()
    if business.daily_transfer_limit_minor is not None:
        tz = ZoneInfo(business.time_zone)
        day_start = datetime.combine(timezone.now().astimezone(tz).date(), time.min, tzinfo=tz)
        sent = Transfer.objects.filter(sender=sender, created_at__gte=day_start).aggregate(
            s=Coalesce(Sum("amount_minor"), 0))["s"]
        if sent + amount_minor > business.daily_transfer_limit_minor:
            left = max(0, business.daily_transfer_limit_minor - sent)
            return None, TransferLimitExceeded(f"Daily limit reached: {display(left, business.currency)} left today.")
    target = wallets.get(to_wa_id)
    if target is not None and _erased_meanwhile(target):
        target = None  # the number's customer was erased while we waited for the wallet: a new customer now
    if target is None:  # the first receipt: a new wallet comes after the sender's in primary-key order
        newcomer = upsert_customer(business=business, wa_id=to_wa_id)
        ledger.ensure_wallet(newcomer)
        target = ledger.lock(business=business, customers=[newcomer.pk]).wallet(newcomer.pk)
        assert target is not None  # ensure_wallet made it
        target.customer = newcomer
    recipient = target.customer
    assert recipient is not None
    sent_transfer, = sql.insert([Transfer(business=business, sender=sender, recipient=recipient,
                                          amount_minor=amount_minor, currency=business.currency, note=note[:140])])
    ledger.post(business=business, postings=[
        move(Txn.TRANSFER, source, target, amount_minor, f"transfer:{sent_transfer.pk}", note[:200]),
    ])
    amount = format_major(amount_minor, business.currency)
    common = {"transfer": sent_transfer.pk, "amount": amount, "currency": business.currency, "note": note}
    with unit_of_work(business=business) as unit:
        unit.emit(
            Event("transfer.sent", {**common, "to": customer_ref(recipient), "customer": customer_ref(sender),
                                    "balance": format_major(source.balance_minor, business.currency)}),
            Event("transfer.received", {**common, "from": customer_ref(sender), "customer": customer_ref(recipient),
                                        "balance": format_major(target.balance_minor, business.currency)}),
        )
    return SentTransfer(sent_transfer, source.balance_minor), None
