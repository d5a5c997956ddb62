"""Collections and their ordered products."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline  # type: ignore[import-untyped,unused-ignore]  # no py.typed

from shopchat.tenancy import TenantAdmin, TenantInline

from ..models import Collection, CollectionProduct
from ..versions import bump_catalog_version

LOW_STOCK = 5
ESTIMATE_ABOVE = 20_000



class CollectionProductInline(TenantInline, TabularInline):
    tenant_area = "catalog"
    model = CollectionProduct
    autocomplete_fields = ("product",)
    fields = ("product", "position")
    extra = 1
    ordering = ("position", "id")


@admin.register(Collection)
class CollectionAdmin(TenantAdmin):
    tenant_area = "catalog"
    list_display = ("name", "slug", "position", "is_active", "product_count")
    list_editable = ("position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CollectionProductInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("entries"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        bump_catalog_version(form.instance.business_id)  # the public shop page lists collections

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_catalog_version(obj.business_id)

    @admin.display(description=_("Products"), ordering="product_count")
    def product_count(self, obj):
        return obj.product_count


# --- feed imports --------------------------------------------------------------------------
