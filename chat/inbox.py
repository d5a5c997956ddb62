"""The agents' live inbox: every conversation of the business, WhatsApp and browser chat alike,
newest first, the ones waiting for an answer marked (and the merchant's own test chats marked
as tests), the list fetched again by htmx polling so a first message shows without a reload;
a conversation page that draws the chat as the customer saw it
(chat.rendering) and fetches new messages every 3 seconds with htmx polling (no inline script:
htmx's attributes and the static back-office script only, so a strict CSP holds); a reply box
that offers free text inside WhatsApp's 24-hour window and the approved template outside it
(free text at any time in the browser chat, which has no window), and says so when nothing can
be sent; and "turn into a ticket". Agents and everyone who works support
may write; the rest read."""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import F, OuterRef, Q, Subquery
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shopchat.errors import DomainError
from shopchat.tenancy import CHANGE, business_ids, scope_queryset
from support import services as support_services
from support import system_notes

from . import rendering
from .models import OutboundMessage, WebChatMessage
from .replies import reply_options, send_agent_message
from .webchat import is_web_customer

POLL_SECONDS = 3
LIST_POLL_SECONDS = 3  # the conversation list (chat/admin.py): a first message shows within 5 s


def customer_label(customer) -> str:
    """The name, else the number; a browser-chat visitor has no number to show."""
    if customer.name:
        return customer.name
    if is_web_customer(customer.wa_id):
        return _("Browser-chat visitor #%(id)s") % {"id": customer.pk}
    return f"+{customer.wa_id}"


class AwaitingFilter(admin.SimpleListFilter):
    title = gettext_lazy("waiting")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("yes", _("Waiting for an answer"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=F("last_inbound_at")),
                                   Q(last_web_sent_at__isnull=True) | Q(last_web_sent_at__lt=F("last_inbound_at")),
                                   last_inbound_at__isnull=False)
        return queryset


class TicketForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)


class InboxMixin:
    """Mixed into ConversationAdmin."""

    def get_queryset(self, request):
        last_sent = OutboundMessage.objects.filter(customer=OuterRef("pk")).order_by("-id").values("created_at")[:1]
        last_web_sent = WebChatMessage.objects.filter(customer=OuterRef("pk"), direction=WebChatMessage.Direction.OUT
                                                      ).order_by("-id").values("created_at")[:1]
        return super().get_queryset(request).annotate(last_sent_at=Subquery(last_sent),
                                                      last_web_sent_at=Subquery(last_web_sent))

    @admin.display(description=gettext_lazy("waiting"), boolean=True)
    def waiting(self, obj):
        answered = [at for at in (getattr(obj, "last_sent_at", None), getattr(obj, "last_web_sent_at", None)) if at]
        return obj.last_inbound_at is not None and not any(at >= obj.last_inbound_at for at in answered)

    @admin.display(description=gettext_lazy("number"))
    def number(self, obj):
        return "-" if is_web_customer(obj.wa_id) else f"+{obj.wa_id}"

    @admin.display(description=gettext_lazy("channel"))
    def channel(self, obj):
        return _("Browser chat") if is_web_customer(obj.wa_id) else "WhatsApp"

    @admin.display(description=gettext_lazy("test chat"), boolean=True, ordering="is_test")
    def test_chat(self, obj):
        return obj.is_test

    def may_write(self, request, customer) -> bool:
        return request.user.is_superuser or customer.business_id in business_ids(request.user, "support", CHANGE)

    def inbox_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/messages/", view(self.messages_view), name="chat_conversation_messages"),
            path("<path:object_id>/send/", view(self.send_view), name="chat_conversation_send"),
            path("<path:object_id>/ticket/", view(self.ticket_view), name="chat_conversation_ticket"),
        ]

    def _customer(self, request, object_id):
        customer = self.get_object(request, unquote(object_id))
        if customer is None or not self.has_view_permission(request, customer):
            raise Http404
        return customer

    def _any_customer(self, request, object_id):
        """A customer of the user's businesses, with or without messages yet (the customer page
        writes to those too: outside the window, the template)."""
        customers = scope_queryset(self.model.objects.select_related("business"), request.user, "customers")
        customer = customers.filter(pk=unquote(object_id)).first()
        if customer is None:
            raise Http404
        return customer

    def change_view(self, request, object_id, form_url="", extra_context=None):
        customer = self._customer(request, object_id)
        options = reply_options(business=customer.business, customer=customer)
        return TemplateResponse(request, "admin/chat/conversation/inbox.html", {
            **self.admin_site.each_context(request),
            "title": customer_label(customer), "opts": self.model._meta,
            "web_chat": is_web_customer(customer.wa_id),
            "customer": customer, "bubbles": rendering.conversation(customer), "options": options,
            "may_write": self.may_write(request, customer), "poll_seconds": POLL_SECONDS,
            "poll_url": reverse("admin:chat_conversation_messages", args=[customer.pk]),
            "send_url": reverse("admin:chat_conversation_send", args=[customer.pk]),
            "ticket_url": reverse("admin:chat_conversation_ticket", args=[customer.pk]),
            "customer_url": reverse("admin:shopchat_customer_change", args=[customer.pk]),
            "list_url": reverse("admin:chat_conversation_changelist"), "ticket_form": TicketForm(),
        })

    def messages_view(self, request, object_id):
        """The message list alone: what the page's htmx polling swaps in."""
        customer = self._customer(request, object_id)
        return TemplateResponse(request, "admin/chat/conversation/messages.html",
                                {"bubbles": rendering.conversation(customer)})

    def _back(self, customer, request=None):
        """To the conversation, or to the page the form came from (the customer page) when it says."""
        back = request.POST.get("next", "") if request is not None else ""
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
            return HttpResponseRedirect(back)
        return HttpResponseRedirect(reverse("admin:chat_conversation_change", args=[customer.pk]))

    def send_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        customer = self._any_customer(request, object_id)
        if not self.may_write(request, customer):
            raise Http404
        try:
            send_agent_message(business=customer.business, customer=customer, text=request.POST.get("body", ""),
                               use_template=request.POST.get("template") == "1")
        except DomainError as exc:
            messages.error(request, _("Not sent: %(why)s") % {"why": exc.message})
        else:
            if is_web_customer(customer.wa_id):
                messages.success(request, _("Written into the browser chat: the customer sees it on their open page, "
                                            "or when they come back to the chat."))
            else:
                messages.success(request, _("Queued for WhatsApp; its delivery state shows under the message."))
        return self._back(customer, request)

    def ticket_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        customer = self._customer(request, object_id)
        if not self.may_write(request, customer):
            raise Http404
        form = TicketForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the ticket a subject."))
            return self._back(customer)
        last = next((b for b in reversed(rendering.conversation(customer, limit=20)) if not b.mine), None)
        # the customer's last words, else the desk's note, shown in each reader's language
        text = last.text if last and last.text else ""
        params = {"agent": request.user.get_username()}
        try:
            ticket = support_services.open_ticket(
                business=customer.business, customer=customer, subject=form.cleaned_data["subject"],
                message=text or system_notes.english(system_notes.OPENED_FROM_CHAT, params),
                opening_note=None if text else (system_notes.OPENED_FROM_CHAT, params))
        except DomainError as exc:
            messages.error(request, exc.message)
            return self._back(customer)
        messages.success(request, _("Ticket #%(number)s opened.") % {"number": ticket.number})
        return HttpResponseRedirect(reverse("admin:support_ticket_change", args=[ticket.pk]))
