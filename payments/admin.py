"""Back office for money: payments and refunds (refund with one click, recorded with who did
it), wallets and the ledger (read-only; only superusers see across businesses), settlement
statements (page and CSV, "settle now") and the reconciliation page. Every action calls the
services; nothing here moves money by itself."""
import csv

from django.contrib import admin, messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy, ngettext
from unfold.admin import ModelAdmin, TabularInline  # type: ignore[import-untyped,unused-ignore]  # no py.typed

from orders.admin import OrderAdmin
from orders.models import Order
from shopchat.errors import DomainError
from shopchat.models import Business
from shopchat.money import format_major, label
from shopchat.spreadsheets import SpreadsheetWriter
from shopchat.tenancy import CHANGE, TenantAdmin, TenantInline, WrittenByServices, business_ids, scope_queryset

from . import services
from .memos import shown_memo
from .models import (
    Dispute,
    FundingSource,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    ProviderEvent,
    Refund,
    Settlement,
    TopUp,
    Transfer,
    Wallet,
)
from .workspace import PaymentsWorkspace


def money(field, title):
    @admin.display(description=title, ordering=field)
    def show(self, obj):
        return label(getattr(obj, field), obj.currency)

    return show


class RefundInline(WrittenByServices, TenantInline, TabularInline):
    model = Refund
    tenant_area = "payments"
    fields = ("created_at", "amount", "reason", "created_by", "provider_reference", "settlement")
    readonly_fields = fields
    extra = 0

    amount = money("amount_minor", gettext_lazy("amount"))


@admin.register(Payment)
class PaymentAdmin(WrittenByServices, TenantAdmin):
    tenant_area = "payments"
    list_display = ("id", "created_at", "order", "customer", "method", "status", "amount", "refunded", "commission",
                    "settlement", "business")
    list_filter = ("status", "method", "business")
    search_fields = ("order__number", "customer__wa_id", "provider_reference")
    list_select_related = ("order", "customer", "business")
    readonly_fields = ("business", "order", "customer", "method", "funding_source", "status", "amount", "refunded",
                       "commission", "provider", "provider_reference", "failure_code", "failure_reason",
                       "captured_at", "settlement", "created_at", "updated_at")
    fields = readonly_fields
    inlines = [RefundInline]  # refunds are made on the order's page (confirmation, amount, reason)
    show_full_result_count = False

    amount = money("amount_minor", gettext_lazy("amount"))
    refunded = money("refunded_minor", gettext_lazy("refunded"))
    commission = money("commission_minor", gettext_lazy("commission"))


@admin.register(Refund)
class RefundAdmin(WrittenByServices, TenantAdmin):
    tenant_area = "payments"
    list_display = ("id", "created_at", "payment", "amount", "reason", "created_by", "settlement", "business")
    list_filter = ("business",)
    search_fields = ("payment__order__number",)
    list_select_related = ("payment", "created_by", "business", "settlement")
    amount = money("amount_minor", gettext_lazy("amount"))


@admin.register(Wallet)
class WalletAdmin(WrittenByServices, TenantAdmin):
    tenant_area = "payments"
    list_display = ("customer", "balance", "created_at", "business")
    list_filter = ("business",)
    search_fields = ("=customer__wa_id", "customer__name")
    list_select_related = ("customer", "account", "business")
    fields = readonly_fields = ("business", "customer", "account", "balance", "created_at")

    @admin.display(description=gettext_lazy("balance"), ordering="account__balance_minor")
    def balance(self, obj):
        return obj.account.balance_display


@admin.register(FundingSource)
class FundingSourceAdmin(WrittenByServices, TenantAdmin):
    tenant_area = "payments"
    list_display = ("customer", "brand", "last4", "exp_month", "exp_year", "is_active", "business")
    list_filter = ("business", "brand")
    exclude = ("token",)


@admin.register(TopUp)
class TopUpAdmin(WrittenByServices, TenantAdmin):
    tenant_area = "payments"
    list_display = ("id", "created_at", "customer", "amount", "status", "failure_reason", "business")
    list_filter = ("status", "business")
    amount = money("amount_minor", gettext_lazy("amount"))


@admin.register(Transfer)
class TransferAdmin(WrittenByServices, TenantAdmin):
    tenant_area = "payments"
    list_display = ("id", "created_at", "sender", "recipient", "amount", "note", "business")
    list_filter = ("business",)
    search_fields = ("=sender__wa_id", "=recipient__wa_id")
    amount = money("amount_minor", gettext_lazy("amount"))


@admin.register(LedgerAccount)
class LedgerAccountAdmin(WrittenByServices, TenantAdmin):
    tenant_area = "payments"
    list_display = ("id", "kind", "customer", "currency", "balance", "business")
    list_filter = ("kind", "business")
    search_fields = ("=customer__wa_id",)
    list_select_related = ("customer", "business")
    balance = money("balance_minor", gettext_lazy("balance"))


class LedgerEntryInline(WrittenByServices, TenantInline, TabularInline):
    model = LedgerEntry
    tenant_area = "payments"
    fields = readonly_fields = ("account", "amount", "created_at")
    extra = 0

    amount = money("amount_minor", gettext_lazy("amount"))


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(WrittenByServices, TenantAdmin):
    tenant_area = "payments"
    list_display = ("id", "created_at", "kind", "reference", "shown_memo", "created_by", "business")
    fields = readonly_fields = ("business", "kind", "reference", "shown_memo", "created_by", "created_at")
    list_filter = ("kind", "business")
    search_fields = ("reference",)
    inlines = [LedgerEntryInline]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("memo"), ordering="memo")
    def shown_memo(self, txn):
        return shown_memo(txn.memo)


@admin.register(ProviderEvent)
class ProviderEventAdmin(WrittenByServices, ModelAdmin):
    """Provider callbacks are platform data: superusers only."""

    list_display = ("received_at", "provider", "event_type", "event_id", "reference", "outcome")
    search_fields = ("event_id", "reference")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Settlement)
class SettlementAdmin(WrittenByServices, TenantAdmin):
    tenant_area = "settlements"
    list_display = ("id", "created_at", "business", "payment_count", "gross", "refunds", "commission", "payout",
                    "status", "statement_links")
    list_filter = ("status", "business")
    list_select_related = ("business",)
    readonly_fields = ("business", "status", "period_start", "period_end", "payment_count", "refund_count", "gross",
                       "refunds", "commission", "net", "opening", "payout", "closing", "payout_account",
                       "payout_reference", "payout_failure", "disputes_held", "created_by", "created_at",
                       "statement_links")
    fields = readonly_fields
    change_list_template = "admin/payments/settlement/change_list.html"

    gross = money("gross_minor", gettext_lazy("gross"))
    refunds = money("refunds_minor", gettext_lazy("refunds"))
    commission = money("commission_minor", gettext_lazy("commission"))
    net = money("net_minor", gettext_lazy("net"))
    opening = money("opening_minor", gettext_lazy("brought forward"))
    payout = money("payout_minor", gettext_lazy("payout"))
    closing = money("closing_minor", gettext_lazy("carried forward"))

    @admin.display(description=gettext_lazy("disputes held from the payout"))
    def disputes_held(self, obj):
        """Disputes open when the statement was made: their amounts were not paid out."""
        rows = Dispute.objects.filter(business_id=obj.business_id, opened_at__lte=obj.period_end).exclude(
            resolved_at__lt=obj.period_end).select_related("payment__order")
        return format_html_join("", "<p>{} {} &middot; {} &middot; {}</p>", (
            (gettext("order"), d.payment.order.number, label(d.amount_minor, d.currency), d.get_status_display())
            for d in rows)) or gettext("none")

    @admin.display(description=gettext_lazy("statement"))
    def statement_links(self, obj):
        return format_html('<a href="{}">{}</a> · <a href="{}">CSV</a>',
                           reverse("admin:payments_settlement_statement", args=[obj.pk]), gettext("page"),
                           reverse("admin:payments_settlement_csv", args=[obj.pk]))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/statement/", wrap(self.statement_view), name="payments_settlement_statement"),
            path("<int:pk>/statement.csv", wrap(self.csv_view), name="payments_settlement_csv"),
            path("settle-now/", wrap(self.settle_now_view), name="payments_settlement_settle_now"),
            path("reconcile/", wrap(self.reconcile_view), name="payments_settlement_reconcile"),
        ] + super().get_urls()

    def _settlement(self, request, pk):
        return get_object_or_404(scope_queryset(Settlement.objects.select_related("business"), request.user,
                                                self.tenant_area), pk=pk)

    def _lines(self, settlement):
        return settlement.lines.select_related("payment__order", "refund__payment__order").order_by("id")

    def statement_view(self, request, pk):
        settlement = self._settlement(request, pk)
        cur = settlement.currency
        rows = [(line, label(line.gross_minor, cur), label(line.refund_minor, cur),
                 label(line.commission_minor, cur), label(line.net_minor, cur), self._kept(line))
                for line in self._lines(settlement)[:5000]]
        title = gettext("Settlement statement #%(number)s") % {"number": settlement.pk}
        context = {**self.admin_site.each_context(request), "title": title,
                   "settlement": settlement, "rows": rows, "opts": self.model._meta,
                   "totals": {name: label(getattr(settlement, f"{name}_minor"), cur)
                              for name in ("gross", "refunds", "commission", "net", "opening", "payout", "closing")}}
        return TemplateResponse(request, "admin/payments/settlement/statement.html", context)

    @staticmethod
    def _kept(line) -> str:
        """Why a line's commission stays although its payment was refunded (the statement says it)."""
        payment = line.payment if line.payment_id else None
        if payment is None or not line.commission_minor or not payment.refunded_minor:
            return ""
        if payment.refunded_minor >= payment.amount_minor:
            return gettext("Refunded in full since; the commission on the payment is kept.")
        return gettext("Refunded in part since; the commission on the payment is kept.")

    def csv_view(self, request, pk):
        settlement = self._settlement(request, pk)
        cur = settlement.currency
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="settlement-{settlement.pk}.csv"'
        out = SpreadsheetWriter(csv.writer(response))  # cells a spreadsheet would run are escaped
        out.writerow(["line", "order", "payment", "refund", "gross", "refund_amount", "commission", "net", "currency"])
        for line in self._lines(settlement).iterator(chunk_size=2000):
            order = (line.payment.order if line.payment_id else line.refund.payment.order).number
            out.writerow([line.pk, order, line.payment_id or "", line.refund_id or "",
                          format_major(line.gross_minor, cur), format_major(line.refund_minor, cur),
                          format_major(line.commission_minor, cur), format_major(line.net_minor, cur), cur])
        out.writerow(["total", "", settlement.payment_count, settlement.refund_count,
                      format_major(settlement.gross_minor, cur), format_major(settlement.refunds_minor, cur),
                      format_major(settlement.commission_minor, cur), format_major(settlement.net_minor, cur), cur])
        out.writerow(["payout", "", "", "", "", "", "", format_major(settlement.payout_minor, cur), cur])
        return response

    def settle_now_view(self, request):
        """POST: settle now every business where the user may settle: platform staff all, an owner
        their own (settle_business settles each payment once, whoever runs it and however often)."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:payments_settlement_changelist"))
        businesses = Business.objects.exclude(payout_account="")
        if not request.user.is_superuser:
            businesses = businesses.filter(pk__in=business_ids(request.user, self.tenant_area, CHANGE))
        if not request.user.is_superuser and not businesses:
            self.message_user(request, gettext("You may not settle businesses."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:payments_settlement_changelist"))
        done = 0
        for business in businesses:
            try:
                done += services.settle_business(business=business, actor=request.user) is not None
            except DomainError as exc:
                self.message_user(request, f"{business}: {exc.message}", messages.WARNING)
        self.message_user(request, ngettext("%(count)s settlement made.", "%(count)s settlements made.", done)
                          % {"count": done}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:payments_settlement_changelist"))

    def reconcile_view(self, request):
        if not request.user.is_superuser:
            self.message_user(request, gettext("Reconciliation is for platform staff."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:payments_settlement_changelist"))
        context = {**self.admin_site.each_context(request), "title": gettext("Ledger reconciliation"),
                   "differences": services.reconcile(), "opts": self.model._meta}
        return TemplateResponse(request, "admin/payments/settlement/reconcile.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_settle": request.user.is_superuser or bool(
            business_ids(request.user, self.tenant_area, CHANGE)), "can_reconcile": request.user.is_superuser}
        return super().changelist_view(request, extra_context)


class OrderWithPaymentsAdmin(PaymentsWorkspace, OrderAdmin):
    """The order workspace with its money: payments, ledger lines, refunds (full or part, with a
    confirmation and a once-only key), and a "cancel" that refunds a paid order first.
    Registered in place of orders' own admin: payments sits above orders, so it extends the
    page rather than orders knowing payments (payments/workspace.py)."""


admin.site.unregister(Order)
admin.site.register(Order, OrderWithPaymentsAdmin)


from . import dispute_admin, provider_admin  # noqa: E402,F401  (admins of this app, in modules of their own)
