"""Agents write to a customer from the back office's inbox: free text inside WhatsApp's 24-hour
customer-service window, the business's approved template outside it. A message that cannot
reach anyone (no WhatsApp number set up, window closed and no template, a browser-chat
customer) is refused with a NotDeliverable that says why; nothing is written then. A queued message goes out through the
outbox like every chat reply (retried, never lost), and its delivery state comes back from
WhatsApp's status webhooks onto the same conversation."""
from django.db import transaction
from django.utils.translation import gettext as _

from shopchat.models import Business, Customer

from . import messages as wa
from .engine import Reply
from .errors import ChatErrorCode, NotDeliverable
from .models import OutboundMessage, WhatsAppConfig
from .sender import may_use_template, within_window
from .services import queue_replies
from .webchat import is_web_customer


def reply_options(*, business: Business, customer: Customer) -> dict:
    """What the reply box may offer: free text (window open), the template (closed), or nothing."""
    if is_web_customer(customer.wa_id):
        return {"can_send": False, "free_text": False, "template": "", "code": ChatErrorCode.NO_CHANNEL,
                "reason": _("This customer chats in the shop's browser chat: messages from the back office "
                            "go out on WhatsApp only and would not reach them.")}
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
                       use_template: bool = False) -> OutboundMessage:
    """Queue an agent's message to `customer`. One transaction (the message and its outbox event)."""
    options = reply_options(business=business, customer=customer)
    if not options["can_send"]:
        raise NotDeliverable(options["code"], options["reason"])
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
