"""WhatsApp adapter operations: set a number up, take in Meta's webhooks, process each
inbound message once (engine reply or status update), and queue replies through the outbox.

Inbound flow: the webhook verifies the signature and stores every message and status as an
`InboundMessage` (unique per business and message id, so a redelivery stores nothing new),
then enqueues processing on commit. Processing locks the row, runs the engine, writes the
replies (OutboundMessage rows plus one outbox event, so sending is retried and never lost)
and marks the row processed, all in one transaction. A beat sweep re-enqueues rows that were
not processed (broker down, worker killed, a status that arrived before its message's id).
"""
import functools
import json
import logging
import secrets
import zlib
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DataError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from payments import services as payment_services
from payments.models import Payment
from shopchat import outbox
from shopchat.models import Business, Customer
from shopchat.privacy import logs as privacy_logs
from shopchat.services import upsert_customer

from . import media, queries, webhook
from .models import DeadLetter, InboundMessage, OutboundMessage, WhatsAppConfig
from .notifications import CHANNEL, REPLY_EVENT

if TYPE_CHECKING:
    from .engine import Reply

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH = 50  # a conversation's waiting messages answered in one transaction
PROCESSING_GROUPS = 16
MAX_SECRETS_FOR_UNNAMED_BODY = 1000  # distinct app secrets (a provider's numbers share one)
DEAD_LETTER_BODY_LIMIT = 1_000_000


class ConfigError(ValueError):
    """WhatsApp settings that cannot be saved as asked."""


# --- set-up ---------------------------------------------------------------------------------

def configure_whatsapp(*, business: Business, phone_number_id: str, access_token: str, app_secret: str,
                       verify_token: str, base_url: str | None = None, api_version: str | None = None,
                       catalog_id: str | None = None, enabled: bool = True,
                       payment_configuration: str | None = None, payment_gateway: str | None = None,
                       importer_name: str | None = None, importer_address: dict | None = None,
                       country_of_origin: str | None = None, waba_id: str | None = None) -> WhatsAppConfig:
    """Create or replace a business's Cloud API settings (the number is also shown on the business),
    with its WhatsApp Pay configuration name and gateway, for numbers without a catalog the
    importer details Meta asks of every item, and the WhatsApp Business Account id its message
    templates are synced from."""
    taken = WhatsAppConfig.objects.filter(phone_number_id=phone_number_id).exclude(business=business)
    if taken.exists():
        raise ConfigError(f"phone-number id {phone_number_id} is already used by another business.")
    with transaction.atomic():
        config = WhatsAppConfig.objects.select_for_update().filter(business=business).first()
        config = config or WhatsAppConfig(business=business)
        config.phone_number_id = phone_number_id
        config.access_token = access_token
        config.app_secret = app_secret
        config.verify_token = verify_token
        config.enabled = enabled
        if base_url is not None:
            config.base_url = base_url
        if api_version is not None:
            config.api_version = api_version
        if catalog_id is not None:
            config.catalog_id = catalog_id
        for name, value in (("payment_configuration", payment_configuration), ("payment_gateway", payment_gateway),
                            ("importer_name", importer_name), ("importer_address", importer_address),
                            ("country_of_origin", country_of_origin), ("waba_id", waba_id)):
            if value is not None:
                setattr(config, name, value)
        try:
            config.full_clean(exclude=["business"])
        except ValidationError as exc:
            raise ConfigError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        config.save()
        show_number_on_business(config=config)
    return config


def new_verify_token() -> str:
    """A verify token nobody can guess (Meta echoes it back once, when the callback URL is set)."""
    return secrets.token_urlsafe(24)


def rotate_verify_token(*, config: WhatsAppConfig) -> str:
    """A new verify token for the number; returns it (shown once, then masked). Meta keeps
    working with the callback it verified; the new token is needed only to verify it again."""
    token = new_verify_token()
    WhatsAppConfig.objects.filter(pk=config.pk).update(verify_token=token)
    return token


def show_number_on_business(*, config: WhatsAppConfig) -> None:
    """The business page shows the phone-number id its WhatsApp settings use."""
    Business.objects.filter(pk=config.business_id).update(wa_phone_number_id=config.phone_number_id)


# --- webhook --------------------------------------------------------------------------------

def verify_subscription(*, mode: str, token: str) -> bool:
    """Meta's GET handshake: `hub.mode=subscribe` and a verify token one of our numbers uses."""
    return mode == "subscribe" and bool(token) and WhatsAppConfig.objects.filter(verify_token=token).exists()


def receive_webhook(*, body: bytes, signature: str) -> bool:
    """Verify and store one webhook POST; False when the signature is missing or wrong.

    The signature is checked on the raw bytes before anything is parsed: the phone-number ids
    are read from the bytes to find whose app secret to check (one POST may carry entries of
    several numbers: each entry is kept only if the signature is valid for the secret of the
    business owning its phone-number id). Only then is the body parsed (depth-limited). A body
    that is not Meta's shape, or an item in it that is malformed, PostgreSQL could not store or
    is older than WHATSAPP_WEBHOOK_MAX_AGE_SECONDS, becomes a dead letter with its reason, and
    Meta is answered 200 (retrying would not help); the other items of the batch are stored.
    Unknown phone-number ids are logged and ignored.
    """
    if not signature or not signature.startswith("sha256="):
        return False
    ids = webhook.phone_number_ids(body)
    if ids:
        configs = list(WhatsAppConfig.objects.filter(phone_number_id__in=ids, enabled=True)
                       .only("business_id", "phone_number_id", "app_secret"))
        if not configs:
            log.warning("whatsapp webhook: unknown phone-number id(s) %s ignored", ", ".join(sorted(ids))[:300])
            return True
    else:  # nothing names a number (e.g. a field other than messages): try each app secret in use
        secrets = (WhatsAppConfig.objects.filter(enabled=True).order_by("app_secret")
                   .values_list("app_secret", flat=True).distinct()[:MAX_SECRETS_FOR_UNNAMED_BODY])
        matching = next((s for s in secrets if webhook.signature_ok(s, body, signature)), None)
        configs = list(WhatsAppConfig.objects.filter(enabled=True, app_secret=matching)
                       .only("business_id", "phone_number_id", "app_secret")) if matching else []
    verified = _verified(configs, body, signature)
    if not verified:
        return False
    try:
        envelope = webhook.read_envelope(webhook.loads(body), freshness=webhook.Freshness(
            max_age=settings.WHATSAPP_WEBHOOK_MAX_AGE_SECONDS))
    except webhook.BadPayload as exc:
        _dead_letter(verified, str(exc), body)
        return True
    try:
        _store(envelope, {c.phone_number_id: c for c in verified}, verified)
    except DataError as exc:  # a value the checks above missed: keep the body, not a half batch
        log.warning("whatsapp webhook: batch not storable (%s)", type(exc).__name__)
        _dead_letter(verified, f"not storable: {type(exc).__name__}", body)
    return True


def _verified(configs: Iterable[WhatsAppConfig], body: bytes, signature: str) -> list[WhatsAppConfig]:
    results: dict[str, bool] = {}  # app secret -> whether it signs the body
    verified = []
    for config in configs:
        if config.app_secret not in results:
            results[config.app_secret] = webhook.signature_ok(config.app_secret, body, signature)
        if results[config.app_secret]:
            verified.append(config)
    return verified


def _dead_letter(configs: Sequence[WhatsAppConfig], reason: str, body: bytes, business_id: int | None = None) -> None:
    if business_id is None and len({c.business_id for c in configs}) == 1:
        business_id = configs[0].business_id
    DeadLetter.objects.create(business_id=business_id, reason=webhook.safe_text(reason.encode(), 300)[:300],
                              body=webhook.safe_text(body, DEAD_LETTER_BODY_LIMIT))
    log.warning("whatsapp webhook: dead letter (%s)", reason[:100])


def _store(envelope: webhook.Envelope, configs: dict[str, WhatsAppConfig],
           verified: Sequence[WhatsAppConfig] = ()) -> None:
    rows: list[InboundMessage] = []
    seen: set[tuple[int, str]] = set()  # (business id, record key)
    tasks: dict[tuple[int, int], list[str]] = {}  # (business id, group) -> record keys
    for record in envelope.records:
        config = configs.get(record.phone_number_id)
        if config is None:
            log.warning("whatsapp webhook: entry of phone-number id %s ignored (unknown, disabled or signed "
                        "with another app's secret)", record.phone_number_id)
            continue
        if (config.business_id, record.key) in seen:
            continue
        seen.add((config.business_id, record.key))
        # One task per business and group of customers: a customer's messages stay in order,
        # different customers are processed in parallel.
        group = (config.business_id, zlib.crc32(record.wa_id.encode()) % PROCESSING_GROUPS)
        tasks.setdefault(group, []).append(record.key)
        rows.append(InboundMessage(
            business_id=config.business_id, wa_message_id=record.key, wa_id=record.wa_id, type=record.type,
            payload=record.payload, profile_name=record.profile_name,
        ))
    with transaction.atomic():
        InboundMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        for pid, reason, fragment in envelope.problems:
            config = configs.get(pid)
            if config is not None:
                _dead_letter([], reason, _fragment(fragment), business_id=config.business_id)
            elif not pid:  # no number named: the business if the signature names one
                _dead_letter(verified, reason, _fragment(fragment))
        for (business_id, _), keys in tasks.items():
            transaction.on_commit(functools.partial(enqueue_processing, business_id, keys))


def _fragment(fragment: Any) -> bytes:
    """A problem item as bytes for its dead letter (ASCII JSON: surrogates and NUL escaped)."""
    try:
        return json.dumps(fragment).encode()
    except (ValueError, RecursionError):
        return repr(fragment)[:DEAD_LETTER_BODY_LIMIT].encode("ascii", "backslashreplace")


def enqueue_processing(business_id: int, keys: list[str]) -> bool:
    """Hand stored messages to Celery; a broker outage is logged, the sweep picks them up."""
    from .tasks import process_inbound

    try:
        process_inbound.apply_async((business_id, keys), retry=False)
        return True
    except Exception as exc:
        log.warning("whatsapp: could not enqueue %s message(s) (%s); the sweep will retry", len(keys), exc)
        return False


# --- processing -----------------------------------------------------------------------------

def process_inbound(*, business_id: int, keys: list[str]) -> int:
    """Process the stored messages named by `keys`; each once. Returns how many were done.

    Statuses are applied as they come (skipping a row another worker holds). Messages are
    answered per conversation, oldest first (`answer_conversation`), so a customer who sends
    "2" then "yes" is answered in that order even when the two arrived in different webhooks,
    went to different workers, or were re-sent by the sweep after a worker died."""
    rows = (InboundMessage.objects.filter(business_id=business_id, wa_message_id__in=keys, processed_at__isnull=True)
            .order_by("pk").values_list("pk", "type", "wa_id"))
    done = 0
    conversations: dict[str, None] = {}  # wa_id, in order of their first message here
    for pk, kind, wa_id in rows:
        if kind == InboundMessage.STATUS:
            done += process_message(inbound_id=pk)
        else:
            conversations.setdefault(wa_id)
    for wa_id in conversations:
        done += answer_conversation(business_id=business_id, wa_id=wa_id)
    return done


def answer_conversation(*, business_id: int, wa_id: str) -> int:
    """Answer every message of the conversation still waiting, oldest first. Returns how many.

    Under load a conversation's messages queue up while an earlier one is answered; the first
    task to reach them answers them all, in batches of BATCH: one transaction holding the
    conversation lock (`queries.lock_conversation`, taken before any row lock), one SELECT of
    the waiting rows, the engine on each, their replies written together and sent by one outbox
    event, in order. When a message of the batch fails, the batch rolls back and its messages
    are answered one transaction each: those before the failing one are answered, it is counted
    for the sweep (dead letter after MAX_ATTEMPTS, so one bad message never blocks a customer
    for good), and those after it wait for its retry."""
    answered = 0
    while True:
        try:
            count = _answer_batch(business_id=business_id, wa_id=wa_id, limit=BATCH)
        except Exception:  # one message failed: find it, answering the others one by one
            log.info("whatsapp: a batch of business %s failed; answering its messages one by one", business_id)
            return answered + _answer_one_by_one(business_id=business_id, wa_id=wa_id, limit=BATCH)
        answered += count
        if count < BATCH:
            return answered


def _waiting(*, business_id: int, wa_id: str) -> QuerySet[InboundMessage]:
    """The conversation's messages still to answer, oldest first, locked (statuses go elsewhere),
    with their business and its number's settings in the same statement (`WhatsAppConfig.switched_on`)."""
    return (InboundMessage.objects.select_for_update(of=("self",))
            .filter(business_id=business_id, wa_id=wa_id, processed_at__isnull=True)
            .exclude(type=InboundMessage.STATUS).select_related("business", "business__whatsapp_config")
            .order_by("pk"))


def _answer_batch(*, business_id: int, wa_id: str, limit: int) -> int:
    # files the customers sent are fetched after their replies are sent (chat.media)
    with transaction.atomic(), media.downloads_after_replies():
        queries.lock_conversation(business_id=business_id, wa_id=wa_id)
        waiting = list(_waiting(business_id=business_id, wa_id=wa_id)[:limit])
        if not waiting:
            return 0
        business = waiting[0].business
        config = WhatsAppConfig.switched_on(business)
        replies: list[tuple[Customer, list[OutboundMessage]]] = []
        for inbound in waiting:
            inbound.business = business
            replies.append(_answer(inbound, config))
        _mark_answered(waiting)
        _queue_batch(business=business, replies=replies)
    return len(waiting)


def _mark_answered(waiting: list[InboundMessage]) -> None:
    """The batch's rows processed, with the customer each came from: one UPDATE when they are
    all from one customer and none has an error (a conversation's batch, nearly always), else
    one row each."""
    now = timezone.now()
    customers = {inbound.customer_id for inbound in waiting}
    if len(customers) == 1 and not any(inbound.error for inbound in waiting):
        InboundMessage.objects.filter(pk__in=[inbound.pk for inbound in waiting]).update(
            processed_at=now, customer_id=customers.pop())
        return
    for inbound in waiting:
        inbound.processed_at = now
    InboundMessage.objects.bulk_update(waiting, ["processed_at", "customer", "error"])


def _answer_one_by_one(*, business_id: int, wa_id: str, limit: int) -> int:
    answered = 0
    for _ in range(limit):
        inbound_id = None
        try:
            with transaction.atomic(), media.downloads_after_replies():
                queries.lock_conversation(business_id=business_id, wa_id=wa_id)
                inbound = _waiting(business_id=business_id, wa_id=wa_id).first()
                if inbound is None:
                    break
                inbound_id = inbound.pk
                config = WhatsAppConfig.switched_on(inbound.business)
                _queue_batch(business=inbound.business, replies=[_answer(inbound, config)])
                inbound.processed_at = timezone.now()
                inbound.save(update_fields=["processed_at", "customer", "error"])
        except Exception as exc:  # a bug or an outage: keep the row for the sweep, do not lose it
            if inbound_id is None:  # the database itself failed: the sweep sends them again
                log.warning("whatsapp: conversation of business %s not processed (%s)", business_id,
                            type(exc).__name__)
                break
            if not _record_failure(inbound_id, exc):
                break  # the ones after it wait for its retry
            continue  # given up (a dead letter): the conversation goes on
        answered += 1
    return answered


def process_message(*, inbound_id: int) -> bool:
    """Process one inbound row; True when this call did it. A status is applied under its row
    lock (a second worker skips it); a message is answered through its conversation, so the
    conversation's older messages go first."""
    row = (InboundMessage.objects.filter(pk=inbound_id, processed_at__isnull=True)
           .values_list("business_id", "type", "wa_id").first())
    if row is None:
        return False
    business_id, kind, wa_id = row
    if kind != InboundMessage.STATUS:
        return (answer_conversation(business_id=business_id, wa_id=wa_id) > 0
                and InboundMessage.objects.filter(pk=inbound_id, processed_at__isnull=False).exists())
    try:
        with transaction.atomic():
            inbound = (InboundMessage.objects.select_for_update(skip_locked=True, of=("self",))
                       .filter(pk=inbound_id, processed_at__isnull=True).select_related("business").first())
            if inbound is None:
                return False
            if not apply_status(business=inbound.business, status=inbound.payload):
                _count_attempt(inbound, "no outbound message with this id (yet)")
                return False
            inbound.processed_at = timezone.now()
            inbound.save(update_fields=["processed_at", "customer", "error"])
        return True
    except Exception as exc:  # a bug or an outage: keep the row for the sweep, do not lose it
        _record_failure(inbound_id, exc)
        return False


def _record_failure(inbound_id: int, exc: Exception) -> bool:
    """Count a failed attempt; True when it was the last (the message is given up)."""
    log.exception("whatsapp: processing inbound %s failed", inbound_id)
    InboundMessage.objects.filter(pk=inbound_id).update(attempts=F("attempts") + 1, error=repr(exc)[:2000])
    return _dead_letter_if_exhausted(inbound_id, exc)


def _dead_letter_if_exhausted(inbound_id: int, exc: Exception) -> bool:
    """A message that failed MAX_ATTEMPTS times is given up: marked processed (the sweep stops
    taking it) and kept as a dead letter with its payload and the error, for the back office."""
    with transaction.atomic():
        given_up = InboundMessage.objects.filter(pk=inbound_id, processed_at__isnull=True,
                                                 attempts__gte=MAX_ATTEMPTS).update(processed_at=timezone.now())
        if not given_up:
            return False
        row = InboundMessage.objects.only("business_id", "payload", "attempts").get(pk=inbound_id)
        _dead_letter([], f"processing failed {row.attempts} times: {type(exc).__name__}", _fragment(row.payload),
                     business_id=row.business_id)
    return True


def _count_attempt(inbound: InboundMessage, error: str) -> None:
    attempts = inbound.attempts + 1
    fields: dict[str, Any] = {"attempts": attempts, "error": error}
    if attempts >= MAX_ATTEMPTS:
        fields["processed_at"] = timezone.now()
    InboundMessage.objects.filter(pk=inbound.pk).update(**fields)


def _answer(inbound: InboundMessage, config: WhatsAppConfig | None) -> tuple[Customer, list[OutboundMessage]]:
    """Run the engine on one message (inside the caller's transaction): the customer and the
    replies to write (unsaved; none when the number is off, the message needs no answer, or
    the sender is not a valid number)."""
    from . import engine

    business = inbound.business
    if config is None or inbound.type in engine.IGNORED_TYPES:
        return Customer(), []
    config.business = business
    try:
        customer = upsert_customer(business=business, wa_id=inbound.wa_id, name=inbound.profile_name or None,
                                   inbound=True)
    except ValidationError:
        inbound.error = f"invalid sender {inbound.wa_id!r}"
        return Customer(), []
    inbound.customer = customer
    # A customer created by this very message is a first contact (one query fewer than asking).
    first_contact = customer.created_at >= inbound.received_at
    with privacy_logs.masking(inbound.profile_name, customer.name):
        replies = engine.respond(config=config, customer=customer, message=inbound.payload,
                                 first_contact=first_contact, inbound=inbound)
    return customer, _reply_rows(business=business, customer=customer, replies=replies, in_reply_to=inbound)


def _reply_rows(*, business: Business, customer: Customer, replies: Sequence["Reply"],
                in_reply_to: InboundMessage | None) -> list[OutboundMessage]:
    return [OutboundMessage(business=business, customer=customer, kind=_kind(r.body), body=r.body,
                            order_number=r.order_number, ticket_id=str(r.ticket_id or ""), in_reply_to=in_reply_to)
            for r in replies]


def _queue_batch(*, business: Business, replies: Sequence[tuple[Customer, list[OutboundMessage]]]) -> None:
    """Write a conversation batch's replies and one outbox event sending them in order."""
    rows = [row for _, rows in replies for row in rows]
    if not rows:
        return
    customer = next(customer for customer, rows in replies if rows)
    OutboundMessage.objects.bulk_create(rows)
    outbox.emit_event(business=business, event_type=REPLY_EVENT, channel=CHANNEL,
                      data={"messages": [m.pk for m in rows], "customer": {"wa_id": customer.wa_id}})


def queue_replies(*, business: Business, customer: Customer, replies: Sequence["Reply"],
                  in_reply_to: InboundMessage | None = None) -> list[OutboundMessage]:
    """Write the replies and one outbox event that sends them in order (retried, never lost)."""
    messages = _reply_rows(business=business, customer=customer, replies=replies, in_reply_to=in_reply_to)
    _queue_batch(business=business, replies=[(customer, messages)])
    return messages


def send_again(*, messages: QuerySet[OutboundMessage]) -> int:
    """Back office: queue failed messages again as new messages (e.g. once the customer wrote
    back and the 24-hour window is open again). Returns how many were queued."""
    from .engine import Reply

    count = 0
    with transaction.atomic():
        failed = messages.filter(status=OutboundMessage.Status.FAILED).select_related("business", "customer")
        by_customer: dict[Customer, list[OutboundMessage]] = {}
        for message in failed.order_by("pk"):
            by_customer.setdefault(message.customer, []).append(message)
        for customer, rows in by_customer.items():
            queue_replies(business=customer.business, customer=customer, replies=[
                Reply(m.body, order_number=m.order_number, ticket_id=m.ticket_id) for m in rows])
            count += len(rows)
    return count


def _kind(body: dict) -> str:
    from .messages import kind_of

    return kind_of(body)


# --- statuses -------------------------------------------------------------------------------

# Which states each reported status may replace: states only move forward.
STATUS_MAY_REPLACE = {
    OutboundMessage.Status.SENT: [OutboundMessage.Status.QUEUED],
    OutboundMessage.Status.DELIVERED: [OutboundMessage.Status.QUEUED, OutboundMessage.Status.SENT],
    OutboundMessage.Status.READ: [OutboundMessage.Status.QUEUED, OutboundMessage.Status.SENT,
                                  OutboundMessage.Status.DELIVERED],
    OutboundMessage.Status.FAILED: [OutboundMessage.Status.QUEUED, OutboundMessage.Status.SENT],
}


def apply_status(*, business: Business, status: dict[str, Any]) -> bool:
    """Apply one `statuses[]` item. False when its message is not known yet (retried later)."""
    if status.get("type") == "payment":
        refund = (status.get("payment") or {}).get("refund") or {}
        if refund.get("id"):  # a refund status of Meta's payments_refund
            from .whatsapp_pay import apply_refund_status

            apply_refund_status(business=business, refund_id=str(refund["id"]),
                                status=str(refund.get("status") or status.get("status") or "").lower())
            return True
        parsed = parse_payment_status(status)
        if parsed["status"] == "captured":
            # Meta's rule: never fulfil on the webhook alone; the lookup API confirms it first,
            # in a task once this is stored (no lock held over the call)
            business_id, reference, txn = business.pk, parsed["reference_id"], parsed["transaction_id"]
            transaction.on_commit(lambda: _confirm_later(business_id, reference, txn))
            return True
        handle_payment_status(business=business, **parsed)
        return True
    new = status.get("status")
    if new not in STATUS_MAY_REPLACE:
        return True  # e.g. "deleted", "warning": nothing to record
    messages = OutboundMessage.objects.filter(business=business, wa_message_id=status["id"])
    if not messages.exists():
        return False
    changes: dict[str, Any] = {"status": new, "status_at": timezone.now()}
    errors = status.get("errors") or []
    if new == OutboundMessage.Status.FAILED and errors:
        error = errors[0] if isinstance(errors[0], dict) else {}
        details = (error.get("error_data") or {}).get("details", "")
        changes["error_code"] = error.get("code") if isinstance(error.get("code"), int) else None
        changes["error_title"] = " - ".join(x for x in (error.get("title") or error.get("message"), details) if x)[:500]
    messages.filter(status__in=STATUS_MAY_REPLACE[new]).update(**changes)
    return True


def _confirm_later(business_id: int, reference_id: str, transaction_id: str) -> None:
    from .tasks import confirm_whatsapp_payment

    confirm_whatsapp_payment.delay(business_id, reference_id, transaction_id)


class PaymentStatus(TypedDict):
    """A WhatsApp Pay result, as `handle_payment_status` takes it."""

    reference_id: str
    status: str  # captured, pending or failed
    transaction_id: str
    error: Any  # Meta's error object as sent, on a failure; else None


def parse_payment_status(status: dict[str, Any]) -> PaymentStatus:
    """A `type: payment` status -> {reference_id, status: captured|pending|failed, transaction_id, error}.

    Meta reports `captured`, or `pending` with `transaction.status` success/failed; some
    providers send a top-level `failed`. A pending status whose transaction failed is a failure.
    """
    payment = status.get("payment") or {}
    transaction_ = payment.get("transaction") or {}
    top = str(status.get("status") or "").lower()
    txn_status = str(transaction_.get("status") or "").lower()
    if top == "failed" or txn_status == "failed":
        result = "failed"
    elif top == "captured" and txn_status in ("", "success"):
        result = "captured"
    else:
        result = "pending"
    error = transaction_.get("error") or status.get("error") or None
    if result == "failed" and not error:
        error = {"code": "", "reason": "failed"}
    return {
        "reference_id": str(payment.get("reference_id") or ""),
        "status": result,
        "transaction_id": str(transaction_.get("pg_transaction_id") or transaction_.get("id") or ""),
        "error": error if result == "failed" else None,
    }


def handle_payment_status(*, business: Business, reference_id: str, status: str, transaction_id: str,
                          error: Any) -> Payment | None:
    """Hand a WhatsApp Payments result to the payments app, which settles the payment once."""
    return payment_services.handle_whatsapp_payment_status(business=business, reference_id=reference_id,
                                                           status=status, transaction_id=transaction_id, error=error)


# --- sweep ----------------------------------------------------------------------------------

def sweep_inbound(*, grace_seconds: float = 60, limit: int = 1000) -> int:
    """Re-enqueue stored messages still unprocessed after `grace_seconds` (lost tasks, early statuses)."""
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    rows = list(InboundMessage.objects.filter(processed_at__isnull=True, received_at__lt=cutoff,
                                              attempts__lt=MAX_ATTEMPTS)
                .order_by("pk").values_list("business_id", "wa_message_id")[:limit])
    by_business: dict[int, list[str]] = {}
    for business_id, key in rows:
        by_business.setdefault(business_id, []).append(key)
    for business_id, keys in by_business.items():
        enqueue_processing(business_id, keys)
    return len(rows)
