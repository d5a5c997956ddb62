"""Every API failure answers the design's JSON error format with the right status."""
import pytest
from rest_framework.test import APIClient

from shopchat.models import Business
from shopchat.services import create_api_key, revoke_api_key
from tests.conftest import requires_redis

pytestmark = pytest.mark.django_db


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message", "fields"} <= set(body["error"])
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_missing_key_is_401():
    error = assert_error(APIClient().get("/api/v1/customers/15550001234/"), 401, "not_authenticated")
    assert "Api-Key" in error["message"]


def test_unknown_key_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Api-Key sc_deadbeef_nope")
    assert_error(client.get("/api/v1/customers/15550001234/"), 401)


def test_wrong_scheme_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer abc")
    assert_error(client.get("/api/v1/customers/15550001234/"), 401)


def test_revoked_key_is_401(business):
    key, raw = create_api_key(business=business)
    revoke_api_key(api_key=key)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert_error(client.get("/api/v1/customers/15550001234/"), 401)


def test_suspended_business_is_403(api, business):
    Business.objects.filter(pk=business.pk).update(status=Business.Status.SUSPENDED)
    assert_error(api.get("/api/v1/customers/15550001234/"), 403, "business_suspended")


def test_key_without_the_scope_is_403(business):
    from tests.conftest import api_client_for

    client = api_client_for(business, scopes=("integration",))
    assert_error(client.get("/api/v1/customers/15550001234/"), 403, "scope_missing")


def test_unknown_customer_is_404(api):
    assert_error(api.get("/api/v1/customers/15550001234/"), 404, "not_found")


def test_unknown_api_path_is_json_404(api):
    assert_error(api.get("/api/v1/no-such-thing/"), 404, "not_found")


def test_wrong_method_is_405(api):
    error = assert_error(api.delete("/api/v1/customers/15550001234/"), 405, "method_not_allowed")
    assert error["message"]


def test_wrong_content_type_is_415(api):
    response = api.put("/api/v1/customers/15550001234/", data="name=x",
                       content_type="application/x-www-form-urlencoded")
    assert_error(response, 415, "unsupported_media_type")


def test_malformed_json_is_400(api):
    response = api.put("/api/v1/customers/15550001234/", data="{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_invalid_wa_id_is_400_naming_the_field(api):
    error = assert_error(api.put("/api/v1/customers/0123/", {"name": "x"}, format="json"), 400, "validation_error")
    assert "wa_id" in error["fields"]


def test_invalid_field_is_400_naming_it(api):
    error = assert_error(api.put("/api/v1/customers/15550001234/", {"locale": "!!"}, format="json"), 400)
    assert "locale" in error["fields"]


def test_throttled_key_gets_429_with_retry_after(api, monkeypatch):
    from shopchat.api.auth import ApiKeyRateThrottle

    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "2/min"})
    api.get("/api/v1/customers/15550001234/")
    api.get("/api/v1/customers/15550001234/")
    response = api.get("/api/v1/customers/15550001234/")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) >= 1


def test_unexpected_error_is_500_without_internals(api, monkeypatch):
    from shopchat import services

    def explode(**kwargs):
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(services, "put_customer", explode)
    response = api.put("/api/v1/customers/15550001234/", {"name": "x"}, format="json")
    error = assert_error(response, 500, "server_error")
    assert "hunter2" not in response.content.decode()
    assert "internals" not in error["message"]


def test_throttle_counts_each_key_on_its_own(api, business, monkeypatch):
    from shopchat.api.auth import ApiKeyRateThrottle
    from tests.conftest import api_client_for

    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "2/min"})
    for _ in range(3):
        api.get("/api/v1/customers/15550001234/")
    other_key = api_client_for(business)
    assert other_key.get("/api/v1/customers/15550001234/").status_code == 404


def test_throttle_window_reopens_after_its_period(api, monkeypatch):
    from shopchat.api import auth

    monkeypatch.setattr(auth.ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "1/s"})
    start = 1_800_000_000.2
    monkeypatch.setattr(auth.time, "time", lambda: start)
    assert api.get("/api/v1/customers/15550001234/").status_code == 404
    response = api.get("/api/v1/customers/15550001234/")
    assert response.status_code == 429 and response["Retry-After"] == "1"
    monkeypatch.setattr(auth.time, "time", lambda: start + 1)
    assert api.get("/api/v1/customers/15550001234/").status_code == 404


@requires_redis
def test_throttle_counts_in_redis_between_syncs(settings):
    import uuid

    from shopchat.api import auth

    settings.THROTTLE_REDIS_URL = settings.REDIS_URL
    settings.THROTTLE_SYNC_SECONDS = 60
    auth._redis = None
    counter = f"throttle:test:{uuid.uuid4()}"
    try:
        assert [auth.count_call(counter, 5) for _ in range(3)] == [1, 2, 3]
        assert int(auth._redis.get(counter)) == 1  # only the first call went to Redis
        assert 0 < auth._redis.ttl(counter) <= 5
        auth._redis.incrby(counter, 10)  # another web process's calls
        settings.THROTTLE_SYNC_SECONDS = 0
        assert auth.count_call(counter, 5) == 14
    finally:
        auth._redis.delete(counter)
        auth._redis = None
        auth._counters.clear()
