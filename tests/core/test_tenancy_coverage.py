"""Every merchant-owned model goes through the one tenancy mechanism, in the admin and in the API."""
import pytest
from django.apps import apps
from django.contrib import admin

from shopchat.models import Business
from shopchat.tenancy import TenantAdmin, TenantInline, is_tenant_model, scope_queryset, tenant_path
from tests.conftest import staff_client

OUR_APPS = {"shopchat", "catalog", "orders", "payments", "support", "chat", "web"}


def merchant_models():
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS and is_tenant_model(m) and m is not Business]


@pytest.mark.parametrize("model_admin", [a for a in admin.site._registry.values()
                                         if a.model._meta.app_label in OUR_APPS and is_tenant_model(a.model)],
                         ids=lambda a: a.model._meta.label)
def test_every_merchant_model_admin_is_tenant_scoped(model_admin):
    assert isinstance(model_admin, TenantAdmin), f"{model_admin} must subclass TenantAdmin"
    for inline in model_admin.inlines:
        if is_tenant_model(inline.model):
            assert issubclass(inline, TenantInline), f"{inline} must mix in TenantInline"


@pytest.mark.django_db
@pytest.mark.parametrize("model", merchant_models(), ids=lambda m: m._meta.label)
def test_every_merchant_model_reaches_its_business(model, business):
    """The tenant path resolves to Business and scoping filters on it."""
    path = tenant_path(model)
    field = None
    current = model
    for part in path.split("__"):
        field = current._meta.get_field(part)
        current = field.related_model
    assert current is Business
    client = staff_client(business, "owner")
    sql = str(scope_queryset(model.objects.all(), client.user, "settings").query)
    assert "IN" in sql.upper()
