"""The outbox channel `whatsapp`: sends messages through the Cloud API.

`send_message(event)` is called by the outbox with one OutboxEvent: either the engine's
replies (`whatsapp.reply`, the ids of queued OutboundMessages, sent in order) or an order,
payment or ticket event, which is first turned into one OutboundMessage (once per event).

Each message is checked against the format limits, then POSTed to
`{base_url}/{api_version}/{phone_number_id}/messages` with the business's bearer token.
Every send first takes its turn on the number's and the recipient's throughput (`chat.pacing`,
shared by every worker through Redis). 5xx, 429, throughput and transient errors raise
`DeliveryFailed(retry=True)`: the outbox backs off and sends again, skipping what already went
out; a throughput error (130429, 131056) also pauses that number or pair for every worker.
The HTTP client is one pooled keep-alive client per process. Content errors (other 4xx) are
recorded on the message and never retried. Outside the 24-hour customer-service window only
an approved template is sent: the event's own template with the event's values when the number
has one for it (`chat.message_templates`), else the number's parameterless template; without
one, the message fails as 131047 would.
"""
import logging
from datetime import timedelta

import httpx
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from shopchat import consent, outbound
from shopchat.languages import Speech
from shopchat.outbox import DeliveryFailed, NothingToDeliver

from . import messages as wa
from . import pacing, queries
from .models import OutboundMessage, WhatsAppConfig

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
RE_ENGAGEMENT = 131047
# Throughput and transient errors Meta documents as "try again later".
RETRYABLE_CODES = {4, 80007, 130429, 131000, 131016, 131048, 131056, 133004}

_client = None


def client() -> httpx.Client:
    """One pooled HTTP client per process (created after the worker forks)."""
    global _client
    if _client is None:
        # Through the outbound guard: the base URL is the merchant's choice (a Solution Provider's).
        _client = outbound.client(timeout=settings.OUTBOX_TIMEOUT_SECONDS,
                                  limits=httpx.Limits(max_connections=50, max_keepalive_connections=20))
    return _client


class PermanentFailure(Exception):
    """Recorded on the message; a retry cannot fix it."""


def send_message(event) -> None:
    """Outbox channel handler (registered in `chat.apps`)."""
    from .notifications import REPLY_EVENT, render

    if event.event_type == REPLY_EVENT:  # the replies, with the number's settings in the same read
        messages = list(OutboundMessage.objects.filter(pk__in=list(event.payload.get("messages") or []),
                                                       business_id=event.business_id)
                        .select_related("customer", "business__whatsapp_config").order_by("pk"))
        config = WhatsAppConfig.switched_on(messages[0].business) if messages else None
        if config is None:
            raise NothingToDeliver()
    else:
        config = WhatsAppConfig.objects.filter(business_id=event.business_id, enabled=True).first()
        if config is None:
            raise NothingToDeliver()
        message = render(event, config)
        if message is None:
            raise NothingToDeliver()
        messages = list(OutboundMessage.objects.filter(pk=message.pk).select_related("customer"))
    failures = []
    for message in messages:
        if message.status != OutboundMessage.Status.QUEUED:
            continue  # sent by an earlier attempt of this event
        try:
            send_one(message, config, event=None if event.event_type == REPLY_EVENT else event)
        except PermanentFailure as exc:
            failures.append(f"message {message.pk}: {exc}")
    if failures:
        raise DeliveryFailed("; ".join(failures)[:2000], retry=False)


def within_window(customer, now=None) -> bool:
    last = customer.last_inbound_at
    return last is not None and (now or timezone.now()) - last < WINDOW


def may_use_template(config: WhatsAppConfig, customer) -> bool:
    """Whether the number's template may go to `customer`: a marketing template only with the
    customer's opt-in (shopchat.consent); a utility template always."""
    return (config.template_category != WhatsAppConfig.TemplateCategory.MARKETING
            or consent.may_send_marketing(customer))


def send_one(message: OutboundMessage, config: WhatsAppConfig, event=None) -> None:
    """Send one queued message; raises DeliveryFailed (retry) or PermanentFailure (recorded).
    `event`: the outbox event the message tells (an order, payment or ticket event), whose
    template goes outside the window when the number has one for it."""
    body = message.body
    if message.kind != "template" and not within_window(message.customer):
        body, note = _template_instead(message, config, event)
        OutboundMessage.objects.filter(pk=message.pk).update(kind="template", body=body, note=note[:300])
        message.kind, message.body = "template", body
    try:
        wa.validate(body)
    except wa.InvalidMessage as exc:
        _fail(message, None, f"Not sent, breaks WhatsApp's format limits: {exc}", attempted=False)
    request = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": message.customer.wa_id, **body}
    try:  # the number's and the recipient's turn, shared by every worker (see chat.pacing)
        pacing.take_turn(phone_number_id=config.phone_number_id, wa_id=message.customer.wa_id,
                         rate=config.messages_per_second)
    except pacing.Later as exc:
        raise DeliveryFailed(f"message {message.pk}: {exc}", retry=True) from None
    try:
        response = client().post(config.messages_url, json=request,
                                 headers={"Authorization": f"Bearer {config.access_token}"},
                                 timeout=settings.OUTBOX_TIMEOUT_SECONDS)
    except outbound.OutboundRefused as exc:
        _fail(message, None, f"Not sent, address refused: {exc.message}", attempted=False)
    except httpx.HTTPError as exc:
        _retry(message, None, f"{type(exc).__name__}: {exc}")
    data = _json(response)
    if 200 <= response.status_code < 300:
        wa_id = ((data.get("messages") or [{}])[0] or {}).get("id", "")
        # sent, unless a status webhook has overtaken this response
        queries.record_sent(message_id=message.pk, wa_message_id=str(wa_id), now=timezone.now())
        return
    error = data.get("error")
    error = error if isinstance(error, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    details = (error.get("error_data") or {}).get("details", "") if isinstance(error.get("error_data"), dict) else ""
    title = " - ".join(x for x in (error.get("message") or f"HTTP {response.status_code}", details) if x)
    if response.status_code >= 500 or response.status_code == 429 or code in RETRYABLE_CODES:
        pacing.back_off(phone_number_id=config.phone_number_id, wa_id=message.customer.wa_id, code=code)
        _retry(message, code, title)
    _fail(message, code, title)


def _template_instead(message: OutboundMessage, config: WhatsAppConfig, event) -> tuple[dict, str]:
    """Outside the window: the event's own template with its values (`chat.message_templates`),
    else the number's parameterless template of the customer's chat language, else the default
    one; a marketing template only to a customer who opted in. Fails the message (recorded on
    it and on the outbox event, never retried) when none may go."""
    from .message_templates import for_event

    filled = for_event(config=config, event=event, customer=message.customer) if event is not None else None
    if filled is not None:
        template = filled.template
        if template.category == template.Category.MARKETING and not consent.may_send_marketing(message.customer):
            _fail(message, None, f"Outside the 24-hour customer-service window, and the template {template.name} "
                                 f"({template.language}) of {event.event_type} is a marketing template the customer "
                                 "has not opted in to.", attempted=False)
        return filled.body, (f"Outside the 24-hour window: sent template {template.name} ({template.language}) "
                             f"of {event.event_type} instead of the {message.kind}.")
    # the template of the customer's chat language, else the default one
    name, language = config.template_for(Speech.of(message.customer, config.business).language)
    if not name:
        _fail(message, RE_ENGAGEMENT, "Outside the 24-hour customer-service window and no approved template "
                                      "is configured.", attempted=False)
    if not may_use_template(config, message.customer):
        _fail(message, None, "Outside the 24-hour customer-service window, and the approved template is a "
                             "marketing template the customer has not opted in to.", attempted=False)
    note = f"Outside the 24-hour window: sent template {name} instead of the {message.kind}."
    return wa.template(name, language), note


def _json(response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _retry(message, code, title):
    OutboundMessage.objects.filter(pk=message.pk).update(error_code=code, error_title=title[:500],
                                                         attempts=F("attempts") + 1)
    raise DeliveryFailed(f"message {message.pk}: {title}"[:500], retry=True)


def _fail(message, code, title, attempted: bool = True):
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundMessage.Status.FAILED, status_at=timezone.now(), error_code=code, error_title=title[:500],
        attempts=F("attempts") + (1 if attempted else 0))
    log.warning("whatsapp: message %s failed (%s %s)", message.pk, code, title)
    raise PermanentFailure(f"{code or ''} {title}".strip())
