"""WhatsApp Pay (India) through the Cloud API, by Meta's rules:

- a `captured` payment status is never trusted alone: the payment lookup API
  (`GET /{phone-number-id}/payments/{configuration}/{reference_id}`) confirms it (success, same
  amount, same transaction) before the order is paid (`confirm_payment`, a task after the status
  is stored, so no lock is held over the call);
- a paid order is refunded through `POST /{phone-number-id}/payments_refund`, never told
  `order_status: canceled` (Meta answers 2047); refund status webhooks settle the refund;
- captured WhatsApp Pay payments are reconciled against the lookup API (`reconcile_payments`).
"""
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from orders.models import Order
from payments import services as payment_services
from payments.models import Payment, Refund
from shopchat import outbound
from shopchat.models import Business
from shopchat.money import exponent
from shopchat.outbox import notify_staff

from .models import WhatsAppConfig
from .sender import client

log = logging.getLogger(__name__)
SUCCESS = ("success", "captured")


class LookupUnavailable(Exception):
    """The lookup API could not answer now: asked again later."""


def _base(config: WhatsAppConfig) -> str:
    return f"{config.base_url.rstrip('/')}/{config.api_version}/{config.phone_number_id}"


def _headers(config: WhatsAppConfig) -> dict[str, str]:
    return {"Authorization": f"Bearer {config.access_token}"}


def lookup_payment(*, config: WhatsAppConfig, reference_id: str) -> dict[str, Any] | None:
    """The payment of an order_details `reference_id` as Meta knows it (None: no such payment)."""
    url = f"{_base(config)}/payments/{config.payment_configuration}/{reference_id}"
    try:
        response = client().get(url, headers=_headers(config), timeout=settings.OUTBOX_TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise LookupUnavailable(type(exc).__name__) from None
    except outbound.OutboundRefused as exc:  # the guard refused the address dialled: not paid until it answers
        raise LookupUnavailable(exc.message) from None
    if response.status_code == 404:
        return None
    if response.status_code >= 400:
        raise LookupUnavailable(f"HTTP {response.status_code}")
    payments = (response.json() or {}).get("payments") or []
    return payments[0] if payments else None


@dataclass
class Lookup:
    status: str  # captured | failed | pending | unknown
    transaction_id: str = ""
    amount_minor: int | None = None
    error: Any = None


def read_lookup(payment: dict[str, Any] | None, transaction_id: str = "") -> Lookup:
    """What the lookup answer says of the payment (or of one of its transactions)."""
    if not payment:
        return Lookup("unknown")
    transactions = payment.get("transactions") or []
    txn = next((t for t in transactions if transaction_id and transaction_id in
                (t.get("id"), t.get("pg_transaction_id"))), None) or (transactions[-1] if transactions else {})
    status = str(txn.get("status") or payment.get("status") or "").lower()
    amount = txn.get("amount") or payment.get("amount") or payment.get("total_amount") or {}
    minor = None
    if isinstance(amount, dict) and "value" in amount:
        minor = int(amount["value"])
    txn_id = str(txn.get("pg_transaction_id") or txn.get("id") or transaction_id)
    if status in SUCCESS:
        return Lookup("captured", txn_id, minor)
    if status == "failed":
        return Lookup("failed", txn_id, minor, txn.get("error") or {"code": "", "reason": "failed"})
    return Lookup("pending", txn_id, minor)


def confirm_payment(*, business_id: int, reference_id: str, transaction_id: str) -> str:
    """Meta's rule: confirm a reported capture with the lookup API before fulfilling. Paid when
    it says success for the order's amount; failed when it says failed; otherwise nothing yet
    (LookupUnavailable / 'pending': the task asks again)."""
    config = WhatsAppConfig.objects.select_related("business").filter(business_id=business_id).first()
    order = Order.objects.filter(business_id=business_id, number=reference_id).only("pk", "total_minor").first()
    if config is None or order is None:
        log.warning("whatsapp pay: captured status for unknown order %r of business %s ignored", reference_id,
                    business_id)
        return "ignored: unknown order"
    found = read_lookup(lookup_payment(config=config, reference_id=reference_id), transaction_id)
    if found.status == "captured" and found.amount_minor not in (None, order.total_minor):
        log.error("whatsapp pay: order %s confirmed for %s, not its total %s", order.pk, found.amount_minor,
                  order.total_minor)
        notify_staff(business=config.business,  # in each recipient's language
                     subject=gettext_noop("WhatsApp Pay amount of order %(number)s differs"),
                     body=gettext_noop("Meta reports %(theirs)s (minor units) paid for order %(number)s, whose total "
                                       "is %(ours)s. The order was not marked paid; please check it."),
                     params={"number": reference_id, "theirs": found.amount_minor, "ours": order.total_minor})
        return "mismatch"
    if found.status in ("captured", "failed"):
        payment_services.handle_whatsapp_payment_status(
            business=config.business, reference_id=reference_id, status=found.status,
            transaction_id=found.transaction_id or transaction_id, error=found.error)
        return found.status
    return "pending"


# --- refunds ----------------------------------------------------------------------------------

def send_refund(refund: Refund) -> str:
    """Refund a WhatsApp Pay payment through the Cloud API (registered with payments in
    `chat.apps`). Returns Meta's refund id; raises for the payments task to retry or fail."""
    from payments.providers import ProviderError, ProviderUnavailable

    config = WhatsAppConfig.objects.filter(business_id=refund.business_id).first()
    if config is None or not config.payment_configuration:
        raise ProviderError("This business has no WhatsApp Pay configuration.")
    body = {"reference_id": refund.payment.order.number, "speed": "normal",
            "payment_config_id": config.payment_configuration,
            "amount": {"currency": refund.currency, "value": refund.amount_minor,
                       "offset": 10 ** exponent(refund.currency)}}
    try:
        response = client().post(f"{_base(config)}/payments_refund", json=body, headers=_headers(config),
                                  timeout=settings.OUTBOX_TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(type(exc).__name__) from None
    except outbound.OutboundRefused as exc:  # a permanent refusal: staff are told to refund by hand
        raise ProviderError(exc.message, code="outbound_refused") from None
    if response.status_code >= 500 or response.status_code == 429:
        raise ProviderUnavailable(f"HTTP {response.status_code}")
    data = response.json() or {}
    if response.status_code >= 400:
        raise ProviderError(str((data.get("error") or {}).get("message") or "Meta refused the refund."))
    return str(data.get("id") or data.get("refund_id") or "")


def apply_refund_status(*, business: Business, refund_id: str, status: str) -> str:
    """A refund status webhook: `failed` marks the refund failed and asks the staff to act."""
    refund = Refund.objects.select_related("payment__order").filter(
        business=business, provider_reference=refund_id).first()
    if refund is None:
        return "ignored: unknown refund"
    if status == "failed" and refund.status != Refund.Status.FAILED:
        Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED)
        notify_staff(business=business,  # in each recipient's language
                     subject=gettext_noop("WhatsApp Pay refund of order %(number)s failed"),
                     body=gettext_noop("Meta reports the refund failed; please refund the customer in your payment "
                                       "gateway."),
                     params={"number": refund.payment.order.number})
        return "failed"
    return "ok"


# --- reconciliation ---------------------------------------------------------------------------

MISMATCH = gettext_noop("order %(order)s: captured here (%(ours)s), lookup API says %(theirs)s")


@dataclass
class Mismatch:
    order: str
    ours: str
    theirs: str

    def __str__(self) -> str:
        return MISMATCH % {"order": self.order, "ours": self.ours, "theirs": self.theirs}


def reconcile_payments(*, business: Business, days: int = 7) -> list[Mismatch]:
    """Every WhatsApp Pay payment captured in the last `days`, checked against the lookup API
    (status success and the same amount). Reads only; the staff are told of what differs."""
    config = WhatsAppConfig.objects.filter(business=business).first()
    if config is None or not config.payment_configuration:
        return []
    mismatches = []
    since = timezone.now() - timedelta(days=days)
    for payment in (Payment.objects.filter(business=business, method=Payment.Method.WHATSAPP,
                                           status=Payment.Status.CAPTURED, captured_at__gte=since)
                    .select_related("order").order_by("pk")):
        try:
            found = read_lookup(lookup_payment(config=config, reference_id=payment.order.number),
                                payment.provider_reference)
        except LookupUnavailable as exc:
            mismatches.append(Mismatch(payment.order.number, "captured", f"unreachable ({exc})"))
            continue
        if found.status != "captured" or found.amount_minor not in (None, payment.amount_minor):
            mismatches.append(Mismatch(payment.order.number, f"captured {payment.amount_minor}",
                                       f"{found.status} {found.amount_minor}"))
    if mismatches:
        notify_staff(business=business,  # in each recipient's language
                     subject=gettext_noop("WhatsApp Pay payments differ from Meta's records"),
                     body=[{"text": MISMATCH, "params": {"order": m.order, "ours": m.ours, "theirs": m.theirs}}
                           for m in mismatches[:50]], params={})
    return mismatches
