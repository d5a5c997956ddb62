"""Back office: disputes, read-only (they come from the providers' webhooks)."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shopchat.money import display
from shopchat.tenancy import TenantAdmin, WrittenByServices

from .dispute_models import Dispute


@admin.register(Dispute)
class DisputeAdmin(WrittenByServices, TenantAdmin):
    tenant_area = "payments"
    list_display = ("provider_dispute_id", "opened_at", "business", "order", "amount", "status", "reason")
    list_filter = ("status", "provider")
    list_select_related = ("business", "payment__order")
    search_fields = ("provider_dispute_id", "payment__order__number")
    readonly_fields = ("business", "payment", "provider", "provider_dispute_id", "amount", "status", "reason",
                       "opened_at", "resolved_at")
    fields = readonly_fields

    @admin.display(description=_("order"))
    def order(self, obj):
        return obj.payment.order.number

    @admin.display(description=_("amount"))
    def amount(self, obj):
        return display(obj.amount_minor, obj.currency)
