"""The API-key life cycle: created and shown once, stored hashed, used, revoked."""
import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from shopchat.models import ApiKey
from shopchat.services import create_api_key, revoke_api_key

pytestmark = pytest.mark.django_db


def client_with(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


def test_new_key_authenticates(business):
    _, raw = create_api_key(business=business)
    assert client_with(raw).put("/api/v1/customers/15550001234/", {}, format="json").status_code == 201


def test_only_a_hash_of_the_secret_is_stored(business):
    key, raw = create_api_key(business=business)
    secret = raw.split("_")[2]
    row = ApiKey.objects.filter(pk=key.pk).values().get()
    assert all(secret not in str(value) for value in row.values())


def test_use_records_last_used(business):
    key, raw = create_api_key(business=business)
    client_with(raw).get("/api/v1/customers/15550001234/")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_revoked_key_stops_working(business):
    key, raw = create_api_key(business=business)
    revoke_api_key(api_key=key)
    assert client_with(raw).get("/api/v1/customers/15550001234/").status_code == 401


def test_tampered_secret_is_refused(business):
    _, raw = create_api_key(business=business)
    assert client_with(raw[:-2] + "zz").get("/api/v1/customers/15550001234/").status_code == 401


def test_key_defaults_to_gateway_scope(business):
    key, _ = create_api_key(business=business)
    assert key.scopes == ["gateway"]


def test_command_prints_the_key_alone_on_its_last_line(business, capsys):
    call_command("create_api_key", business.slug, "--scopes", "gateway,integration")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert client_with(last).get("/api/v1/customers/15550001234/").status_code == 404
    assert ApiKey.objects.get(business=business).scopes == ["gateway", "integration"]


def test_admin_shows_a_new_key_once(owner_client, business):
    response = owner_client.post(
        "/admin/shopchat/apikey/add/", {"business": business.pk, "name": "erp", "scopes": ["integration"]}, follow=True
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "will not be shown again" in text
    raw = text.split("Your new API key is <code>")[1].split("</code>")[0]
    assert client_with(raw).get("/api/v1/customers/15550001234/").status_code == 403  # integration only
    page = owner_client.get(f"/admin/shopchat/apikey/{ApiKey.objects.get(name='erp').pk}/change/")
    assert raw not in page.content.decode()


def test_admin_revoke_action(owner_client, business):
    key, raw = create_api_key(business=business)
    owner_client.post("/admin/shopchat/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    assert client_with(raw).get("/api/v1/customers/15550001234/").status_code == 401


def test_cached_key_still_dies_at_once_when_revoked_in_this_process(business, settings):
    settings.API_KEY_CACHE_SECONDS = 60
    key, raw = create_api_key(business=business)
    client = client_with(raw)
    assert client.get("/api/v1/customers/15550001234/").status_code == 404  # cached now
    revoke_api_key(api_key=key)
    assert client.get("/api/v1/customers/15550001234/").status_code == 401


def test_cached_key_expires_after_its_ttl(business, settings):
    from shopchat.api import auth

    settings.API_KEY_CACHE_SECONDS = 0.01
    key, raw = create_api_key(business=business)
    client = client_with(raw)
    client.get("/api/v1/customers/15550001234/")
    ApiKey.objects.filter(pk=key.pk).update(revoked_at="2026-01-01T00:00:00Z")  # another process revoked it
    import time

    time.sleep(0.02)
    assert client.get("/api/v1/customers/15550001234/").status_code == 401
    auth._key_cache.clear()
