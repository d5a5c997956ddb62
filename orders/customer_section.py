"""The customer page's orders section: how many, what they spent (paid orders less refunds, the
shop's test chats aside), and the latest ten with their status (two queries)."""
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopchat.backoffice.customer_page import Section
from shopchat.money import label

from .models import Order


def orders_section(customer, user) -> Section:
    orders = Order.objects.filter(customer=customer)
    totals = orders.aggregate(count=Count("pk"), spent=Sum(F("total_minor") - F("refunded_minor"),
                                                           filter=Q(paid_at__isnull=False)))
    currency = customer.business.currency
    latest = [{"number": o.number, "status": o.get_status_display(), "total": label(o.total_minor, o.currency),
               "at": o.created_at, "url": reverse("admin:orders_order_change", args=[o.pk])}
              for o in orders.order_by("-created_at")[:10]]
    return Section("orders", _("Orders"), "admin/orders/customer/section.html", {
        "count": totals["count"], "spent": label(totals["spent"] or 0, currency), "latest": latest,
        "all_url": reverse("admin:orders_order_changelist") + f"?customer__id__exact={customer.pk}"})
