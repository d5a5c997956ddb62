"""The customer page's conversation section: the last messages as the customer saw them, and
"Send a message" through the inbox's reply service (chat.replies): free text in the browser
chat or inside WhatsApp's 24-hour window, the approved template outside it, and when nothing
can reach the customer (no WhatsApp number, window closed without a template, an erased
browser-chat customer) the reason instead of a form. Only for those who may write (support);
after sending, back to the customer page."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopchat.backoffice.customer_page import Section
from shopchat.tenancy import CHANGE, business_ids

from . import rendering
from .replies import reply_options


def may_write(customer, user) -> bool:
    return user.is_superuser or customer.business_id in business_ids(user, "support", CHANGE)


def conversation_section(customer, user) -> Section:
    writes = may_write(customer, user) and customer.erased_at is None
    return Section("conversation", _("Conversation"), "admin/chat/customer/section.html", {
        "bubbles": rendering.conversation(customer, limit=6),
        "url": reverse("admin:chat_conversation_change", args=[customer.pk]),
        "may_write": writes,
        "options": reply_options(business=customer.business, customer=customer) if writes else None,
        "send_url": reverse("admin:chat_conversation_send", args=[customer.pk]),
        "back": reverse("admin:shopchat_customer_change", args=[customer.pk])})
