"""The customer page's conversation section: the last messages as the customer saw them, and
the way to write to them (the inbox's conversation page)."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopchat.backoffice.customer_page import Section

from . import rendering


def conversation_section(customer, user) -> Section:
    return Section("conversation", _("Conversation"), "admin/chat/customer/section.html", {
        "bubbles": rendering.conversation(customer, limit=6),
        "url": reverse("admin:chat_conversation_change", args=[customer.pk])})
