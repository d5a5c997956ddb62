"""Every back-office page renders for every role on the demo data: no 500 anywhere."""
import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from shopchat.models import Business, Membership

ROLES = ["superuser", Membership.Role.OWNER, Membership.Role.MANAGER, Membership.Role.AGENT]


@pytest.fixture
def demo(db):
    from io import StringIO

    call_command("seed_demo", "--products", "40", stdout=StringIO())
    return Business.objects.get(slug="demo-grocer")


def client_for(role, demo, django_user_model):
    from django.test import Client

    client = Client()
    if role == "superuser":
        user = django_user_model.objects.create_superuser("root@example.com", "root@example.com", "pass")
    else:
        user = django_user_model.objects.create_user(f"{role}@example.com", f"{role}@example.com", "pass",
                                                     is_staff=True)
        Membership.objects.create(user=user, business=demo, role=role)
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_renders_for_every_role(role, demo, django_user_model):
    client = client_for(role, demo, django_user_model)
    assert client.get(reverse("admin:index")).status_code == 200
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(changelist)
        assert response.status_code in (200, 302, 403), (changelist, response.status_code)
        if response.status_code != 200:
            continue
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert client.get(add).status_code in (200, 302, 403), add
        first = model_admin.get_queryset(response.wsgi_request).order_by("pk").first()
        if first is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            assert client.get(change).status_code in (200, 302), change
        searched = client.get(changelist, {"q": "tea"})
        assert searched.status_code in (200, 302), (changelist, "search")
