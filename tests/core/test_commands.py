"""Management commands the README and scripts rely on."""
import pytest
from django.core.management import CommandError, call_command

from shopchat.models import ApiKey, Business, Membership

pytestmark = pytest.mark.django_db


def test_create_business_prints_the_slug_alone_on_its_last_line(capsys):
    call_command("create_business", "Green Grocer", "--currency", "INR", "--owner", "g@example.com")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "green-grocer"
    business = Business.objects.get(slug="green-grocer")
    assert Membership.objects.get(business=business).role == "owner"


def test_create_business_with_a_bad_currency_fails(capsys):
    with pytest.raises(CommandError, match="currency"):
        call_command("create_business", "X", "--currency", "XYZ", "--owner", "x@example.com")
    assert not Business.objects.exists()


def test_create_business_with_a_taken_slug_fails():
    call_command("create_business", "A", "--currency", "EUR", "--owner", "a@example.com", "--slug", "shop")
    with pytest.raises(CommandError, match="taken"):
        call_command("create_business", "B", "--currency", "EUR", "--owner", "b@example.com", "--slug", "shop")


def test_create_api_key_for_an_unknown_business_fails():
    with pytest.raises(CommandError, match="No business"):
        call_command("create_api_key", "nope")


def test_create_api_key_with_an_unknown_scope_fails(business):
    with pytest.raises(CommandError, match="scope"):
        call_command("create_api_key", business.slug, "--scopes", "admin")


def test_seed_demo_prints_logins_and_a_working_key(capsys):
    from rest_framework.test import APIClient

    call_command("seed_demo", "--products", "20")
    out = capsys.readouterr().out
    assert "owner@demo.shopchat.local" in out
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {out.strip().splitlines()[-1]}")
    assert client.put("/api/v1/customers/15550001234/", {"name": "Asha"}, format="json").status_code == 201


def test_seed_demo_runs_twice(capsys):
    call_command("seed_demo", "--products", "20")
    call_command("seed_demo", "--products", "20")
    assert Business.objects.filter(slug="demo-grocer").count() == 1
    assert ApiKey.objects.filter(business__slug="demo-grocer").count() == 4
