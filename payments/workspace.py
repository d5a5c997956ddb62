"""The order workspace's money (payments sits above orders, so it extends the page): the order's
payments, its ledger lines, the refund action (full or part: amount, reason, a confirmation page,
and an Idempotency-Key carried by the form so a double click or a resent form refunds once), and
"cancel" that refunds a paid order first. The timeline gets payments and refunds
(`timeline_entries`, registered in PaymentsConfig.ready()). Money moves only in the services."""
import hashlib
import uuid

from django import forms
from django.contrib import messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.models import Order
from orders.timeline import Entry
from shopchat.backoffice.forms import MoneyField
from shopchat.errors import DomainError
from shopchat.idempotency import run_once
from shopchat.money import format_major, label
from shopchat.tenancy import business_ids

from . import services
from .models import Dispute, LedgerEntry, Payment, Refund


class RefundForm(forms.Form):
    amount = MoneyField(label=gettext_lazy("Amount"), help_text=gettext_lazy("Part or all of what is left."))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200,
                             help_text=gettext_lazy("Shown to the customer with the refund."))
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, currency: str, left: int, **kwargs):
        super().__init__(*args, **kwargs)
        amount = self.fields["amount"]
        assert isinstance(amount, MoneyField)
        amount.set_currency(currency)
        amount.label = _("Amount (%(currency)s)") % {"currency": currency}
        self.left = left
        self.currency = currency

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is None or amount <= 0:
            raise forms.ValidationError(_("The refund must be more than zero."))
        if amount > self.left:
            raise forms.ValidationError(_("At most %(left)s can still be refunded.") % {
                "left": label(self.left, self.currency)})
        return amount


def refundable(order: Order) -> int:
    """What is left to refund of the order's captured payment (0 when nothing is)."""
    payment = Payment.objects.filter(order=order, status=Payment.Status.CAPTURED).only(
        "amount_minor", "refunded_minor").first()
    return max(payment.amount_minor - payment.refunded_minor, 0) if payment else 0


def timeline_entries(order: Order, user) -> list[Entry]:
    entries = []
    for p in Payment.objects.filter(order=order).order_by("created_at"):
        title = _("Payment %(status)s: %(amount)s by %(method)s") % {
            "status": p.get_status_display().lower(), "amount": label(p.amount_minor, p.currency),
            "method": p.get_method_display()}
        entries.append(Entry(p.captured_at or p.created_at, "payment", title, p.failure_reason or ""))
    for r in Refund.objects.filter(payment__order=order).select_related("created_by").order_by("created_at"):
        entries.append(Entry(r.created_at, "refund", _("Refunded %(amount)s") % {
            "amount": label(r.amount_minor, r.currency)}, r.reason, r.created_by.get_username() if r.created_by else
            _("by the system")))
    for d in Dispute.objects.filter(payment__order=order).order_by("opened_at"):
        entries.append(Entry(d.opened_at, "payment", _("Dispute %(status)s: %(amount)s") % {
            "status": d.get_status_display(), "amount": label(d.amount_minor, d.currency)}, d.reason))
    return entries


class PaymentsWorkspace:
    """Mixed into the order admin that payments registers (OrderWithPaymentsAdmin)."""

    def workspace_urls(self):
        view = self.admin_site.admin_view
        return [path("<path:object_id>/refund/", view(self.refund_view), name="orders_order_refund"),
                *super().workspace_urls()]

    def sees_payments(self, request, order: Order) -> bool:
        return request.user.is_superuser or order.business_id in business_ids(request.user, "payments")

    def may_refund(self, request, order: Order) -> bool:
        return request.user.is_superuser or order.business_id in business_ids(request.user, "payments", "change")

    def workspace_context(self, request, order: Order) -> dict:
        context = super().workspace_context(request, order)  # type: ignore[misc]
        if not self.sees_payments(request, order):
            return {**context, "payments": None}
        payments = list(Payment.objects.filter(order=order).order_by("created_at"))
        refs = [f"payment:{p.pk}" for p in payments] + [
            f"refund:{pk}" for pk in Refund.objects.filter(payment__order=order).values_list("pk", flat=True)]
        entries = (LedgerEntry.objects.filter(transaction__reference__in=refs)
                   .select_related("account", "transaction").order_by("transaction_id", "id"))
        context.update({
            "payments": [{"payment": p, "amount": label(p.amount_minor, p.currency),
                          "refunded": label(p.refunded_minor, p.currency) if p.refunded_minor else "",
                          "method": p.get_method_display(), "status": p.get_status_display(),
                          "url": reverse("admin:payments_payment_change", args=[p.pk])} for p in payments],
            "ledger": [{"entry": e, "amount": label(e.amount_minor, e.currency),
                        "kind": e.transaction.get_kind_display(), "account": e.account.get_kind_display()}
                       for e in entries],
        })
        return context

    def workspace_actions(self, request, order: Order) -> list[dict]:
        actions = super().workspace_actions(request, order)  # type: ignore[misc]
        left = refundable(order) if self.may_refund(request, order) and order.paid_at else 0
        if left:
            form = RefundForm(prefix="refund", currency=order.currency, left=left,
                              initial={"amount": format_major(left, order.currency)})
            actions.insert(0, {"key": "refund", "title": _("Refund"), "form": form, "button": _("Continue"),
                               "url": reverse("admin:orders_order_refund", args=[order.pk]),
                               "note": _("Left to refund: %(left)s") % {"left": label(left, order.currency)}})
        return actions

    def refund_view(self, request, object_id):
        """POST the refund form: a confirmation page (with a fresh key); POST it again with
        `confirm`: the refund, made once for that key however often it arrives."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        order = self._order(request, object_id, change=True)
        back = HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))
        if not self.may_refund(request, order):
            messages.error(request, _("Your role does not include refunds."))
            return back
        left = refundable(order)
        key = request.POST.get("refund-key", "")
        # On the confirmed step the service checks what is left; a resent form must reach the
        # key's stored answer even when the first one refunded everything.
        confirmed = "confirm" in request.POST and bool(key)
        form = RefundForm(request.POST, prefix="refund", currency=order.currency, left=2**62 if confirmed else left)
        if not confirmed:
            if not form.is_valid():
                for errors in form.errors.values():
                    messages.error(request, " ".join(errors))
                return back
            return TemplateResponse(request, "admin/payments/order/refund_confirm.html", {
                **self.admin_site.each_context(request),
                "title": _("Refund order %(number)s?") % {"number": order.number}, "order": order,
                "opts": Order._meta, "amount": label(form.cleaned_data["amount"], order.currency),
                "left": label(left, order.currency), "reason": form.cleaned_data["reason"],
                "typed_amount": request.POST.get("refund-amount", ""), "key": uuid.uuid4().hex,
                "to_card": Payment.objects.filter(order=order, status=Payment.Status.CAPTURED,
                                                  method=Payment.Method.CARD).exists(),
                "back_url": reverse("admin:orders_order_change", args=[order.pk]),
            })
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return back
        amount, reason = form.cleaned_data["amount"], form.cleaned_data["reason"]
        print_ = hashlib.sha256(f"refund {order.pk} {amount} {reason}".encode()).hexdigest()
        try:
            refund, fresh = run_once(
                business_id=order.business_id, key=f"backoffice-refund:{key}"[:255], fingerprint=print_,
                operation=lambda: services.refund_order(order=order, amount_minor=amount, actor=request.user,
                                                        reason=reason),
                describe=lambda refund: {"refund": refund.pk})
        except DomainError as exc:
            messages.error(request, exc.message)
            return back
        if fresh:
            messages.success(request, _("Refunded %(amount)s.") % {"amount": label(amount, order.currency)})
        else:
            messages.info(request, _("This refund was already made (the form was sent twice); nothing more "
                                     "was refunded."))
        return back

    def cancel(self, order: Order, actor, reason: str = "") -> Order:
        return services.cancel_order(order=order, actor=actor, reason=reason or "cancelled by the shop")
