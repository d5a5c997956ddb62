"""Agents write to a customer from the back office (the inbox, the customer page), on the
customer's own channel:

- WhatsApp: free text inside the 24-hour customer-service window, the business's approved
  template outside it. A queued message goes out through the outbox like every chat reply
  (retried, never lost), and its delivery state comes back from WhatsApp's status webhooks
  onto the same conversation.
- The browser chat (a customer of the reserved `webchat.WA_PREFIX` range): free text at any
  time, written straight into the chat by `webchat.agent_message` (no WhatsApp call, no
  24-hour window: that limit is WhatsApp's); the visitor's page shows it on its next poll, or
  when they come back.

A message that cannot reach anyone (no WhatsApp number set up, window closed and no template,
a browser chat whose customer was erased) is refused with a NotDeliverable that says why;
nothing is written then."""
from django.db import transaction
from django.utils.translation import gettext as _

from shopchat.models import Business, Customer

from . import messages as wa
from .engine import Reply
from .errors import ChatErrorCode, NotDeliverable
from .models import OutboundMessage, WebChatMessage, WebChatVisitor, WhatsAppConfig
from .sender import may_use_template, within_window
from .services import queue_replies
from .webchat import agent_message, is_web_customer

WHATSAPP = "whatsapp"
WEB_CHAT = "webchat"


def reply_options(*, business: Business, customer: Customer) -> dict:
    """What the reply box may offer: free text (window open, or the browser chat), the template
    (WhatsApp's window closed), or nothing; `channel` says where it goes."""
    if is_web_customer(customer.wa_id):
        if customer.erased_at is None and WebChatVisitor.objects.filter(customer_id=customer.pk).exists():
            return {"can_send": True, "free_text": True, "template": "", "reason": "", "code": "",
                    "channel": WEB_CHAT}
        return {"can_send": False, "free_text": False, "template": "", "code": ChatErrorCode.NO_CHANNEL,
                "channel": WEB_CHAT, "reason": _("This browser chat no longer exists (its customer was erased): "
                                                 "the message would reach no one.")}
    options = _whatsapp_options(business=business, customer=customer)
    options["channel"] = WHATSAPP
    return options


def _whatsapp_options(*, business: Business, customer: Customer) -> dict:
    config = WhatsAppConfig.objects.filter(business=business, enabled=True).first()
    if config is None:
        return {"can_send": False, "free_text": False, "template": "", "code": ChatErrorCode.NO_CHANNEL,
                "reason": _("This shop has no WhatsApp number set up: messages cannot reach the customer.")}
    if within_window(customer):
        return {"can_send": True, "free_text": True, "template": config.template_name, "reason": "", "code": ""}
    if config.template_name and not may_use_template(config, customer):
        return {"can_send": False, "free_text": False, "template": "", "code": ChatErrorCode.NO_MARKETING_CONSENT,
                "reason": _("The customer wrote more than 24 hours ago, and the approved template “%(name)s” is a "
                            "marketing template they have not opted in to.") % {"name": config.template_name}}
    if config.template_name:
        return {"can_send": True, "free_text": False, "template": config.template_name, "code": "",
                "reason": _("The customer wrote more than 24 hours ago: WhatsApp allows only the approved "
                            "template “%(name)s” until they write again.") % {"name": config.template_name}}
    return {"can_send": False, "free_text": False, "template": "", "code": ChatErrorCode.WINDOW_CLOSED,
            "reason": _("The customer wrote more than 24 hours ago and no approved template is set up: "
                        "WhatsApp would refuse the message.")}


def send_agent_message(*, business: Business, customer: Customer, text: str = "",
                       use_template: bool = False) -> OutboundMessage | WebChatMessage:
    """Send an agent's message to `customer` on their channel, in one transaction: on WhatsApp
    the queued message and its outbox event; in the browser chat the stored message (which is
    its delivery: `webchat.agent_message`, no window, never a template)."""
    options = reply_options(business=business, customer=customer)
    if not options["can_send"]:
        raise NotDeliverable(options["code"], options["reason"])
    if options["channel"] == WEB_CHAT:
        return agent_message(customer=customer, text=text)
    if options["free_text"] and not use_template:
        text = (text or "").strip()
        if not text:
            raise NotDeliverable(ChatErrorCode.EMPTY, _("Write the message first."))
        body = wa.text(wa.clip(text, wa.MAX_TEXT))
    else:
        config = WhatsAppConfig.objects.get(business=business)
        body = wa.template(config.template_name, config.template_language)
    with transaction.atomic():
        return queue_replies(business=business, customer=customer, replies=[Reply(body)])[0]
