"""Tenancy: the one mechanism that keeps each business's rows to its own staff.

Every merchant-owned model reaches its Business through a path (`business` by default, or a
model's `tenant_path`, e.g. `order__business`). Staff see the rows of the active businesses
they are members of, with what their role allows in the model's *area*:

    owner    everything (settlements: read, and "settle now" their own business)
    manager  catalog, customers, orders, payments, support; reads settlements, events, settings
    agent    support; reads orders and customers

The "developer" area (the back office's Developer section: outbox, dead letters, raw inbound)
is the owners'; platform staff see everything anyway.

`TenantAdmin` applies this to every changelist, change form, foreign-key and many-to-many
choice, autocomplete, list filter and action. Superusers see everything. The API applies the
same rule by starting every queryset from the API key's business (`shopchat.api.views`).
"""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from unfold.admin import ModelAdmin as UnfoldModelAdmin  # type: ignore[import-untyped,unused-ignore]  # no py.typed

from .models import Business, Membership

VIEW, CHANGE = "view", "change"
Role = Membership.Role

ROLE_AREAS = {
    Role.OWNER: {
        "settings": CHANGE, "staff": CHANGE, "catalog": CHANGE, "customers": CHANGE, "orders": CHANGE,
        "payments": CHANGE, "settlements": CHANGE, "support": CHANGE, "support_config": CHANGE, "events": CHANGE,
        "platform_support": CHANGE, "developer": VIEW,
    },
    Role.MANAGER: {
        "settings": VIEW, "catalog": CHANGE, "customers": CHANGE, "orders": CHANGE, "payments": CHANGE,
        "settlements": VIEW, "support": CHANGE, "support_config": CHANGE, "events": VIEW,
        "platform_support": CHANGE,
    },
    Role.AGENT: {"support": CHANGE, "orders": VIEW, "customers": VIEW, "catalog": VIEW},
}


def tenant_path(model) -> str:
    """The lookup from `model` to its Business ('' for Business itself)."""
    if model is Business:
        return ""
    return getattr(model, "tenant_path", "business")


def is_tenant_model(model) -> bool:
    if model is Business:
        return True
    if hasattr(model, "tenant_path"):
        return True
    return any(f.name == "business" and f.is_relation and f.related_model is Business for f in model._meta.fields)


def business_ids(user, area: str, level: str = VIEW) -> set:
    """Ids of the active businesses where `user`'s role grants `level` in `area`."""
    if not user or not user.is_authenticated or not user.is_active:
        return set()
    cache = getattr(user, "_tenant_memberships", None)
    if cache is None:
        cache = list(
            Membership.objects.filter(user=user, business__status=Business.Status.ACTIVE).values_list(
                "business_id", "role"
            )
        )
        user._tenant_memberships = cache
    wanted = {CHANGE} if level == CHANGE else {VIEW, CHANGE}
    return {bid for bid, role in cache if ROLE_AREAS.get(role, {}).get(area) in wanted}


def scope_queryset(queryset, user, area: str, level: str = VIEW):
    """`queryset` cut down to the rows `user` may see (or change) in `area`."""
    if user.is_superuser:
        return queryset
    path = tenant_path(queryset.model)
    ids = business_ids(user, area, level)
    return queryset.filter(**{f"{path}__in" if path else "pk__in": ids})


def row_business_id(obj):
    path = tenant_path(type(obj))
    if not path:
        return obj.pk
    value = obj
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value.pk


class TenantAdmin(UnfoldModelAdmin):
    """Base class of every merchant-facing ModelAdmin. Set `tenant_area`.

    It builds on django-unfold's ModelAdmin (the back office's theme), so every admin gets the
    theme and the tenancy rules from this one class."""

    tenant_area = "settings"
    list_per_page = 50

    # --- which rows ---------------------------------------------------------------------
    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user, self.tenant_area)

    def _can(self, request, level, obj=None):
        user = request.user
        if not user.is_active or not user.is_staff:
            return False
        if user.is_superuser:
            return True
        ids = business_ids(user, self.tenant_area, level)
        if obj is None:
            return bool(ids)
        return row_business_id(obj) in ids

    # --- what the role allows -----------------------------------------------------------
    def has_module_permission(self, request):
        return self._can(request, VIEW)

    def has_view_permission(self, request, obj=None):
        return self._can(request, VIEW, obj)

    def has_change_permission(self, request, obj=None):
        return self._can(request, CHANGE, obj)

    def has_add_permission(self, request):
        return self._can(request, CHANGE)

    def has_delete_permission(self, request, obj=None):
        return self._can(request, CHANGE, obj)

    # --- what can be chosen -------------------------------------------------------------
    def _scope_choices(self, request, queryset):
        model = queryset.model
        user = request.user
        if user.is_superuser:
            return queryset
        if model is get_user_model():
            ids = business_ids(user, self.tenant_area, VIEW)
            return queryset.filter(Q(memberships__business_id__in=ids) | Q(pk=user.pk)).distinct()
        if model is Business:
            return queryset.filter(pk__in=business_ids(user, self.tenant_area, CHANGE))
        if is_tenant_model(model):
            path = tenant_path(model)
            return queryset.filter(**{f"{path}__in": business_ids(user, self.tenant_area, VIEW)})
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._scope_choices(request, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._scope_choices(request, field.queryset)
        return field

    def get_list_filter(self, request):
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and self._is_relation(item):
                filters.append((item, admin.RelatedOnlyFieldListFilter))
            else:
                filters.append(item)
        return filters

    def _is_relation(self, name):
        try:
            return self.model._meta.get_field(name).is_relation
        except Exception:
            return False

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and hasattr(obj, "business_id") and not obj.business_id:
            ids = business_ids(request.user, self.tenant_area, CHANGE)
            if len(ids) == 1:
                obj.business_id = next(iter(ids))
        super().save_model(request, obj, form, change)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if not request.user.is_superuser and "business" not in initial:
            ids = business_ids(request.user, self.tenant_area, CHANGE)
            if len(ids) == 1:
                initial["business"] = next(iter(ids))
        return initial


class TenantInline:
    """Mixin for inlines: the same role rules and choice scoping as TenantAdmin."""

    tenant_area = "settings"

    def _can(self, request, level, obj=None):
        user = request.user
        if user.is_superuser:
            return True
        return bool(business_ids(user, self.tenant_area, level))

    def has_view_permission(self, request, obj=None):
        return self._can(request, VIEW)

    def has_change_permission(self, request, obj=None):
        return self._can(request, CHANGE)

    def has_add_permission(self, request, obj=None):
        return self._can(request, CHANGE)

    def has_delete_permission(self, request, obj=None):
        return self._can(request, CHANGE)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = TenantAdmin._scope_choices(self, request, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = TenantAdmin._scope_choices(self, request, field.queryset)
        return field


class WrittenByServices:
    """Mixin for admins and inlines of rows only services write (money records, histories):
    the back office shows them and never adds, changes or deletes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
