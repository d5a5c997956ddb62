"""Back office for orders: a list that stays fast at a million orders, an order page with lines,
totals, customer, address, status history and the chat messages WhatsApp failed to deliver, and
the fulfilment actions (ship with tracking numbers, deliver, cancel), all through the services.

The payments app extends this page with the order's payments and refunds, and makes "cancel"
refund paid orders first (payments/admin.py registers its subclass in place of this one)."""
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline  # type: ignore[import-untyped,unused-ignore]  # no py.typed
from unfold.contrib.filters.admin import AutocompleteSelectFilter  # type: ignore[import-untyped,unused-ignore]  # no py.typed

from shopchat.backoffice.forms import MoneyFieldsMixin
from shopchat.dashboard import period_for
from shopchat.errors import DomainError
from shopchat.models import Business
from shopchat.money import label
from shopchat.tenancy import TenantAdmin, TenantInline, WrittenByServices
from shopchat.validators import normalize_wa_id

from . import services
from .dashboard import WINDOWS, window
from .export import export_orders
from .models import (
    Cart,
    CartItem,
    CustomerAddress,
    Discount,
    DiscountRedemption,
    Order,
    ShippingBand,
    ShippingOption,
    ShippingZone,
)
from .workspace import OrderWorkspace

SHIP_AT_ONCE = 100
# What the bulk actions report (the count picks the plural form when it is filled in).
SHIPPED = ngettext_lazy("%(count)s order marked shipped.", "%(count)s orders marked shipped.", "count")
DELIVERED = ngettext_lazy("%(count)s order marked delivered.", "%(count)s orders marked delivered.", "count")
CANCELLED = ngettext_lazy("%(count)s order cancelled.", "%(count)s orders cancelled.", "count")


class BoundedCountPaginator(Paginator):
    """Counts at most LIMIT + 1 rows, so a list over a million orders never waits on an exact COUNT(*)."""

    LIMIT = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.LIMIT + 1].count()


class WindowFilter(admin.SimpleListFilter):
    """Orders paid (or placed) today / in 7 / in 30 days, in the business's time zone: the
    windows the dashboard's tiles count, so a tile and the list it opens agree."""

    field = "paid_at"

    def lookups(self, request, model_admin):
        return [("today", _("Today")), ("7d", _("Last 7 days")), ("30d", _("Last 30 days"))]

    def queryset(self, request, queryset):
        key = self.value()
        period = period_for(request.user)
        if key == "24h":
            return queryset.filter(**{f"{self.field}__gte": period.now - timedelta(hours=24)})
        if key in WINDOWS:
            return queryset.filter(**{f"{self.field}__gte": window(period, key)[0]})
        return queryset


class PaidInFilter(WindowFilter):
    title = _("paid in")
    parameter_name = "paid_in"


class PlacedInFilter(WindowFilter):
    title = _("placed in")
    parameter_name = "placed_in"
    field = "created_at"

    def lookups(self, request, model_admin):
        return [("24h", _("Last 24 hours")), *super().lookups(request, model_admin)]


class PaidFilter(admin.SimpleListFilter):
    title = _("paid")
    parameter_name = "paid"

    def lookups(self, request, model_admin):
        return (("yes", _("Paid")), ("no", _("Not paid")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(paid_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(paid_at__isnull=True)
        return queryset


class ShipForm(forms.Form):
    carrier = forms.CharField(max_length=100, required=False, help_text=_("For all the orders below."))

    def __init__(self, *args, orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.orders = list(orders)
        for order in self.orders:
            self.fields[f"tracking_{order.pk}"] = forms.CharField(
                label=_("Tracking number of %(number)s") % {"number": order.number}, max_length=100, required=False)

    def rows(self):
        return [(order, self[f"tracking_{order.pk}"]) for order in self.orders]


def _money(field, title):
    """A read-only column showing the order's amount `field` in its currency."""
    @admin.display(description=title)
    def show(self, order):
        return label(getattr(order, field), order.currency)
    return show


@admin.register(Order)
class OrderAdmin(OrderWorkspace, TenantAdmin):
    """The order list (filters, search, CSV export, bulk actions) and, as its change page, the
    order workspace (orders/workspace.py)."""

    tenant_area = "orders"
    list_display = ("number", "created_at", "customer_display", "status", "total_display", "is_paid",
                    "tracking_number")
    list_filter = ("status", PaidFilter, PlacedInFilter, PaidInFilter, ("created_at", admin.DateFieldListFilter),
                   ("customer", AutocompleteSelectFilter))
    search_fields = ("=number",)
    search_help_text = _("Order number (with or without its prefix), customer phone (with or without the "
                         "country code), customer name or tracking number.")
    list_select_related = ("customer",)
    show_full_result_count = False
    paginator = BoundedCountPaginator
    ordering = ("-created_at",)
    actions = ["mark_shipped", "mark_delivered", "cancel_orders"]
    change_list_template = "admin/orders/order/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("export.csv", view(self.export_view), name="orders_order_export"),
                *self.workspace_urls(), *super().get_urls()]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("business", "customer")

    def get_search_results(self, request, queryset, search_term):
        """One OR of what a merchant types: the number as printed ("DG-1042"), the bare number
        ("1042"), the phone with or without its country code, the customer's name, a tracking number."""
        term = search_term.strip()
        if not term:
            return queryset, False
        match = Q(number__iexact=term) | Q(tracking_number=term) | Q(customer__name__icontains=term)
        bare = term.lstrip("#")
        if bare.isdigit() and len(bare) < 10:
            match |= Q(sequence=int(bare))
        digits = normalize_wa_id(term)
        if digits.isdigit() and 6 <= len(digits) <= 15:
            match |= Q(customer__wa_id=digits) | Q(customer__wa_id__endswith=digits)
        return queryset.filter(match), False

    def has_add_permission(self, request):
        return False  # orders come from the chat; the back office moves them on

    def has_delete_permission(self, request, obj=None):
        return False

    # --- columns and read-only fields ---------------------------------------------------
    @admin.display(description=_("customer"), ordering="customer__name")
    def customer_display(self, order):
        return f"{order.customer.name or gettext('Customer')} (+{order.customer.wa_id})"

    @admin.display(description=_("paid"), boolean=True)
    def is_paid(self, order):
        return order.paid_at is not None

    total_display = _money("total_minor", _("total"))

    # --- actions (through the services) -------------------------------------------------
    def _apply(self, request, queryset, done_message, operation):
        done, failed = 0, []
        for order in queryset:
            try:
                operation(order)
                done += 1
            except DomainError as exc:
                failed.append(f"{order.number}: {exc.message}")
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return (*shown, "business") if request.user.is_superuser else shown

    @admin.action(description=_("Mark shipped (with tracking numbers)"), permissions=["change"])
    def mark_shipped(self, request, queryset):
        # Only what can ship: paid (or partly refunded) and not shipped yet.
        queryset = queryset.filter(status__in=(Order.Status.PAID, Order.Status.PARTLY_REFUNDED),
                                   shipped_at__isnull=True)
        orders = list(queryset.order_by("created_at")[:SHIP_AT_ONCE + 1])
        if not orders:
            self.message_user(request, _("None of the selected orders can ship (only paid orders not yet shipped)."),
                              messages.WARNING)
            return None
        if len(orders) > SHIP_AT_ONCE:
            orders = orders[:SHIP_AT_ONCE]
            self.message_user(request, _("Only the first %(count)s orders are shown; ship the rest next.")
                              % {"count": SHIP_AT_ONCE},
                              messages.WARNING)
        if "apply" in request.POST:
            form = ShipForm(request.POST, orders=orders)
            if form.is_valid():
                carrier = form.cleaned_data["carrier"]
                tracking = {o.pk: form.cleaned_data[f"tracking_{o.pk}"] for o in orders}
                self._apply(request, orders, SHIPPED, lambda order: services.ship_order(
                    order=order, tracking_number=tracking[order.pk], carrier=carrier, actor=request.user))
                return None
        else:
            form = ShipForm(orders=orders)
        context = {
            **self.admin_site.each_context(request), "title": _("Mark orders shipped"), "form": form,
            "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/orders/order/ship_orders.html", context)

    @admin.action(description=_("Mark delivered"), permissions=["change"])
    def mark_delivered(self, request, queryset):
        self._apply(request, queryset, DELIVERED,
                    lambda order: services.deliver_order(order=order, actor=request.user))

    @admin.action(description=_("Cancel (paid orders are refunded)"), permissions=["change"])
    def cancel_orders(self, request, queryset):
        self._apply(request, queryset, CANCELLED, lambda order: self.cancel(order, request.user))

    # --- CSV export -------------------------------------------------------------------------
    def export_view(self, request):
        """The list as it is filtered and searched, as CSV (cells that a spreadsheet would run as
        a formula are escaped)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return export_orders(changelist.get_queryset(request))


class CartItemInline(TenantInline, TabularInline):
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


class BusinessMoneyForm(MoneyFieldsMixin, forms.ModelForm):
    """Amounts in major units of the business's currency: the row's business, else the one
    posted or chosen as initial (a new row), else the default."""

    def currency_of(self) -> str:
        posted = self.data.get(self.add_prefix("business")) if self.is_bound else None
        pk = getattr(posted or self.initial.get("business"), "pk", posted or self.initial.get("business"))
        if isinstance(pk, int | str) and str(pk).isdigit():
            found = Business.objects.filter(pk=int(pk)).values_list("currency", flat=True).first()
            if found:
                return found
        return super().currency_of()


@admin.register(ShippingZone)
class ShippingZoneAdmin(TenantAdmin):
    """Where the shop delivers: a country, or only some of its postcodes."""

    tenant_area = "settings"
    list_display = ("name", "country", "postcode_prefixes")
    search_fields = ("name", "postcode_prefixes")
    fields = ("business", "name", "country", "postcode_prefixes")


class ShippingBandForm(MoneyFieldsMixin, forms.ModelForm):
    money_fields = ("from_minor", "price_minor")

    class Meta:
        model = ShippingBand
        fields = ("from_minor", "price_minor")


class ShippingBandInline(TenantInline, TabularInline):
    tenant_area = "settings"
    model = ShippingBand
    form = ShippingBandForm
    extra = 1
    fields = ("from_minor", "price_minor")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:  # the bands are in the option's business's currency
            formset.form = type("ShippingBandForm", (formset.form,), {"default_currency": obj.business.currency})
        return formset


class ShippingOptionForm(BusinessMoneyForm):
    money_fields = ("price_minor", "free_over_minor")

    class Meta:
        model = ShippingOption
        fields = ("business", "code", "name", "description", "kind", "zone", "price_minor", "free_over_minor",
                  "position", "is_active")
        labels = {"price_minor": _("Price"), "free_over_minor": _("Free from")}


@admin.register(ShippingOption)
class ShippingOptionAdmin(TenantAdmin):
    """The shop's shipping options (delivery into a zone, or pickup in store) and their prices,
    in the shop's currency: flat, by order value bands, free over an amount."""

    tenant_area = "settings"
    form = ShippingOptionForm
    list_display = ("name", "code", "kind", "zone", "price_display", "free_over_display", "position", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("zone", "business")
    inlines = [ShippingBandInline]

    @admin.display(description=_("Price"))
    def price_display(self, option):
        return label(option.price_minor, option.business.currency)

    @admin.display(description=_("Free from"))
    def free_over_display(self, option):
        return "-" if option.free_over_minor is None else label(option.free_over_minor, option.business.currency)


class DiscountRedemptionInline(WrittenByServices, TenantInline, TabularInline):
    tenant_area = "orders"
    model = DiscountRedemption
    extra = 0
    fields = ("order", "customer", "amount_display", "created_at")
    readonly_fields = fields

    @admin.display(description=_("Amount"))
    def amount_display(self, redemption):
        return label(redemption.amount_minor, redemption.order.currency)


class DiscountForm(BusinessMoneyForm):
    money_fields = ("amount_minor", "min_subtotal_minor")

    class Meta:
        model = Discount
        fields = ("business", "code", "name", "kind", "percent", "amount_minor", "min_subtotal_minor", "starts_at",
                  "ends_at", "usage_limit", "per_customer_limit", "collections", "is_active")
        labels = {"amount_minor": _("Amount off"), "min_subtotal_minor": _("Minimum goods")}


@admin.register(Discount)
class DiscountAdmin(TenantAdmin):
    """Coupon codes and automatic discounts (no code). How they combine with each other and
    with tax is one rule, in orders/services/discounts.py; uses are counted at placement."""

    tenant_area = "catalog"
    form = DiscountForm
    list_display = ("__str__", "name", "kind", "percent", "amount_display", "min_subtotal_display", "starts_at",
                    "ends_at", "used_count", "usage_limit", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("business",)
    search_fields = ("code", "name")
    filter_horizontal = ("collections",)
    readonly_fields = ("used_count",)
    inlines = [DiscountRedemptionInline]

    @admin.display(description=_("Amount off"))
    def amount_display(self, discount):
        return "-" if discount.amount_minor is None else label(discount.amount_minor, discount.business.currency)

    @admin.display(description=_("Minimum goods"))
    def min_subtotal_display(self, discount):
        return ("-" if discount.min_subtotal_minor is None
                else label(discount.min_subtotal_minor, discount.business.currency))
