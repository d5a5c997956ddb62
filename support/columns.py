"""The ticket lists' columns, trimmed so the important ones fit a 1366 px laptop (SLA due and
Updated included) and read on a 390 px phone: number and subject in one link, status with the
priority only when it is not normal, short dates, the overdue mark by a class (no inline style)."""
from django.contrib import admin
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Ticket

SUBJECT_CHARS = 60
SHORT = "d M H:i"  # 03 Dec 13:36; the month's name in the active language (03 Dez, 03 Dic)


def short_time(value) -> str:
    return date_format(timezone.localtime(value), SHORT) if value else "-"


class TicketColumns:
    """Mixed into the ticket admins."""

    @admin.display(description=gettext_lazy("ticket"), ordering="number")
    def ticket(self, ticket):
        return format_html('<span class="sc-nowrap">#{}</span> {}', ticket.number,
                           Truncator(ticket.subject).chars(SUBJECT_CHARS))

    @admin.display(description=gettext_lazy("requester"))
    def requester(self, ticket):
        if ticket.customer_id:
            customer = ticket.customer
            if customer.name:
                return format_html('{}<br><span class="sc-muted sc-nowrap">+{}</span>', customer.name,
                                   customer.wa_id)
            return f"+{customer.wa_id}"
        return ticket.requester_user.get_username() if ticket.requester_user_id else "-"

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def state(self, ticket):
        if ticket.priority == Ticket.Priority.NORMAL:
            return ticket.get_status_display()
        return format_html('{}<br><span class="sc-priority sc-priority-{}">{}</span>', ticket.get_status_display(),
                           ticket.priority, ticket.get_priority_display())

    @admin.display(description=gettext_lazy("assignee"), ordering="assignee__username")
    def assigned(self, ticket):
        if not ticket.assignee_id:
            return "-"
        user = ticket.assignee
        return user.get_full_name() or user.get_username().split("@")[0]

    @admin.display(description=gettext_lazy("SLA due"), ordering=F("next_sla_due_at").asc(nulls_last=True))
    def sla_due(self, ticket):
        if ticket.next_sla_due_at is None:
            return _("paused") if ticket.status in (Ticket.Status.PENDING, Ticket.Status.ON_HOLD) else "-"
        if ticket.next_sla_due_at <= timezone.now():
            return format_html('<span class="sc-error sc-nowrap">{}</span><br><span class="sc-error">{}</span>',
                               short_time(ticket.next_sla_due_at), _("overdue"))
        return format_html('<span class="sc-nowrap">{}</span>', short_time(ticket.next_sla_due_at))

    @admin.display(description=gettext_lazy("updated"), ordering="updated_at")
    def updated(self, ticket):
        return format_html('<span class="sc-nowrap">{}</span>', short_time(ticket.updated_at))
