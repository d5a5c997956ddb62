"""The back office's privacy actions: a customer's export (a JSON download) and erasure (with a
confirmation page) for owners and managers, and the erasure records, where staff confirm or
decline the requests customers make in the chat. All of it calls `shopchat.privacy.services`."""
import json

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..errors import DomainError
from ..models import Customer, ErasureRecord
from ..tenancy import CHANGE, TenantAdmin, WrittenByServices
from . import services


def _confirmation(modeladmin, request, customers, action: str, title: str):
    rows = [(c, services.erasure_refusals(customer=c)) for c in customers]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title, "rows": rows, "action": action, "opts": modeladmin.model._meta,
        "queryset_ids": request.POST.getlist(ACTION_CHECKBOX_NAME),
    }
    return TemplateResponse(request, "admin/shopchat/erase_confirmation.html", context)


def _erase_all(modeladmin, request, customers, requests=None) -> None:
    reason = request.POST.get("reason", "")[:300]
    done = 0
    for customer in customers:
        try:
            services.erase_customer(customer=customer, actor=request.user, reason=reason,
                                    source=ErasureRecord.Source.ADMIN,
                                    request=(requests or {}).get(customer.pk))
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
    if done:
        modeladmin.message_user(request, _("Personal data of %(count)d customer(s) erased.") % {"count": done},
                                messages.SUCCESS)


class CustomerPrivacyActions(admin.ModelAdmin):
    """The customer admin's export and erase actions, for roles that may change customers."""

    actions = ["export_data", "erase_data"]

    def privacy_buttons(self, request, customer) -> dict | None:
        """The customer page's export and erasure buttons (owners and managers; agents only read):
        forms that run the two actions below on this one customer, so the page and the list use
        the same code (the download, the confirmation page, the services)."""
        if not self.has_change_permission(request, customer):
            return None
        opts = self.model._meta
        return {"url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), "pk": customer.pk,
                "erased_at": customer.erased_at, "refusals": [] if customer.erased_at else
                services.erasure_refusals(customer=customer)}

    @admin.action(description=gettext_lazy("Export the customer's data (JSON)"), permissions=["change"])
    def export_data(self, request, queryset):
        customers = list(queryset.select_related("business")[:2])
        if len(customers) != 1:
            self.message_user(request, _("Select exactly one customer to export."), messages.WARNING)
            return None
        customer = customers[0]
        document = services.export_customer(customer=customer)
        response = HttpResponse(json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}-export.json"'
        return response

    @admin.action(description=gettext_lazy("Erase the customer's personal data"), permissions=["change"])
    def erase_data(self, request, queryset):
        customers = list(queryset.select_related("business").filter(erased_at__isnull=True))
        if request.POST.get("confirm") == "yes":
            _erase_all(self, request, customers)
            return None
        return _confirmation(self, request, customers, "erase_data", _("Erase personal data"))


@admin.register(ErasureRecord)
class ErasureRecordAdmin(WrittenByServices, TenantAdmin):
    """Who erased which customer's data, when and why; and the requests customers made in the
    chat, to confirm (erase now) or decline."""

    tenant_area = "customers"
    list_display = ("id", "status", "source", "customer", "business", "requested_at", "done_at", "done_by_label")
    list_filter = ("status", "source", "business")
    list_select_related = ("business", "customer")
    readonly_fields = ("business", "customer", "status", "source", "reason", "requested_at", "done_at",
                       "done_by_label", "counts")
    exclude = ("done_by",)
    actions = ["erase_now", "decline"]

    def has_erase_permission(self, request, obj=None):
        return self._can(request, CHANGE, obj)

    @admin.action(description=gettext_lazy("Erase now (confirm the customer's request)"), permissions=["erase"])
    def erase_now(self, request, queryset):
        requests = {r.customer_id: r for r in queryset.filter(status=ErasureRecord.Status.REQUESTED,
                                                               customer__isnull=False)}
        customers = list(Customer.objects.filter(pk__in=requests).select_related("business"))
        if request.POST.get("confirm") == "yes":
            _erase_all(self, request, customers, requests)
            return None
        return _confirmation(self, request, customers, "erase_now", _("Erase personal data"))

    @admin.action(description=gettext_lazy("Decline the request (an order is still open...)"), permissions=["erase"])
    def decline(self, request, queryset):
        for record in queryset.filter(status=ErasureRecord.Status.REQUESTED):
            services.decline_erasure(request=record, actor=request.user,
                                     reason="; ".join(services.erasure_refusals(customer=record.customer))
                                     if record.customer else "")
