"""The transactional outbox: notifications are rows written with the change that causes them,
and delivered by Celery after commit through their channel (the business's signed webhook,
e-mail to staff, or a channel another app registers: see `shopchat.channels`).

Nothing is lost: if the broker is down at commit time the row stays pending and the beat
sweep re-queues it; a delivery claims its row with a short lease (a conditional UPDATE, so two
workers never post the same event at once, and no lock is held during the HTTP call); failures
back off exponentially with jitter for up to a day, then the event is marked failed.
"""
import hashlib
import hmac
import json
import logging
import os
import queue
import random
import smtplib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from . import channels, outbound, queries
from .languages import ENGLISH, STAFF_LANGUAGES, staff_language
from .models import OutboxEvent

log = logging.getLogger(__name__)


def customer_ref(customer) -> dict | None:
    """The customer as every customer-facing event carries it (`data["customer"]`): the chat
    adapter messages whoever this names."""
    return {"wa_id": customer.wa_id, "name": customer.name} if customer is not None else None


@dataclass(frozen=True)
class Event:
    """One notification to record: its type, its data and the channel it goes out on."""

    event_type: str
    data: dict
    channel: str = OutboxEvent.Channel.WEBHOOK


def emit_events(*, business, events: list[Event]) -> list[OutboxEvent]:
    """Record `events` for `business`; they are delivered once the caller's transaction commits.

    Call it inside the service's transaction so the events exist if and only if the change
    does. Within a unit of work (`shopchat.uow`) the events join the change's other writes and
    are written with them; otherwise they are written now, in one INSERT. Returns the event
    rows written now (none when a unit of work writes them later).
    """
    from .uow import current_unit, unit_of_work

    unit = current_unit()
    if unit is not None:
        with unit_of_work(business=business) as unit:  # checks it is the unit's business
            unit.emit(*events)
        return []
    with transaction.atomic(savepoint=False), unit_of_work(business=business) as unit:
        unit.emit(*events)
        return unit.flush()


def event_rows(*, business, events: list[Event]) -> list[OutboxEvent]:
    """The outbox rows (unsaved) recording `events`: a webhook event also gets a copy on each
    registered channel whose rule asks for it (`shopchat.channels.copies_of`)."""
    now = timezone.now()
    rows = []
    for event in events:
        payload = json.loads(json.dumps(event.data, cls=DjangoJSONEncoder))
        names = [event.channel]
        if event.channel == OutboxEvent.Channel.WEBHOOK:
            names += channels.copies_of(business, event.event_type, payload)
        for channel in names:
            rows.append(OutboxEvent(business=business, channel=channel, event_type=event.event_type,
                                    payload=payload, next_attempt_at=now))
    return rows


def deliver_after_commit(rows: list[OutboxEvent]) -> None:
    """Hand the written event rows to Celery once the transaction commits (in one message)."""
    for row in rows:
        _deliver_after_commit(row.pk)


def emit_event(*, business, event_type: str, data: dict,
               channel: str = OutboxEvent.Channel.WEBHOOK) -> OutboxEvent | None:
    """Record one event (see `emit_events`); returns its row on `channel` (None when a unit of
    work writes it with the rest of the change)."""
    rows = emit_events(business=business, events=[Event(event_type, data, channel)])
    return rows[0] if rows else None


def staff_email(*, subject: str, body: str | list, roles=("owner", "manager"), params: dict | None = None,
                recipients: list[str] | None = None, fallback: str | None = None) -> Event:
    """An e-mail to the business's staff in `roles` (or to `recipients`), to record with `emit_events`.

    The recipients are looked up when the mail is sent, not in the caller's transaction: the
    staff as they are then, and one query less on every order placed.

    With `params`, `subject` and `body` are English messages of the catalogs (marked with
    gettext_noop where they are written) with %(name)s placeholders, and each recipient reads
    them in their own back-office language (`recipient_languages`), filled with `params`; a
    param {"money": [minor, currency]} is an amount, shown in that language's locale, and
    {"text": "High"} a message of the catalogs, translated too. A body of several paragraphs
    is a list: each item a message with its own params ({"text": msgid, "params": {...}}) or
    the merchant's or customer's own words, never translated ({"raw": "..."}); the items are
    joined by line breaks. The payload keeps the English text as well (the record, and what
    English readers get). `fallback` is the language of a reader who never chose one (the
    business's by default; platform staff are not the business's: English).
    """
    data: dict = {"subject": subject, "body": body, "roles": list(roles)}
    if recipients is not None:
        data["recipients"] = list(recipients)
    if fallback is not None:
        data["fallback"] = fallback
    if params is not None:
        data["i18n"] = {"subject": subject, "body": body, "params": params}
        data["subject"], data["body"] = render_staff_email(data["i18n"], ENGLISH)
    return Event("staff.email", data, OutboxEvent.Channel.EMAIL)


def notify_staff(*, business, subject: str, body: str | list, roles=("owner", "manager"),
                 params: dict | None = None, fallback: str | None = None) -> OutboxEvent | None:
    """E-mail the business's staff in `roles`, through the outbox (so it is never lost)."""
    rows = emit_events(business=business, events=[staff_email(subject=subject, body=body, roles=roles,
                                                              params=params, fallback=fallback)])
    return rows[0] if rows else None


def english(message) -> str:
    """A lazy message's English text (its msgid), for a translatable staff e-mail's {"text": ...} param."""
    with translation.override(ENGLISH):
        return str(message)


def render_staff_email(i18n: dict, language: str) -> tuple[str, str]:
    """(subject, body) of a translatable staff e-mail in `language`."""
    with translation.override(language):
        params = i18n.get("params") or {}
        body = i18n["body"]
        if isinstance(body, list):
            text = "\n".join(item["raw"] if "raw" in item else _fill(item["text"], item.get("params") or params,
                                                                       language) for item in body)
        else:
            text = _fill(body, params, language)
        return _fill(i18n["subject"], params, language), text


def _fill(message: str, params: dict, language: str) -> str:
    """A catalog message in the active language, its params filled in for a reader of `language`."""
    from .money import display, label

    values = {}
    for name, value in params.items():
        if isinstance(value, dict) and "money" in value:
            minor, currency = value["money"]
            value = display(minor, currency) if language == ENGLISH else label(minor, currency)
        elif isinstance(value, dict) and "text" in value:  # a message of the catalogs, e.g. a choice's label
            value = translation.gettext(value["text"])
        values[name] = value
    return translation.gettext(message) % values if values else translation.gettext(message)


def recipient_languages(business, emails, fallback: str | None = None) -> dict[str, list[str]]:
    """The recipients grouped by the language they read: their saved back-office language, else
    `fallback` (by default the business's language when the back office speaks it, else English)."""
    from django.contrib.auth import get_user_model

    fallback = staff_language(fallback or getattr(business, "language", None))
    saved = {}
    for email, language in get_user_model().objects.filter(email__in=emails).values_list(
            "email", "staff_preference__language"):
        if language in STAFF_LANGUAGES:
            saved[email] = language
    groups: dict[str, list[str]] = {}
    for email in emails:
        groups.setdefault(saved.get(email, fallback), []).append(email)
    return groups


def staff_emails(business, roles) -> list[str]:
    return sorted(set(
        business.memberships.filter(role__in=roles, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    ))


class _DeliveryBatch:
    """The events one transaction wrote, handed to Celery in one message after it commits."""

    def __init__(self, event_id):
        self.event_ids = [event_id]

    def __call__(self):
        here = _delivered_here.get()
        if here is not None:
            here.extend(self.event_ids)
        elif settings.OUTBOX_PUBLISH_IN_BACKGROUND:
            publisher.submit(self.event_ids)
        else:
            enqueue_delivery(*self.event_ids)


class Publisher:
    """Hands committed events to Celery from a background thread of the process.

    A request never waits on the broker, and the events that requests commit within
    OUTBOX_PUBLISH_LINGER_MS of each other go to Celery in one message: handing a message to
    Celery costs about half a millisecond of CPU, as much as a few SQL statements, so a busy
    process pays it once per batch rather than once per request. Events still queued here when
    the process dies are committed rows all the same: the sweep delivers them (a delay, never
    a loss).
    """

    MAX_BATCH = 500

    def __init__(self):
        self._lock = threading.Lock()
        self._queue = None
        self._pid = None

    def submit(self, event_ids) -> None:
        if self._pid != os.getpid():  # first use in this process, or in a child after a fork
            with self._lock:
                if self._pid != os.getpid():
                    self._queue = queue.SimpleQueue()
                    threading.Thread(target=self._run, args=(self._queue,), name="outbox-publisher",
                                     daemon=True).start()
                    self._pid = os.getpid()
        self._queue.put(list(event_ids))

    def _run(self, pending) -> None:
        while True:
            event_ids = pending.get()
            deadline = time.monotonic() + settings.OUTBOX_PUBLISH_LINGER_MS / 1000
            while len(event_ids) < self.MAX_BATCH:
                try:
                    event_ids += pending.get(timeout=max(deadline - time.monotonic(), 0))
                except queue.Empty:
                    break
            try:
                enqueue_delivery(*event_ids)
            except Exception:  # never let the thread die; the sweep covers what was not sent
                log.exception("outbox: publishing %s events failed", len(event_ids))


publisher = Publisher()
_delivered_here: ContextVar[list | None] = ContextVar("outbox_delivered_here", default=None)


@contextmanager
def delivered_here() -> Iterator[None]:
    """Deliver the events committed inside the block from this process when it ends, instead of
    handing each to Celery for another task to send.

    For a worker task whose events are its whole point (a chat message's replies): the send
    happens in the same worker either way, and skipping the second task saves its broker round
    trip and its dispatch. Each delivery claims its row with the usual lease, outside any
    transaction. A block that raises hands what it committed to Celery; a process that dies
    leaves them pending for the sweep (a delay, never a loss)."""
    collected: list = []
    token = _delivered_here.set(collected)
    try:
        yield
    except BaseException:
        _delivered_here.reset(token)
        enqueue_delivery(*collected)
        raise
    _delivered_here.reset(token)
    for event_id in collected:
        try:
            deliver(event_id)
        except Exception:  # a bug or an outage: the event stays pending, the sweep retries it
            log.exception("outbox: delivering %s failed", event_id)


def _deliver_after_commit(event_id) -> None:
    # Join the batch of an enclosing block: if this savepoint rolls back, the batch names an
    # event that no longer exists, which delivery skips.
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        savepoints = set(connection.savepoint_ids)
        for hook_savepoints, hook, _ in reversed(connection.run_on_commit):
            if isinstance(hook, _DeliveryBatch) and hook_savepoints <= savepoints:
                hook.event_ids.append(event_id)
                return
    transaction.on_commit(_DeliveryBatch(event_id))


def enqueue_delivery(*event_ids, countdown: float = 0) -> bool:
    """Hand events to Celery in one message. A broker outage is logged, not raised: the sweep
    retries."""
    from .tasks import deliver_event, deliver_events

    if not event_ids:
        return True
    try:
        if len(event_ids) == 1:
            deliver_event.apply_async((str(event_ids[0]),), countdown=countdown, retry=False)
        else:
            deliver_events.apply_async(([str(i) for i in event_ids],), countdown=countdown, retry=False)
        return True
    except Exception as exc:  # broker unreachable: the rows stay pending for the sweep
        log.warning("outbox: could not enqueue %s (%s); the sweep will retry", ", ".join(map(str, event_ids)), exc)
        return False


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, body: bytes, header: str, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does: check the HMAC and that the timestamp is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split(",", 1)[1][3:]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def event_body(event: OutboxEvent) -> bytes:
    return json.dumps(
        {
            "id": str(event.pk),
            "type": event.event_type,
            "created": event.created_at.isoformat(),
            "business": event.business.slug,
            "data": event.payload,
        },
        separators=(",", ":"),
        cls=DjangoJSONEncoder,
    ).encode()


def backoff_seconds(attempts: int) -> float:
    base = settings.OUTBOX_BASE_BACKOFF_SECONDS * (2 ** max(attempts - 1, 0))
    return min(settings.OUTBOX_MAX_BACKOFF_SECONDS, base) * random.uniform(0.5, 1.5)


def claim(event_id) -> OutboxEvent | None:
    """Take a short lease on a due, pending event; None if another delivery holds it."""
    now = timezone.now()
    return queries.lease_outbox_event(event_id=event_id, now=now,
                                      until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS))


class DeliveryFailed(Exception):
    """A channel could not deliver. `retry=False` for errors a retry cannot fix."""

    def __init__(self, message: str, retry: bool = True):
        super().__init__(message)
        self.retry = retry


class NothingToDeliver(Exception):
    """The channel has no destination configured (e.g. no webhook URL)."""


def post_webhook(event: OutboxEvent) -> None:
    """Channel `webhook`: POST the signed event to the business's webhook URL."""
    business = event.business
    if not business.webhook_url:
        raise NothingToDeliver()
    body = event_body(event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "shopchat-webhooks/1",
        "X-Shopchat-Event-Id": str(event.pk),
        "X-Shopchat-Event-Type": event.event_type,
        "X-Shopchat-Signature": sign(business.webhook_secret, body, int(time.time())),
    }
    try:
        # Through the outbound guard: the merchant chose this address (no private targets, no
        # redirects followed, checked again at connect time).
        response = outbound.post(business.webhook_url, content=body, headers=headers,
                                 timeout=settings.OUTBOX_TIMEOUT_SECONDS)
    except outbound.OutboundRefused as exc:
        raise DeliveryFailed(f"refused: {exc.message}"[:500], retry=False) from None
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}"[:500]) from None
    if not 200 <= response.status_code < 300:
        # 4xx other than 408/429 will not get better by itself, but the receiver may be
        # misconfigured for a while: keep retrying within the day like any other failure.
        # The status and its reason only: the answer's body is the receiver's, never shown.
        raise DeliveryFailed(outbound.short_reason(response))


def send_email(event: OutboxEvent) -> None:
    """Channel `email`: send through Django's e-mail backend (EMAIL_URL)."""
    data = event.payload
    recipients = data.get("recipients")
    if recipients is None:  # staff mail: whoever holds the roles now, kept on the row for the record
        recipients = staff_emails(event.business, data.get("roles") or ())
        event.payload = {**data, "recipients": recipients}
        OutboxEvent.objects.filter(pk=event.pk).update(payload=event.payload)
    if not recipients:
        raise NothingToDeliver()
    if data.get("i18n"):
        # One mail per language: each recipient reads it in theirs. (A retry after a failure
        # part-way sends again to the languages already sent: a duplicate, never a loss.)
        mails = [(*(render_staff_email(data["i18n"], language) if language != ENGLISH
                    else (data["subject"], data["body"])), group)
                 for language, group in sorted(recipient_languages(event.business, recipients,
                                                                  data.get("fallback")).items())]
    else:
        mails = [(data["subject"], data["body"], recipients)]
    try:
        for subject, body, group in mails:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, group)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}"[:500]) from None


def deliver(event_id) -> str:
    """Deliver one event (idempotent: a delivered or leased event is left alone).

    An event on a channel no installed app serves raises `channels.UnknownChannel` and stays
    pending: the sweep tries it again once its lease ends."""
    event = claim(event_id)
    if event is None:
        return "skipped"
    try:
        channels.get(event.channel).deliver(event)
    except NothingToDeliver:
        OutboxEvent.objects.filter(pk=event.pk).update(status=OutboxEvent.Status.SKIPPED, locked_until=None)
        return OutboxEvent.Status.SKIPPED
    except DeliveryFailed as exc:
        return _record_failure(event, str(exc), retry=exc.retry)
    OutboxEvent.objects.filter(pk=event.pk).update(
        status=OutboxEvent.Status.DELIVERED, delivered_at=timezone.now(), attempts=event.attempts + 1,
        locked_until=None, last_error="",
    )
    return OutboxEvent.Status.DELIVERED


def _record_failure(event: OutboxEvent, error: str, retry: bool = True) -> str:
    attempts = event.attempts + 1
    now = timezone.now()
    if not retry or (now - event.created_at).total_seconds() >= settings.OUTBOX_GIVE_UP_AFTER_SECONDS:
        OutboxEvent.objects.filter(pk=event.pk).update(
            status=OutboxEvent.Status.FAILED, attempts=attempts, last_error=error, locked_until=None
        )
        log.error("outbox: giving up on %s after %s attempts: %s", event.pk, attempts, error)
        return OutboxEvent.Status.FAILED
    delay = backoff_seconds(attempts)
    OutboxEvent.objects.filter(pk=event.pk).update(
        attempts=attempts, last_error=error, locked_until=None, next_attempt_at=now + timedelta(seconds=delay)
    )
    enqueue_delivery(event.pk, countdown=delay)
    return "retrying"


def sweep(limit: int = 500, grace_seconds: float = 30) -> int:
    """Re-queue pending events overdue by `grace_seconds` and not leased (missed enqueues,
    lost tasks). The grace leaves fresh events to the enqueue made at commit."""
    now = timezone.now()
    due = list(
        OutboxEvent.objects.filter(
            status=OutboxEvent.Status.PENDING, next_attempt_at__lte=now - timedelta(seconds=grace_seconds)
        )
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for start in range(0, len(due), 100):
        enqueue_delivery(*due[start:start + 100])
    return len(due)


def resend(*, events) -> int:
    """Admin action: put delivered, failed or skipped events back in the queue."""
    ids = [e.pk for e in events]
    with transaction.atomic():
        count = OutboxEvent.objects.filter(pk__in=ids).update(
            status=OutboxEvent.Status.PENDING, next_attempt_at=timezone.now(), locked_until=None
        )
        transaction.on_commit(lambda: enqueue_delivery(*ids))
    return count
