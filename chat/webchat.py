"""The web-chat channel: the same conversation engine and services as WhatsApp, for a customer
chatting in the browser (the shop page's chat, and the merchant's "Try your shop").

- A visitor is a chat customer whose `wa_id` is in the range ITU reserves and never assigns
  (country code 999), so every rule knows the channel from the id: the WhatsApp channel never
  sends to such a customer, this one serves only them. The visitor's browser holds a random
  token; only its hash is stored.
- `converse` takes one message in WhatsApp's shape (a text, a tapped button or list row),
  runs the engine with a settings object of this channel (no Meta catalog, no WhatsApp
  Payments: the engine answers with lists, buttons and card links), and stores the message
  and the replies in one transaction under the visitor's row lock (a visitor's messages are
  answered in order). Stored is delivered: the page fetches what is new.
- `agent_message` is an agent's free-form message from the back office (the inbox, the
  customer page): written as an outgoing message under the same row lock, shown by the
  visitor's page on its next poll, or when they come back. No 24-hour window here: that is a
  WhatsApp rule, and the browser chat has no such limit.
- Order, payment and ticket events reach the visitor through the outbox: a copy on the
  `webchat` channel (`goes_to_web_chat`), which `deliver` turns into one message (once per
  event), in the words the WhatsApp channel uses (`notifications.describe`).
"""
import hashlib
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopchat.models import Business, Customer
from shopchat.outbox import NothingToDeliver

from . import messages as wa
from .errors import ChatErrorCode, NotDeliverable
from .models import WebChatMessage, WebChatVisitor
from .notifications import CHAT_EVENTS, WEB_CHAT_PREFIX, describe

CHANNEL = "webchat"
WA_PREFIX = WEB_CHAT_PREFIX  # ITU-T E.164 country code 999: reserved, never assigned
MAX_TEXT = 1000
MAX_MESSAGES = 200


@dataclass
class WebChatSettings:
    """What the engine reads of a channel's settings (`WhatsAppConfig` on WhatsApp)."""

    business: Business
    catalog_id: str = ""
    payment_configuration: str = ""


def is_web_customer(wa_id: str) -> bool:
    return str(wa_id or "").startswith(WA_PREFIX)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_visitor(*, business: Business, is_test: bool = False) -> tuple[WebChatVisitor, str]:
    """A new browser-chat customer of `business` and the token its browser keeps (shown once)."""
    for _attempt in range(5):
        token = secrets.token_urlsafe(32)
        wa_id = WA_PREFIX + "".join(secrets.choice("0123456789") for _digit in range(12))
        try:
            with transaction.atomic():
                customer = Customer.objects.create(business=business, wa_id=wa_id, is_test=is_test)
                visitor = WebChatVisitor.objects.create(business=business, customer=customer,
                                                        token_hash=token_hash(token), is_test=is_test)
            return visitor, token
        except IntegrityError:  # the same random id twice: draw again
            continue
    raise RuntimeError("could not draw a free browser-chat id")


def visitor_for(*, business: Business, token: str) -> WebChatVisitor | None:
    if not token:
        return None
    return (WebChatVisitor.objects.select_related("customer")
            .filter(business=business, token_hash=token_hash(token)).first())


def inbound_text(text: str) -> dict:
    return {"type": "text", "text": {"body": text[:MAX_TEXT]}}


def inbound_reply(reply_id: str, title: str, *, from_list: bool) -> dict:
    kind = "list_reply" if from_list else "button_reply"
    return {"type": "interactive", "interactive": {"type": kind, kind: {"id": reply_id[:256], "title": title[:72]}}}


def converse(*, visitor: WebChatVisitor, message: dict) -> list[WebChatMessage]:
    """Store the visitor's message, run the engine and store its replies, in one transaction.

    Locks the visitor's row first (its messages are answered one at a time, in order); the
    services the engine calls take their own locks after it (orders, wallets, ledger, stock).
    Returns the stored messages, the visitor's first."""
    from . import engine

    with transaction.atomic():
        locked = WebChatVisitor.objects.select_for_update().select_related("customer", "business").get(pk=visitor.pk)
        customer, business = locked.customer, locked.business
        first_contact = not WebChatMessage.objects.filter(customer=customer, direction=WebChatMessage.Direction.IN
                                                          ).exists()
        Customer.objects.filter(pk=customer.pk).update(last_inbound_at=timezone.now())
        stored = [WebChatMessage(business=business, customer=customer, direction=WebChatMessage.Direction.IN,
                                 kind=str(message.get("type") or "text"), body=message)]
        replies = engine.respond(config=WebChatSettings(business=business), customer=customer, message=message,
                                 first_contact=first_contact)
        stored += [WebChatMessage(business=business, customer=customer, direction=WebChatMessage.Direction.OUT,
                                  kind=wa.kind_of(r.body), body=r.body, order_number=r.order_number[:20])
                   for r in replies]
        return WebChatMessage.objects.bulk_create(stored)


def agent_message(*, customer: Customer, text: str) -> WebChatMessage:
    """Store an agent's free-form `text` as an outgoing message of `customer`'s browser chat, in
    one transaction under the visitor's row lock (so it never lands in the middle of an answer
    the engine is writing). No WhatsApp call and no 24-hour window: the web chat has none. A
    visitor who closed the page still gets it: it is stored, and shown when they come back.
    `NotDeliverable` when the chat no longer exists (the customer was erased) or `text` is empty."""
    text = (text or "").strip()
    if not text:
        raise NotDeliverable(ChatErrorCode.EMPTY, _("Write the message first."))
    with transaction.atomic():
        visitor = (WebChatVisitor.objects.select_for_update().select_related("customer")
                   .filter(customer_id=customer.pk, business_id=customer.business_id).first())
        if visitor is None or visitor.customer.erased_at is not None:
            raise NotDeliverable(ChatErrorCode.NO_CHANNEL, _(
                "This browser chat no longer exists (its customer was erased): the message would reach no one."))
        body = wa.text(wa.clip(text, wa.MAX_TEXT))
        return WebChatMessage.objects.create(business_id=customer.business_id, customer_id=customer.pk,
                                             direction=WebChatMessage.Direction.OUT, kind=wa.kind_of(body), body=body)


def messages_after(*, visitor: WebChatVisitor, after: int = 0, limit: int = MAX_MESSAGES) -> list[WebChatMessage]:
    """The visitor's messages newer than the message id `after`, oldest first."""
    return list(WebChatMessage.objects.filter(customer_id=visitor.customer_id, id__gt=after).order_by("id")[:limit])


# --- the outbox channel --------------------------------------------------------------------

def reaches(business: Business, customer: Customer | None) -> bool:
    """A browser-chat customer is reached in their chat (stored, shown when they come back)."""
    return customer is not None and is_web_customer(customer.wa_id) and customer.erased_at is None


def goes_to_web_chat(business: Business, event_type: str, data: dict) -> bool:
    """Copy rule: a customer-facing event of a browser-chat customer (known by the id alone)."""
    return event_type in CHAT_EVENTS and is_web_customer((data.get("customer") or {}).get("wa_id", ""))


def deliver(event) -> None:
    """Turn one event into the visitor's message (once per event; a second delivery finds it)."""
    if WebChatMessage.objects.filter(source_event=event.pk).exists():
        return
    data = event.payload or {}
    wa_id = str((data.get("customer") or {}).get("wa_id") or "")
    customer = Customer.objects.filter(business_id=event.business_id, wa_id=wa_id).first()
    if customer is None:
        raise NothingToDeliver()
    business = Business.objects.get(pk=event.business_id)
    body = describe(event.event_type, data, WebChatSettings(business=business))
    if body is None:
        raise NothingToDeliver()
    number = str(data.get("order") or ("" if data.get("ticket") else data.get("number")) or "")[:20]
    try:
        with transaction.atomic():
            WebChatMessage.objects.create(business_id=event.business_id, customer=customer,
                                          direction=WebChatMessage.Direction.OUT, kind=wa.kind_of(body), body=body,
                                          order_number=number, source_event=event.pk)
    except IntegrityError:  # a concurrent delivery of the same event wrote it
        return
