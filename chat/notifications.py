"""Order, payment and ticket events told to the customer in the chat.

`emit_event` writes a `whatsapp` copy of each customer-facing event (`goes_to_the_chat`, the
channel's copy rule in `shopchat.channels`); when the outbox delivers it, `render` turns it into
one OutboundMessage (once per event, keyed on the event id). Events the chat already answers
(`order.placed`, answered by the payment request; `payment.captured` of an order, told by
`order.paid`; `ticket.created`; `payment.failed` of a wallet payment, which is decided at
once and answered by whoever asked, e.g. the chat engine) are skipped. A shipping update
carries a "Track order" button, a delivery an "Order again" one, and a solved ticket
(`ticket.solved`) asks for a rating with Good / Bad buttons (the engine's `rate:` action).
"""
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shopchat.languages import Speech
from shopchat.models import Business, Customer
from shopchat.money import MoneyError, to_minor

from . import messages as wa
from .models import OutboundMessage, WhatsAppConfig

CHANNEL = "whatsapp"  # the OutboxEvent.channel of WhatsApp messages
WEB_CHAT_PREFIX = "999"  # `chat.webchat.WA_PREFIX`: the browser chat's customers, never on WhatsApp
REPLY_EVENT = "whatsapp.reply"
CHAT_EVENTS = {
    "order.paid", "order.shipped", "order.delivered", "order.cancelled", "order.expired",
    "payment.captured", "payment.failed", "payment.refunded", "payment.action_required", "ticket.reply",
    "ticket.solved",
}
ORDER_STATUS = {  # event -> order_status value, for numbers using WhatsApp Payments
    "order.paid": "processing", "order.shipped": "shipped", "order.delivered": "completed",
    "order.cancelled": "canceled", "order.expired": "canceled",
}

# The button a shipping or delivery update carries: follow the parcel, or order the same again.
FOLLOW_UP_BUTTONS = {
    "order.shipped": ("track", lambda: pgettext("button", "Track order")),
    "order.delivered": ("again", lambda: pgettext("button", "Order again")),
}


def goes_to_the_chat(business: Business, event_type: str, data: dict) -> bool:
    """Whether a customer-facing webhook event also goes into the chat: when the business serves
    its own WhatsApp number. The API-key lookup loads the number's settings with the business
    (this channel's registered relation), so API requests ask the database nothing here."""
    wa_id = str((data.get("customer") or {}).get("wa_id") or "")
    if event_type not in CHAT_EVENTS or not wa_id or wa_id.startswith(WEB_CHAT_PREFIX):
        return False  # none, or a customer of the chat in the browser (`chat.webchat`)
    try:
        return business.whatsapp_config.enabled
    except WhatsAppConfig.DoesNotExist:
        return False


def render(event, config) -> OutboundMessage | None:
    """The message telling the customer about `event` (created once), or None to skip it."""
    existing = OutboundMessage.objects.filter(source_event=event.pk).first()
    if existing is not None:
        return existing
    data = event.payload or {}
    wa_id = str((data.get("customer") or {}).get("wa_id") or "")
    customer = Customer.objects.filter(business_id=event.business_id, wa_id=wa_id).first()
    if customer is None:
        return None
    speech = Speech.of(customer, config.business)
    with translation.override(speech.language):
        body = describe(event.event_type, data, config, speech)
    if body is None:
        return None
    try:
        with transaction.atomic():
            return OutboundMessage.objects.create(
                business_id=event.business_id, customer=customer, kind=wa.kind_of(body), body=body,
                # a ticket event's "number" is the ticket's, not an order's
                order_number=str(data.get("order") or ("" if data.get("ticket") else data.get("number")) or "")[:20],
                ticket_id=str(data.get("ticket") or "")[:40], source_event=event.pk,
            )
    except IntegrityError:  # rendered by a concurrent delivery of the same event
        return OutboundMessage.objects.filter(source_event=event.pk).first()


def refund_words(number: str, data: dict, speech: Speech) -> str:
    """What a refund tells the customer: this refund's amount (`refunded`), and when the payment
    is not refunded in full, what remains paid (`amount` less `refunded_total`, all refunds so far)."""
    currency = str(data.get("currency") or "")
    refunded = speech.amount(data.get("refunded") or "", currency)
    text = _("A refund of %(amount)s for order %(number)s is on its way to you.") % {"amount": refunded,
                                                                                     "number": number}
    try:
        paid = to_minor(Decimal(str(data["amount"])), currency)
        left = paid - to_minor(Decimal(str(data["refunded_total"])), currency)
    except (KeyError, InvalidOperation, MoneyError, ValueError):
        return text
    if left > 0:
        text += " " + _("%(amount)s of your payment remains paid.") % {"amount": speech.money(left, currency)}
    return text


def describe(event_type: str, data: dict, config, speech: Speech | None = None) -> dict | None:
    """The message body for an event in the active language (amounts told by `speech`, English
    numbers without one), or None when the chat need not hear of it."""
    speech = speech or Speech("en", "en", str(data.get("currency") or ""))
    number = str(data.get("order") or data.get("number") or "")
    total = speech.amount(data.get("total") or data.get("amount") or "", data.get("currency"))
    tracking = data.get("tracking_number")
    words = {
        "order.paid": lambda: _("Payment received for order %(number)s (%(total)s). Thank you! We are preparing it.")
        % {"number": number, "total": total},
        "order.shipped": lambda: _("Good news: order %(number)s has shipped.") % {"number": number}
        + (" " + _("Tracking number: %(tracking)s.") % {"tracking": tracking} if tracking else ""),
        "order.delivered": lambda: _("Order %(number)s has been delivered. Enjoy, and thank you for shopping with us!")
        % {"number": number},
        "order.cancelled": lambda: _("Order %(number)s has been cancelled.") % {"number": number},
        "order.expired": lambda: _("Order %(number)s expired because it was not paid in time. Send Hi to order again.")
        % {"number": number},
        # the ticket's number per business (#1042), as the chat told it when the ticket was opened
        "ticket.reply": lambda: _("Support (ticket #%(ticket)s):")
        % {"ticket": data.get("number") or data.get("ticket", "")}
        + f"\n{data.get('body', '')}",
    }
    if event_type == "ticket.solved":  # CSAT: the customer rates in one tap (`rate:<ticket>:good|bad`)
        ticket = data.get("ticket")
        if not ticket:
            return None
        return wa.reply_buttons(wa.clip(_("Your ticket #%(ticket)s is solved. How did we do?")
                                        % {"ticket": data.get("number") or ticket}, wa.MAX_BODY), [
            (f"rate:{ticket}:good", pgettext("button", "Good")),
            (f"rate:{ticket}:bad", pgettext("button", "Bad"))])
    if event_type == "payment.refunded":
        return wa.text(refund_words(number, data, speech)[: wa.MAX_TEXT])
    if event_type == "payment.captured":
        return None if number else wa.text(_("Payment of %(total)s received. Thank you!") % {"total": total})
    if event_type == "payment.action_required":  # 3-D Secure: the bank's page, sent as a link
        body = (_("Your bank asks you to confirm the payment for order %(number)s (%(total)s) here:\n%(url)s")
                % {"number": number, "total": total, "url": data.get("url", "")})
        return wa.text(body[: wa.MAX_TEXT], preview_url=True)
    if event_type == "payment.failed":
        if data.get("method") == "wallet":
            return None
        reason = data.get("reason") or _("the payment was declined")
        body = (_("The payment for order %(number)s did not go through (%(reason)s). Would you like to try again?")
                % {"number": number, "reason": reason})
        if not number:
            return wa.text(wa.clip(body, wa.MAX_TEXT))
        return wa.reply_buttons(wa.clip(body, wa.MAX_BODY), [
            (f"pay_wallet:{number}", pgettext("button", "Pay from wallet")),
            (f"pay_card:{number}", pgettext("button", "Pay by card link")),
            (f"cancel:{number}", pgettext("button", "Cancel order"))])
    if event_type not in words:
        return None
    text = words[event_type]()
    if event_type == "order.cancelled" and _was_paid(config, number):
        # Meta refuses order_status canceled for a paid order (2047): the refund is told instead
        return wa.text((_("Order %(number)s has been cancelled. Your payment is being refunded to you.")
                        % {"number": number})[: wa.MAX_TEXT])
    if event_type in ORDER_STATUS and config.payment_configuration and number and wa.REFERENCE_ID_RE.match(number):
        return wa.order_status(wa.clip(text, wa.MAX_BODY), number, ORDER_STATUS[event_type])
    if number and event_type in FOLLOW_UP_BUTTONS:  # the engine's `track:<order>` / `again:<order>`
        action, title = FOLLOW_UP_BUTTONS[event_type]
        return wa.reply_buttons(wa.clip(text, wa.MAX_BODY), [(f"{action}:{number}", title())])
    return wa.text(text[: wa.MAX_TEXT])


def _was_paid(config, number: str) -> bool:
    from orders.models import Order

    return bool(number) and Order.objects.filter(business_id=config.business_id, number=number,
                                                 paid_at__isnull=False).exists()
