"""Products in the back office: a list that stays fast at 50,000+ rows, prices in the shop's units,
bulk actions through the services."""
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from shopchat.errors import DomainError
from shopchat.models import Business
from shopchat.money import MoneyError, label, to_major, to_minor
from shopchat.tenancy import CHANGE, TenantAdmin, business_ids, scope_queryset

from .. import feeds, queries, selectors, services
from ..models import Collection, Product

LOW_STOCK = 5
ESTIMATE_ABOVE = 20_000



class EstimatedCountPaginator(Paginator):
    """Exact counts for small lists; above 20,000 rows PostgreSQL's planner estimate, so a
    page of a huge catalog does not scan every row to print the page numbers."""

    @cached_property
    def count(self):
        qs = self.object_list
        estimate = queries.planned_rows(qs) if hasattr(qs, "query") else None
        if estimate is not None and estimate > ESTIMATE_ABOVE:
            return estimate
        return super().count


# --- forms: prices in the major unit of the business currency ------------------------------

class ProductForm(forms.ModelForm):
    price_minor = forms.DecimalField(label=_("Price"), max_digits=18, decimal_places=3, min_value=0)
    sale_price_minor = forms.DecimalField(label=_("Sale price"), max_digits=18, decimal_places=3, min_value=0,
                                          required=False)

    class Meta:
        model = Product
        # What the change page edits (ProductAdmin.fieldsets less the read-only fields).
        fields = ["business", "retailer_id", "title", "description", "brand", "product_type", "price_minor",
                  "sale_price_minor", "availability", "condition", "stock_quantity", "is_active", "link",
                  "image_link", "item_group_id", "size", "color", "material", "pattern", "gender"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        business = self._business()
        for name in ("price_minor", "sale_price_minor"):
            if name in self.fields and business is not None:
                self.fields[name].help_text = gettext("in %(currency)s") % {"currency": business.currency}
                value = getattr(self.instance, name, None)
                if self.instance.pk and value is not None:
                    self.initial[name] = to_major(value, business.currency)

    def _business(self):
        if self.instance.business_id:
            return self.instance.business
        raw = self.data.get(self.add_prefix("business")) or self.initial.get("business")
        return Business.objects.filter(pk=raw).first() if str(raw or "").isdigit() else None

    def clean(self):
        data = super().clean()
        business = data.get("business") if "business" in self.fields else None
        business = business or self._business()
        for name in ("price_minor", "sale_price_minor"):
            value = data.get(name)
            if name in self.fields and isinstance(value, Decimal) and business is not None:
                try:
                    data[name] = to_minor(value, business.currency)
                except MoneyError as exc:
                    self.add_error(name, str(exc))
        price, sale = data.get("price_minor", self.instance.price_minor), data.get("sale_price_minor")
        if "sale_price_minor" in self.fields and sale is not None and price is not None and sale >= price:
            self.add_error("sale_price_minor", "The sale price must be below the price.")
        stock = data.get("stock_quantity")
        if "stock_quantity" in self.fields and stock is not None and stock < (self.instance.reserved_quantity or 0):
            self.add_error("stock_quantity", f"Open orders hold {self.instance.reserved_quantity} units; "
                                             "the stock cannot go below that.")
        for name in ("link", "image_link"):
            if data.get(name):
                try:
                    feeds.clean_url(data[name], name)
                except ValueError as exc:
                    self.add_error(name, str(exc))
        return data


class ProductListForm(ProductForm):
    class Meta:
        model = Product
        fields = ["price_minor", "stock_quantity"]


# --- list filters --------------------------------------------------------------------------

class StockFilter(admin.SimpleListFilter):
    title = _("stock")
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return [("low", _("Low (1-%(count)s left)") % {"count": LOW_STOCK}), ("none", _("None left")),
                ("untracked", _("Not tracked"))]

    def queryset(self, request, queryset):
        left = F("stock_quantity") - F("reserved_quantity")
        if self.value() == "low":
            return queryset.alias(left=left).filter(stock_quantity__isnull=False, left__gt=0, left__lte=LOW_STOCK)
        if self.value() == "none":
            return queryset.filter(stock_quantity__isnull=False, stock_quantity__lte=F("reserved_quantity"))
        if self.value() == "untracked":
            return queryset.filter(stock_quantity__isnull=True)
        return queryset


class CollectionFilter(admin.SimpleListFilter):
    title = _("collection")
    parameter_name = "collection"

    def lookups(self, request, model_admin):
        collections = scope_queryset(Collection.objects.all(), request.user, "catalog")
        return [(str(pk), name) for pk, name in collections.values_list("pk", "name")[:300]]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(collection_entries__collection_id=int(self.value()))
        return queryset


class VariantGroupFilter(admin.SimpleListFilter):
    """Products in a variant group, not in one, or of one group (`?item_group_id=TEE`, the link of
    a product's page and of the list's Variant column)."""

    title = _("variant group")
    parameter_name = "item_group_id"
    ANY, NONE = "~any", "~none"  # "~" is not a character of a group id

    def lookups(self, request, model_admin):
        choices = [(self.ANY, _("In a variant group")), (self.NONE, _("Not a variant"))]
        value = self.value()
        if value and value not in (self.ANY, self.NONE):
            choices.append((value, value))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ANY:
            return queryset.exclude(item_group_id="")
        if value == self.NONE:
            return queryset.filter(item_group_id="")
        if value:
            return queryset.filter(item_group_id=value)
        return queryset


def group_url(item_group_id: str) -> str:
    return f"{reverse('admin:catalog_product_changelist')}?{urlencode({'item_group_id': item_group_id})}"


# --- products ------------------------------------------------------------------------------

@admin.register(Product)
class ProductAdmin(TenantAdmin):
    tenant_area = "catalog"
    form = ProductForm
    list_display = ("thumbnail", "title", "retailer_id", "variant", "brand", "price_minor", "sale", "stock_quantity",
                    "available", "availability", "is_active")
    list_display_links = ("title",)
    list_editable = ("price_minor", "stock_quantity")
    list_filter = ("availability", "is_active", StockFilter, CollectionFilter, VariantGroupFilter)
    list_select_related = ("business",)
    search_fields = ("title",)
    search_help_text = _("Words or word beginnings in title, brand or description; part of an id or a title.")
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    ordering = ("title", "id")
    readonly_fields = ("reserved_quantity", "created_at", "updated_at", "group_variants")
    actions = ["activate", "deactivate", "mark_out_of_stock", "export_feed"]
    fieldsets = (
        (None, {"fields": ("business", "retailer_id", "title", "description", "brand", "product_type")}),
        (_("Price"), {"fields": ("price_minor", "sale_price_minor")}),
        (_("Stock"), {"fields": ("availability", "condition", "stock_quantity", "reserved_quantity", "is_active")}),
        (_("Variant"), {"fields": ("item_group_id", "size", "color", "material", "pattern", "gender",
                                   "group_variants"),
                        "description": _("Products sharing an item group id are one product in several versions "
                                         "(sizes, colours...): the chat asks the customer to choose. Each variant "
                                         "keeps its own id, price and stock.")}),
        (_("Links"), {"fields": ("link", "image_link")}),
        (_("Changes"), {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).defer("search_vector")

    def get_readonly_fields(self, request, obj=None):
        # The id is the key of the Meta catalog and of order lines: a new id is a new product.
        return self.readonly_fields + (("business", "retailer_id") if obj is not None else ())

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", ProductListForm)
        return super().get_changelist_form(request, **kwargs)

    @admin.display(description="")
    def thumbnail(self, obj):
        if not obj.image_link:
            return ""
        return format_html('<img src="{}" alt="" loading="lazy" width="40" height="40" '
                           'style="object-fit:cover;border-radius:4px">', obj.image_link)

    @admin.display(description=_("Variant"))
    def variant(self, obj):
        """The group (a link to its variants together) and what this variant is."""
        if not obj.item_group_id:
            return "-"
        values = ", ".join(obj.variant_values().values())
        return format_html('<a href="{}">{}</a>{}', group_url(obj.item_group_id), obj.item_group_id,
                           f": {values}" if values else "")

    @admin.display(description=_("Variants of the group"))
    def group_variants(self, obj):
        """On the product's page: the group's variants (one query), a link to see and edit them
        together (the list of the group: prices and stock editable there) and to add a variant."""
        if obj is None or not obj.pk or not obj.item_group_id:
            return gettext("Not a variant: give an item group id to make this product a variant of a group.")
        variants = list(Product.objects.filter(business_id=obj.business_id, item_group_id=obj.item_group_id)
                        .order_by("pk").only("pk", "retailer_id", "size", "color", "material", "pattern", "gender",
                                             "item_group_id", "title"))
        add = f"{reverse('admin:catalog_product_add')}?" + urlencode({
            "business": obj.business_id, "item_group_id": obj.item_group_id, "title": obj.title,
            "description": obj.description, "brand": obj.brand, "product_type": obj.product_type,
            "gender": obj.gender, "material": obj.material, "pattern": obj.pattern})
        names = format_html_join(", ", '<a href="{}">{}</a>', (
            (reverse("admin:catalog_product_change", args=[v.pk]),
             ", ".join(v.variant_values().values()) or v.retailer_id) for v in variants))
        return format_html(
            '{} {}<br><a href="{}">{}</a> · <a href="{}">{}</a>',
            ngettext("%(count)s variant:", "%(count)s variants:", len(variants)) % {"count": len(variants)}, names,
            group_url(obj.item_group_id), gettext("See and edit them together"), add, gettext("Add a variant"))

    @admin.display(description=_("Sale price"))
    def sale(self, obj):
        return label(obj.sale_price_minor, obj.business.currency) if obj.sale_price_minor is not None else "-"

    @admin.display(description=_("Available"))
    def available(self, obj):
        return "not tracked" if obj.available_quantity is None else obj.available_quantity

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        # Words (full-text, word beginnings), or part of an id ("DG-0000") or of a title ("ghe"):
        # within one business a substring scan of 50,000 rows stays in the tens of milliseconds.
        matches = selectors.rank_matches(queryset, term).values("pk")
        found = Q(pk__in=matches) | Q(retailer_id=term)
        if len(term) >= 3:
            found |= Q(retailer_id__icontains=term) | Q(title__icontains=term)
        return queryset.filter(found), False

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and not obj.business_id:
            ids = business_ids(request.user, self.tenant_area, CHANGE)
            if len(ids) == 1:
                obj.business_id = next(iter(ids))
        try:
            services.save_product(product=obj)
        except DomainError as exc:
            messages.error(request, exc.message)

    # actions: each one calls the catalog service on the rows the user may change
    def _changeable(self, request, queryset):
        return scope_queryset(queryset, request.user, self.tenant_area, CHANGE)

    @admin.action(description=_("Activate the selected products"), permissions=["change"])
    def activate(self, request, queryset):
        n = services.set_products_active(products=self._changeable(request, queryset), active=True)
        messages.success(request, f"{n} products activated.")

    @admin.action(description=_("Deactivate the selected products"), permissions=["change"])
    def deactivate(self, request, queryset):
        n = services.set_products_active(products=self._changeable(request, queryset), active=False)
        messages.success(request, f"{n} products deactivated.")

    @admin.action(description=_("Mark the selected products out of stock"), permissions=["change"])
    def mark_out_of_stock(self, request, queryset):
        n = services.mark_out_of_stock(products=self._changeable(request, queryset))
        messages.success(request, f"{n} products marked out of stock.")

    @admin.action(description=_("Export the selected products as a CSV feed"), permissions=["view"])
    def export_feed(self, request, queryset):
        business_pks = set(queryset.order_by().values_list("business_id", flat=True).distinct()[:2])
        if len(business_pks) != 1:
            messages.error(request, "Select products of one business to export.")
            return None
        business = Business.objects.get(pk=business_pks.pop())
        lines = services.export_feed(business=business, queryset=queryset)
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{business.slug}-catalog.csv"'
        return response

    # extra pages: the feed URL for Meta, and a shortcut to the upload
    def get_urls(self):
        return [
            path("feed/", self.admin_site.admin_view(self.feed_view), name="catalog_product_feed"),
            path("export/<int:business_id>/", self.admin_site.admin_view(self.export_view),
                 name="catalog_product_export"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        links = []
        if self.has_add_permission(request):
            links = [(reverse("admin:catalog_importjob_add"), _("Upload a feed")),
                     (reverse("admin:catalog_product_feed"), _("Feed URL for Meta / export"))]
        extra_context = {**(extra_context or {}), "catalog_links": links}
        return super().changelist_view(request, extra_context)

    def _feed_businesses(self, request, level):
        qs = Business.objects.all()
        if not request.user.is_superuser:
            qs = qs.filter(pk__in=business_ids(request.user, self.tenant_area, level))
        return qs.order_by("name")

    def feed_view(self, request):
        businesses = self._feed_businesses(request, CHANGE)
        if not businesses.exists():
            raise PermissionDenied
        if request.method == "POST":
            business = get_object_or_404(businesses, pk=request.POST.get("business"))
            services.rotate_feed_token(business=business)
            messages.success(request, f"New feed URL for {business.name}; the old one no longer works. "
                                      "Update the data feed in Commerce Manager.")
            return redirect("admin:catalog_product_feed")
        rows = []
        for business in businesses:
            base = request.build_absolute_uri(f"/feeds/{business.slug}/{business.feed_token}")
            rows.append({"business": business, "csv": base + ".csv", "tsv": base + ".tsv",
                         "export": reverse("admin:catalog_product_export", args=[business.pk])})
        context = {**self.admin_site.each_context(request), "title": "Catalog feed", "rows": rows,
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/catalog/product/feed.html", context)

    def export_view(self, request, business_id):
        business = get_object_or_404(self._feed_businesses(request, "view"), pk=business_id)
        response = StreamingHttpResponse(services.export_feed(business=business),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{business.slug}-catalog.csv"'
        return response


# --- collections ---------------------------------------------------------------------------
