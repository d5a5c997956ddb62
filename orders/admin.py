"""Back office for orders: a list that stays fast at a million orders, an order page with lines,
totals, customer, address, status history and the chat messages WhatsApp failed to deliver, and
the fulfilment actions (ship with tracking numbers, deliver, cancel), all through the services.

The payments app extends this page with the order's payments and refunds, and makes "cancel"
refund paid orders first (payments/admin.py registers its subclass in place of this one)."""
from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

from shopchat.channels import undelivered_messages
from shopchat.errors import DomainError
from shopchat.money import display
from shopchat.tenancy import TenantAdmin, TenantInline, WrittenByServices
from shopchat.validators import normalize_wa_id

from . import services
from .models import Cart, CartItem, CustomerAddress, Order, OrderLine, OrderTransition

SHIP_AT_ONCE = 100


class BoundedCountPaginator(Paginator):
    """Counts at most LIMIT + 1 rows, so a list over a million orders never waits on an exact COUNT(*)."""

    LIMIT = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.LIMIT + 1].count()


class PaidFilter(admin.SimpleListFilter):
    title = "paid"
    parameter_name = "paid"

    def lookups(self, request, model_admin):
        return (("yes", "Paid"), ("no", "Not paid"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(paid_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(paid_at__isnull=True)
        return queryset


class ReadOnlyInline(WrittenByServices, TenantInline):
    tenant_area = "orders"
    extra = 0
    can_delete = False


class OrderLineInline(ReadOnlyInline, admin.TabularInline):
    model = OrderLine
    fields = ("retailer_id", "title", "quantity", "unit_price", "line_total")
    readonly_fields = fields

    @admin.display(description="unit price")
    def unit_price(self, line):
        return display(line.unit_price_minor, line.order.currency)

    @admin.display(description="line total")
    def line_total(self, line):
        return display(line.line_total_minor, line.order.currency)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order")


class OrderTransitionInline(ReadOnlyInline, admin.TabularInline):
    model = OrderTransition
    verbose_name = "status change"
    verbose_name_plural = "status history"
    fields = ("created_at", "from_status", "to_status", "actor_label", "note")
    readonly_fields = fields


class ShipForm(forms.Form):
    carrier = forms.CharField(max_length=100, required=False, help_text="For all the orders below.")

    def __init__(self, *args, orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.orders = list(orders)
        for order in self.orders:
            self.fields[f"tracking_{order.pk}"] = forms.CharField(
                label=f"Tracking number of {order.number}", max_length=100, required=False)

    def rows(self):
        return [(order, self[f"tracking_{order.pk}"]) for order in self.orders]


def _money(field, label):
    """A read-only column showing the order's amount `field` in its currency."""
    @admin.display(description=label)
    def show(self, order):
        return display(getattr(order, field), order.currency)
    return show


@admin.register(Order)
class OrderAdmin(TenantAdmin):
    tenant_area = "orders"
    list_display = ("number", "created_at", "customer_display", "status", "total_display", "is_paid",
                    "tracking_number")
    list_filter = ("status", ("created_at", admin.DateFieldListFilter), PaidFilter)
    search_fields = ("=number", "=customer__wa_id", "customer__name")
    search_help_text = "Order number, customer phone (as digits) or customer name."
    list_select_related = ("customer",)
    show_full_result_count = False
    paginator = BoundedCountPaginator
    ordering = ("-created_at",)
    inlines = [OrderLineInline, OrderTransitionInline]
    actions = ["mark_shipped", "mark_delivered", "cancel_orders"]
    fieldsets = (
        (None, {"fields": ("number", "status", "business", "customer_link", "created_at", "expires_at")}),
        ("Totals", {"fields": ("subtotal_display", "tax_display", "shipping_display", "discount_display",
                               "total_display", "refunded_display")}),
        ("Delivery", {"fields": ("fulfilment", "address", "delivery_address_display", "note", "carrier",
                                 "tracking_number")}),
        ("Dates", {"fields": ("paid_at", "shipped_at", "delivered_at", "cancelled_at", "updated_at")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append(("Refunds and chat", {"fields": self.order_page_fields(request, obj)}))
        return fieldsets

    @admin.display(description="Delivery address")
    def delivery_address_display(self, order):
        address = order.delivery_address or {}
        if not address:
            return "-"
        lines = [address.get(k) for k in ("name", "line1", "line2") if address.get(k)]
        lines.append(" ".join(p for p in (address.get("postcode"), address.get("city")) if p))
        lines += [address.get(k) for k in ("region", "country") if address.get(k)]
        if address.get("phone"):
            lines.append(f"+{address['phone']}")
        if address.get("latitude") is not None:
            lines.append(f"pin {address['latitude']}, {address['longitude']}")
        return format_html_join(format_html("<br>"), "{}", ((line,) for line in lines if line))

    def order_page_fields(self, request, order) -> tuple:
        """The last section of the order page; apps above add their fields to it."""
        return ("failed_chat_messages",)

    def cancel(self, order, actor):
        """The "cancel" action's operation (payments makes it refund paid orders first)."""
        return services.cancel_order(order=order, actor=actor, reason="cancelled by the shop")

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.get_fieldsets(request, obj) for f in fieldset[1]["fields"]]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("business", "customer")

    def get_search_results(self, request, queryset, search_term):
        digits = normalize_wa_id(search_term)
        if digits.isdigit() and 8 <= len(digits) <= 15:  # "+91 98xxx ..." as typed: the customer's phone
            return queryset.filter(customer__wa_id=digits), False
        return super().get_search_results(request, queryset, search_term.strip())

    def has_add_permission(self, request):
        return False  # orders come from the chat; the back office moves them on

    def has_delete_permission(self, request, obj=None):
        return False

    # --- columns and read-only fields ---------------------------------------------------
    @admin.display(description="customer", ordering="customer__name")
    def customer_display(self, order):
        return f"{order.customer.name or 'Customer'} (+{order.customer.wa_id})"

    @admin.display(description="customer")
    def customer_link(self, order):
        return format_html('<a href="/admin/shopchat/customer/{}/change/">{}</a>', order.customer_id,
                           self.customer_display(order))

    @admin.display(description="paid", boolean=True)
    def is_paid(self, order):
        return order.paid_at is not None

    subtotal_display = _money("subtotal_minor", "subtotal")
    tax_display = _money("tax_minor", "tax")
    shipping_display = _money("shipping_minor", "shipping")
    discount_display = _money("discount_minor", "discount")
    total_display = _money("total_minor", "total")
    refunded_display = _money("refunded_minor", "refunded")

    @admin.display(description="chat messages not delivered")
    def failed_chat_messages(self, order):
        undelivered = undelivered_messages(business=order.business, order_number=order.number)
        return format_html_join("", "<p>{} &middot; {} &middot; error {}: {}</p>", (
            (m.status_at.strftime("%Y-%m-%d %H:%M") if m.status_at else "-", m.kind, m.error_code or "-",
             m.error_title or "-") for m in undelivered)) or "None"

    # --- actions (through the services) -------------------------------------------------
    def _apply(self, request, queryset, verb, operation):
        done, failed = 0, []
        for order in queryset:
            try:
                operation(order)
                done += 1
            except DomainError as exc:
                failed.append(f"{order.number}: {exc.message}")
        if done:
            self.message_user(request, f"{done} order(s) {verb}.", messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return (*shown, "business") if request.user.is_superuser else shown

    @admin.action(description="Mark shipped (with tracking numbers)", permissions=["change"])
    def mark_shipped(self, request, queryset):
        orders = list(queryset.order_by("created_at")[:SHIP_AT_ONCE + 1])
        if len(orders) > SHIP_AT_ONCE:
            orders = orders[:SHIP_AT_ONCE]
            self.message_user(request, f"Only the first {SHIP_AT_ONCE} orders are shown; ship the rest next.",
                              messages.WARNING)
        if "apply" in request.POST:
            form = ShipForm(request.POST, orders=orders)
            if form.is_valid():
                carrier = form.cleaned_data["carrier"]
                tracking = {o.pk: form.cleaned_data[f"tracking_{o.pk}"] for o in orders}
                self._apply(request, orders, "marked shipped", lambda order: services.ship_order(
                    order=order, tracking_number=tracking[order.pk], carrier=carrier, actor=request.user))
                return None
        else:
            form = ShipForm(orders=orders)
        context = {
            **self.admin_site.each_context(request), "title": "Mark orders shipped", "form": form,
            "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/orders/order/ship_orders.html", context)

    @admin.action(description="Mark delivered", permissions=["change"])
    def mark_delivered(self, request, queryset):
        self._apply(request, queryset, "marked delivered",
                    lambda order: services.deliver_order(order=order, actor=request.user))

    @admin.action(description="Cancel (paid orders are refunded)", permissions=["change"])
    def cancel_orders(self, request, queryset):
        self._apply(request, queryset, "cancelled", lambda order: self.cancel(order, request.user))


class CartItemInline(TenantInline, admin.TabularInline):
    tenant_area = "customers"
    model = CartItem
    extra = 0
    fields = ("product", "quantity", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Cart)
class CartAdmin(TenantAdmin):
    """Read-only: carts belong to the chat; staff look at them to help a customer."""

    tenant_area = "customers"
    list_display = ("customer", "updated_at")
    list_select_related = ("customer",)
    search_fields = ("=customer__wa_id", "customer__name")
    readonly_fields = ("business", "customer", "created_at", "updated_at")
    inlines = [CartItemInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CustomerAddress)
class CustomerAddressAdmin(TenantAdmin):
    """The customers' saved delivery addresses (read-only: the customer gives them in the chat
    or the gateway saves them through the API)."""

    tenant_area = "customers"
    list_display = ("customer", "label", "line1", "city", "postcode", "country", "last_used_at")
    list_select_related = ("customer",)
    search_fields = ("=customer__wa_id", "customer__name", "postcode")
    readonly_fields = ("business", "customer", "label", "name", "line1", "line2", "city", "postcode", "region",
                       "country", "phone", "latitude", "longitude", "last_used_at", "created_at", "updated_at")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
