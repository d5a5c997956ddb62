"""The order workspace: one page per order with its lines, totals, customer, address and
timeline (orders.timeline), and the actions its status allows (ship with carrier and tracking,
deliver, cancel with a reason, add a note; payments adds refunds). Every action is a POST that
calls the one service for it and comes back to the page with what happened; nothing here
decides a rule (lifecycle.can_transition says which actions show)."""
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shopchat.channels import undelivered_messages
from shopchat.errors import DomainError
from shopchat.money import label

from . import services
from .models import Order, OrderLine
from .timeline import timeline

Status = Order.Status


class ShipForm(forms.Form):
    carrier = forms.CharField(label=gettext_lazy("Carrier"), max_length=100, required=False)
    tracking_number = forms.CharField(label=gettext_lazy("Tracking number"), max_length=100, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300,
                             help_text=gettext_lazy("Kept in the order's history."))


class NoteForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Note"), max_length=services.notes.MAX_NOTE,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("Internal: the customer never sees it."))


def delivery_lines(order: Order) -> list[str]:
    """The order's structured delivery address (its snapshot at placement), line by line."""
    address = order.delivery_address or {}
    if not address:
        return []
    lines = [address.get(k) for k in ("name", "line1", "line2") if address.get(k)]
    lines.append(" ".join(p for p in (address.get("postcode"), address.get("city")) if p))
    lines += [address.get(k) for k in ("region", "country") if address.get(k)]
    if address.get("phone"):
        lines.append(f"+{address['phone']}")
    if address.get("latitude") is not None:
        lines.append(f"pin {address['latitude']}, {address['longitude']}")
    return [str(line) for line in lines if line]


def named(title: str, name: str) -> str:
    """A totals row's title with what it was (the shipping option, the coupon code)."""
    return f"{title} ({name})" if name else title


class OrderWorkspace:
    """Mixed into OrderAdmin: the change page is the workspace (nothing on an order is edited
    as a form; it moves through its actions)."""

    workspace_template = "admin/orders/order/workspace.html"

    # --- the page ---------------------------------------------------------------------------
    def workspace_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/ship/", view(self.ship_view), name="orders_order_ship"),
            path("<path:object_id>/deliver/", view(self.deliver_view), name="orders_order_deliver"),
            path("<path:object_id>/cancel/", view(self.cancel_view), name="orders_order_cancel"),
            path("<path:object_id>/note/", view(self.note_view), name="orders_order_note"),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self._order(request, object_id)
        return TemplateResponse(request, self.workspace_template, self.workspace_context(request, order))

    def _order(self, request, object_id, change=False) -> Order:
        order = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        allowed = (self.has_change_permission(request, order) if change  # type: ignore[attr-defined]
                   else self.has_view_permission(request, order))  # type: ignore[attr-defined]
        if order is None or not allowed:
            raise Http404
        return order

    def workspace_context(self, request, order: Order) -> dict:
        currency = order.currency
        lines = OrderLine.objects.filter(order=order).order_by("id")
        totals = [(_("Subtotal"), label(order.subtotal_minor, currency)), (_("Tax"), label(order.tax_minor, currency)),
                  (named(_("Shipping"), order.shipping_method), label(order.shipping_minor, currency))]
        if order.discount_minor:
            totals.append((named(_("Discount"), order.discount_label), label(-order.discount_minor, currency)))
        totals.append((_("Total"), label(order.total_minor, currency)))
        if order.refunded_minor:
            totals.append((_("Refunded"), label(-order.refunded_minor, currency)))
        customer = order.customer
        return {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "title": _("Order %(number)s") % {"number": order.number},
            "opts": Order._meta, "order": order, "status_label": order.get_status_display(),
            "lines": [{"line": line, "unit": label(line.unit_price_minor, currency),
                       "total": label(line.line_total_minor, currency)} for line in lines],
            "totals": totals,
            "customer": customer,
            "delivery_lines": delivery_lines(order), "fulfilment": order.get_fulfilment_display(),
            "customer_url": reverse("admin:shopchat_customer_change", args=[customer.pk]),
            "timeline": timeline(order, request.user),
            "actions": self.workspace_actions(request, order) if self.has_change_permission(request, order)  # type: ignore[attr-defined]
            else [],
            "undelivered": undelivered_messages(business=order.business, order_number=order.number),
            "list_url": reverse("admin:orders_order_changelist"),
        }

    def workspace_actions(self, request, order: Order) -> list[dict]:
        """The actions the order's status allows, each with its form and where it posts."""
        actions = []
        if services.can_transition(order, Status.SHIPPED):
            actions.append({"key": "ship", "title": _("Mark shipped"), "form": ShipForm(prefix="ship"),
                            "url": reverse("admin:orders_order_ship", args=[order.pk])})
        if services.can_transition(order, Status.DELIVERED):
            actions.append({"key": "deliver", "title": _("Mark delivered"), "form": None,
                            "url": reverse("admin:orders_order_deliver", args=[order.pk])})
        if services.can_transition(order, Status.CANCELLED):
            paid = order.paid_at is not None and order.refunded_minor < order.total_minor
            actions.append({"key": "cancel", "title": _("Cancel and refund") if paid else _("Cancel order"),
                            "form": CancelForm(prefix="cancel"), "danger": True,
                            "url": reverse("admin:orders_order_cancel", args=[order.pk])})
        actions.append({"key": "note", "title": _("Add a note"), "form": NoteForm(prefix="note"),
                        "url": reverse("admin:orders_order_note", args=[order.pk])})
        return actions

    # --- the actions ------------------------------------------------------------------------
    def _back(self, order: Order):
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))

    def _act(self, request, object_id, form_class, prefix, operation, done: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        order = self._order(request, object_id, change=True)
        form = form_class(request.POST, prefix=prefix) if form_class else None
        if form is not None and not form.is_valid():
            for field, errors in form.errors.items():
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: "
                                        f"{' '.join(errors)}")
            return self._back(order)
        try:
            operation(order, form.cleaned_data if form is not None else {})
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return self._back(order)

    def ship_view(self, request, object_id):
        return self._act(request, object_id, ShipForm, "ship", lambda order, data: services.ship_order(
            order=order, carrier=data["carrier"], tracking_number=data["tracking_number"], actor=request.user),
            _("Marked shipped; the customer is told in the chat."))

    def deliver_view(self, request, object_id):
        return self._act(request, object_id, None, "", lambda order, data: services.deliver_order(
            order=order, actor=request.user), _("Marked delivered."))

    def cancel_view(self, request, object_id):
        return self._act(request, object_id, CancelForm, "cancel", lambda order, data: self.cancel(
            order, request.user, reason=data["reason"]), _("Order cancelled."))

    def note_view(self, request, object_id):
        return self._act(request, object_id, NoteForm, "note", lambda order, data: services.add_order_note(
            order=order, author=request.user, text=data["text"]), _("Note added."))

    def cancel(self, order: Order, actor, reason: str = "") -> Order:
        return services.cancel_order(order=order, actor=actor, reason=reason or "cancelled by the shop")
