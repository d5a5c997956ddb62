"""/healthz, the OpenAPI schema and the docs page."""
from unittest import mock

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_database_and_broker_answer(client):
    with mock.patch("shopchat.health.broker_ok", return_value=True):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_the_broker_is_down(client):
    with mock.patch("shopchat.health.broker_ok", return_value=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"


def test_healthz_is_503_when_the_database_is_down(client):
    with mock.patch("shopchat.health.database_ok", return_value=False), \
            mock.patch("shopchat.health.broker_ok", return_value=True):
        assert client.get("/healthz").status_code == 503


def test_schema_describes_the_customer_endpoint(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/v1/customers/{wa_id}/"]["put"]
    assert {"200", "400", "401", "404"} <= set(operation["responses"])


def test_docs_page_is_served(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_admin_login_page_is_served(client):
    assert client.get("/admin/login/").status_code == 200
