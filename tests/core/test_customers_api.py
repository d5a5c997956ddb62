"""PUT/GET /api/v1/customers/{wa_id}/: create-or-update a chat customer."""
import pytest

from shopchat.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_put_creates_the_customer_with_201(api, business):
    response = api.put("/api/v1/customers/15550001234/", {"name": "Asha", "locale": "en_IN"}, format="json")
    assert response.status_code == 201
    assert response.json()["wa_id"] == "15550001234"
    assert Customer.objects.get(business=business, wa_id="15550001234").name == "Asha"


def test_put_again_updates_with_200(api, business):
    api.put("/api/v1/customers/15550001234/", {"name": "Asha"}, format="json")
    response = api.put("/api/v1/customers/15550001234/", {"name": "Asha R"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Asha R"
    assert Customer.objects.filter(business=business).count() == 1


def test_put_keeps_fields_not_sent(api, business):
    api.put("/api/v1/customers/15550001234/", {"name": "Asha", "locale": "en_IN"}, format="json")
    api.put("/api/v1/customers/15550001234/", {"name": "Asha R"}, format="json")
    assert Customer.objects.get(business=business).locale == "en_IN"


def test_unknown_fields_are_ignored(api):
    response = api.put("/api/v1/customers/15550001234/", {"name": "A", "favourite": "tea"}, format="json")
    assert response.status_code == 201
    assert "favourite" not in response.json()


def test_meta_test_numbers_are_valid(api):
    assert api.put("/api/v1/customers/15550009999/", {}, format="json").status_code == 201


def test_plus_prefixed_number_is_normalised(api):
    response = api.put("/api/v1/customers/+919876543210/", {}, format="json")
    assert response.status_code == 201
    assert response.json()["wa_id"] == "919876543210"


def test_get_returns_the_customer(api, business):
    CustomerFactory(business=business, wa_id="15550001234", name="Asha")
    assert api.get("/api/v1/customers/15550001234/").json()["name"] == "Asha"


def test_another_business_customer_is_404(api, other_business):
    CustomerFactory(business=other_business, wa_id="15550001234")
    assert api.get("/api/v1/customers/15550001234/").status_code == 404


def test_same_wa_id_in_two_businesses_are_two_customers(api, other_api, business, other_business):
    api.put("/api/v1/customers/15550001234/", {"name": "A"}, format="json")
    other_api.put("/api/v1/customers/15550001234/", {"name": "B"}, format="json")
    assert Customer.objects.get(business=business).name == "A"
    assert Customer.objects.get(business=other_business).name == "B"


def test_upsert_of_an_unchanged_customer_writes_nothing(api, business, django_assert_max_num_queries):
    api.put("/api/v1/customers/15550001234/", {"name": "Asha"}, format="json")
    before = Customer.objects.get(business=business).updated_at
    api.put("/api/v1/customers/15550001234/", {"name": "Asha"}, format="json")
    assert Customer.objects.get(business=business).updated_at == before


def test_customer_upsert_reads_the_customer_once_whatever_the_answer_shows(api, business,
                                                                         django_assert_max_num_queries):
    api.put("/api/v1/customers/15550001234/", {"name": "Asha"}, format="json")
    with django_assert_max_num_queries(2):  # the API key, the customer
        unchanged = api.put("/api/v1/customers/15550001234/", {"name": "Asha"}, format="json")
    with django_assert_max_num_queries(3):  # the API key, the customer, its update
        renamed = api.put("/api/v1/customers/15550001234/", {"name": "Asha K"}, format="json")
    assert unchanged.status_code == renamed.status_code == 200
    assert renamed.json()["name"] == "Asha K"
