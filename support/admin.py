"""The support console in the back office.

- Tickets (area "support"): queues as saved filters (mine, unassigned, breaching soon, pending,
  all open), sortable by SLA due time; the ticket page shows the whole conversation, a reply
  box (public reply or internal note, canned replies), the customer's recent orders and the
  assign / status actions. Every change goes through support.services.
- Canned replies and SLA policies (area "support_config": owners and managers).
- Technical support to the platform (area "platform_support"): a merchant's owners and managers
  open and follow their business's tickets; only platform staff (superusers or the
  "platform agents" group) see them all and work them.
"""
from datetime import timedelta
from typing import ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy, pgettext_lazy

from shopchat.channels import reaching_customers, undelivered_messages
from shopchat.errors import DomainError
from shopchat.money import label
from shopchat.tenancy import CHANGE, TenantAdmin, business_ids, scope_queryset

from . import attachments, selectors, services
from .columns import TicketColumns
from .models import CannedReply, PlatformTicket, SlaPolicy, Ticket

# What the bulk actions report (the count picks the plural form when it is filled in).
ASSIGNED = ngettext_lazy("%(count)s ticket assigned to you.", "%(count)s tickets assigned to you.", "count")
PENDING = ngettext_lazy("%(count)s ticket set pending.", "%(count)s tickets set pending.", "count")
SOLVED = ngettext_lazy("%(count)s ticket solved.", "%(count)s tickets solved.", "count")


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in selectors.QUEUES.items()]

    def queryset(self, request, queryset):
        entry = selectors.QUEUES.get(self.value())
        if entry is None:
            return queryset
        return entry[1](queryset, user=request.user, now=timezone.now())


class TicketForm(forms.ModelForm):
    tags = forms.CharField(required=False, label=_("tags"),
                           help_text=_("Comma-separated, e.g. delivery, refund."))

    class Meta:
        model = Ticket
        fields = ("subject", "priority", "tags")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "tags" in self.fields and self.instance and self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tags or [])

    def clean_tags(self):
        raw = self.cleaned_data.get("tags") or ""
        tags = []
        for tag in raw.split(","):
            tag = " ".join(tag.split()).lower()[:40]
            if tag and tag not in tags:
                tags.append(tag)
        return tags[:20]


class TicketDeskAdmin(TicketColumns, TenantAdmin):
    """What the customer-ticket and technical-support pages share."""

    form = TicketForm
    change_form_template = "admin/support/ticket_change_form.html"
    list_display = ("ticket", "requester", "state", "assigned", "sla_due", "updated")
    list_display_links = ("ticket",)
    list_filter = (QueueFilter, "status", "priority", "channel")
    list_select_related: ClassVar[tuple[str, ...]] = ("customer", "assignee", "requester_user", "business")
    ordering = ("-updated_at",)
    show_full_result_count = False
    search_fields: ClassVar[tuple[str, ...]] = ("subject", "=customer__wa_id", "customer__name")
    actions = ["assign_to_me", "mark_pending", "mark_solved"]
    kind = Ticket.Kind.CUSTOMER
    readonly_fields = (
        "number", "business", "requester", "status", "assignee", "channel", "order", "first_response_at",
        "first_response_due_at", "resolution_due_at", "first_response_breached", "resolution_breached",
        "solved_at", "closed_at", "created_at", "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("number", "business", "subject", "requester", "order", "status", "priority", "assignee",
                           "tags", "channel")}),
        (_("SLA"), {"fields": ("first_response_due_at", "first_response_at", "first_response_breached",
                            "resolution_due_at", "resolution_breached", "solved_at", "closed_at",
                            "created_at", "updated_at")}),
    )

    # --- rows --------------------------------------------------------------------------
    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=self.kind)

    def get_list_display(self, request):
        display = list(super().get_list_display(request))
        if request.user.is_superuser and "business" not in display:
            display.insert(2, "business")
        return display

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().lstrip("#")
        if term.isdigit() and len(term) < 10:
            return queryset.filter(number=int(term)), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False  # customer tickets come from the chat and the API

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self.may_work(request, obj):
            return self.readonly_fields + ("subject", "priority", "tags")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        obj.save(update_fields=["subject", "tags", "updated_at"])
        if "priority" in form.changed_data:
            services.change_priority(ticket=obj, priority=form.cleaned_data["priority"])

    # --- who works the ticket --------------------------------------------------------------
    def may_work(self, request, ticket) -> bool:
        return self.has_change_permission(request, ticket)

    def may_write_internal(self, request, ticket) -> bool:
        return self.may_work(request, ticket)

    # --- the ticket page ---------------------------------------------------------------
    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/reply/", view(self.reply_view), name=f"{prefix}_reply"),
            path("<path:object_id>/messages/", view(self.messages_view), name=f"{prefix}_messages"),
            path("<path:object_id>/assign-to-me/", view(self.assign_to_me_view), name=f"{prefix}_assign_to_me"),
            path("<path:object_id>/status/", view(self.status_view), name=f"{prefix}_status"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if ticket is not None and self.has_view_permission(request, ticket):
            extra.update(self.desk_context(request, ticket))
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def desk_context(self, request, ticket) -> dict:
        prefix = f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}"
        works = self.may_work(request, ticket)
        internal = self.may_write_internal(request, ticket)
        canned = []
        if works and not ticket.is_platform:
            canned = [{"title": c.title, "text": c.render(ticket=ticket, agent=request.user)}
                      for c in CannedReply.objects.filter(business_id=ticket.business_id).select_related("business")]
        return {
            "ticket_page": True,
            "ticket": ticket,
            "conversation": attachments.attach(selectors.conversation(ticket, include_internal=internal)
                                               .select_related("ticket__customer")),
            "can_reply": self.has_view_permission(request, ticket) and ticket.status != Ticket.Status.CLOSED,
            "can_note": internal,
            "can_work": works,
            "canned_replies": canned,
            "recent_orders": [
                {"number": o.number, "status": o.get_status_display(), "total": label(o.total_minor, o.currency),
                 "created_at": o.created_at} for o in selectors.recent_orders(ticket)
            ] if works else [],
            "chat_failures": [] if ticket.is_platform else undelivered_messages(business=ticket.business,
                                                                                ticket_id=str(ticket.pk)),
            "rating": getattr(ticket, "rating", None) if ticket.pk else None,
            "next_statuses": [(s, Ticket.Status(s).label) for s in Ticket.Status.values
                              if s in services.TRANSITIONS[ticket.status]] if works else [],
            "reply_url": reverse(f"{prefix}_reply", args=[ticket.pk]),
            "assign_url": reverse(f"{prefix}_assign_to_me", args=[ticket.pk]),
            "status_url": reverse(f"{prefix}_status", args=[ticket.pk]),
            "messages_url": reverse(f"{prefix}_messages", args=[ticket.pk]),
            "reaches": [] if ticket.is_platform else reaching_customers(ticket.business, ticket.customer),
        }

    def _ticket_or_404(self, request, object_id, work=True):
        ticket = self.get_object(request, unquote(object_id))
        if ticket is None or not self.has_view_permission(request, ticket):
            raise Http404("No such ticket.")
        if work and not self.may_work(request, ticket):
            raise Http404("No such ticket.")
        return ticket

    def _back(self, ticket):
        prefix = f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}"
        return HttpResponseRedirect(reverse(f"{prefix}_change", args=[ticket.pk]))

    def _run(self, request, action, success: str):
        try:
            action()
        except DomainError as exc:
            messages.error(request, exc.message)
            return False
        if success:
            messages.success(request, success)
        return True

    def messages_view(self, request, object_id):
        """The conversation alone, for the ticket page's htmx polling (new messages within 5 s)."""
        ticket = self._ticket_or_404(request, object_id, work=False)
        internal = self.may_write_internal(request, ticket)
        conversation = attachments.attach(selectors.conversation(ticket, include_internal=internal)
                                          .select_related("ticket__customer"))
        return TemplateResponse(request, "admin/support/ticket_messages.html", {"conversation": conversation})

    def reply_view(self, request, object_id):
        ticket = self._ticket_or_404(request, object_id, work=False)
        if request.method != "POST":
            return self._back(ticket)
        body = request.POST.get("body", "")
        internal = request.POST.get("visibility") == "internal"
        status = request.POST.get("status") or None
        if self.may_work(request, ticket):
            if internal and not self.may_write_internal(request, ticket):
                raise Http404("No such ticket.")
            reaches = [] if internal or ticket.is_platform else reaching_customers(ticket.business, ticket.customer)
            if internal or ticket.is_platform:
                done = _("Internal note added.") if internal else _("Reply sent.")
            elif reaches:
                done = _("Reply queued for the customer (%(channels)s); a failure shows on this page.") % {
                    "channels": ", ".join(reaches)}
            else:
                done = ""
            sent = self._run(request, lambda: services.reply_to_ticket(
                ticket=ticket, author=request.user, body=body, internal=internal, status=status), done)
            if sent and not done:
                messages.warning(request, _("Saved on the ticket, but it reached no one: this shop has neither a "
                                            "WhatsApp number nor a gateway webhook set up."))
        else:
            # A merchant following their technical-support ticket: a requester message.
            self._run(request, lambda: services.add_customer_message(ticket=ticket, body=body, author=request.user),
                      _("Message sent to platform support."))
        return self._back(ticket)

    def assign_to_me_view(self, request, object_id):
        ticket = self._ticket_or_404(request, object_id)
        if request.method == "POST":
            self._run(request, lambda: services.assign_ticket(ticket=ticket, assignee=request.user, actor=request.user),
                      _("The ticket is yours."))
        return self._back(ticket)

    def status_view(self, request, object_id):
        ticket = self._ticket_or_404(request, object_id)
        if request.method == "POST":
            status = request.POST.get("status", "")
            self._run(request, lambda: services.change_status(ticket=ticket, status=status, actor=request.user),
                      _("Status changed."))
        return self._back(ticket)

    # --- bulk actions ------------------------------------------------------------------
    def _bulk(self, request, queryset, action, done):
        count, failed = 0, 0
        for ticket in queryset:
            if not self.may_work(request, ticket):
                continue
            try:
                action(ticket)
                count += 1
            except DomainError:
                failed += 1
        text = done % {"count": count}
        if failed:
            text += " " + ngettext("%(count)s could not be.", "%(count)s could not be.", failed) % {"count": failed}
        self.message_user(request, text, messages.WARNING if failed else messages.SUCCESS)

    @admin.action(description=_("Assign to me"))
    def assign_to_me(self, request, queryset):
        self._bulk(request, queryset, lambda t: services.assign_ticket(ticket=t, assignee=request.user,
                                                                     actor=request.user), ASSIGNED)

    @admin.action(description=_("Set pending (waiting on the customer)"))
    def mark_pending(self, request, queryset):
        self._bulk(request, queryset, lambda t: services.change_status(ticket=t, status=Ticket.Status.PENDING,
                                                                     actor=request.user), PENDING)

    @admin.action(description=_("Mark solved"))
    def mark_solved(self, request, queryset):
        self._bulk(request, queryset, lambda t: services.change_status(ticket=t, status=Ticket.Status.SOLVED,
                                                                     actor=request.user), SOLVED)


@admin.register(Ticket)
class TicketAdmin(TicketDeskAdmin):
    tenant_area = "support"
    kind = Ticket.Kind.CUSTOMER
    csat_weeks = 12

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("csat/", view(self.csat_view), name="support_ticket_csat")] + super().get_urls()

    def csat_view(self, request):
        """CSAT per agent and week (the last 12 weeks) of the tickets the user sees."""
        if not self.has_view_permission(request):
            raise Http404
        since = timezone.now() - timedelta(weeks=self.csat_weeks)
        return TemplateResponse(request, "admin/support/csat_summary.html", {
            **self.admin_site.each_context(request), "title": pgettext_lazy("csat", "Satisfaction per agent and week"),
            "opts": self.model._meta, "weeks": self.csat_weeks,
            "rows": selectors.csat_by_agent_week(self.get_queryset(request), since=since),
        })


class PlatformTicketAddForm(forms.ModelForm):
    message = forms.CharField(widget=forms.Textarea, max_length=4096, label=_("message"),
                              help_text=_("What happened, and when."))

    class Meta:
        model = PlatformTicket
        fields = ("business", "subject", "priority")


@admin.register(PlatformTicket)
class PlatformTicketAdmin(TicketDeskAdmin):
    """Technical support to the platform: merchants see their own; platform staff work all."""

    tenant_area = "platform_support"
    kind = Ticket.Kind.PLATFORM
    search_fields = ("subject", "business__name")
    list_select_related = ("business", "assignee", "requester_user")
    list_display = ("ticket", "business", "requester", "state", "assigned", "updated")

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request).filter(kind=self.kind)
        if services.is_platform_agent(request.user):
            return queryset
        return scope_queryset(queryset, request.user, self.tenant_area)

    def _can(self, request, level, obj=None):
        if request.user.is_staff and services.is_platform_agent(request.user):
            return True
        return super()._can(request, level, obj)

    def has_add_permission(self, request):
        # Merchants' owners and managers ask; platform staff answer.
        return bool(business_ids(request.user, self.tenant_area, CHANGE))

    def may_work(self, request, ticket):
        return services.is_platform_agent(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not services.is_platform_agent(request.user):
            for name in ("assign_to_me", "mark_pending", "mark_solved"):
                actions.pop(name, None)
        return actions

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PlatformTicketAddForm
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ("business", "subject", "priority", "message")}),)
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else super().get_readonly_fields(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "business":
            field.queryset = field.queryset.filter(pk__in=business_ids(request.user, self.tenant_area, CHANGE))
        return field

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        ticket = services.open_platform_ticket(business=data["business"], requester=request.user,
                                               subject=data["subject"], message=data["message"],
                                               priority=data["priority"])
        obj.pk = ticket.pk
        obj.refresh_from_db()


@admin.register(CannedReply)
class CannedReplyAdmin(TenantAdmin):
    tenant_area = "support_config"
    list_display = ("title", "business", "updated_at")
    search_fields = ("title", "body")
    list_select_related = ("business",)
    fields = ("business", "title", "body", "bodies")


WEEKDAYS = [("1", _("Monday")), ("2", _("Tuesday")), ("3", _("Wednesday")), ("4", _("Thursday")),
            ("5", _("Friday")), ("6", _("Saturday")), ("7", _("Sunday"))]


class SlaPolicyForm(forms.ModelForm):
    """Working days as weekday boxes (kept as ISO digits, "12345" = Monday to Friday)."""

    business_days = forms.MultipleChoiceField(label=_("Working days"), choices=WEEKDAYS,
                                              widget=forms.CheckboxSelectMultiple, initial=list("12345"))

    class Meta:
        model = SlaPolicy
        fields = ("business", "priority", "first_response_minutes", "resolution_minutes", "around_the_clock",
                  "business_days", "day_starts", "day_ends")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["business_days"] = list(self.instance.business_days or "")

    def clean_business_days(self):
        return "".join(sorted(set(self.cleaned_data["business_days"])))


@admin.register(SlaPolicy)
class SlaPolicyAdmin(TenantAdmin):
    tenant_area = "support_config"
    form = SlaPolicyForm
    list_display = ("business", "priority", "first_response_minutes", "resolution_minutes", "around_the_clock",
                    "working_days", "day_starts", "day_ends")

    @admin.display(description=_("working days"))
    def working_days(self, policy):
        names = dict(WEEKDAYS)
        return ", ".join(str(names[d])[:3] for d in policy.business_days if d in names)
    list_select_related = ("business",)
    fields = ("business", "priority", "first_response_minutes", "resolution_minutes", "around_the_clock",
              "business_days", "day_starts", "day_ends")
