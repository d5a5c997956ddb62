"""The customer page's tickets section: the latest ten with status and SLA state (one query)."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopchat.backoffice.customer_page import Section

from .models import Ticket


def tickets_section(customer, user) -> Section:
    latest = Ticket.objects.filter(customer=customer, kind=Ticket.Kind.CUSTOMER).order_by("-updated_at")[:10]
    tickets = [{"number": t.number, "subject": t.subject, "status": t.get_status_display(),
                "url": reverse("admin:support_ticket_change", args=[t.pk])} for t in latest]
    return Section("tickets", _("Tickets"), "admin/support/customer/section.html", {"tickets": tickets})
