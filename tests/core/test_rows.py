"""The written-out INSERT and UPDATE of the hottest paths behave like the ORM's."""
import pytest

from catalog.models import Product
from shopchat.models import ApiKey, Customer
from shopchat.rows import find_row, insert_rows, loaded, select_rows, update_row, write_rows
from tests.factories import BusinessFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_insert_rows_sets_primary_keys_and_auto_now_fields():
    business = BusinessFactory()
    first, second = insert_rows([Customer(business=business, wa_id="15550000001", name="Ann"),
                                 Customer(business=business, wa_id="15550000002")])
    assert first.pk and second.pk and first.pk != second.pk
    stored = Customer.objects.get(pk=first.pk)
    assert stored.name == "Ann" and stored.created_at == first.created_at and stored.updated_at is not None
    assert not first._state.adding


def test_update_row_changes_only_the_given_fields_of_that_row():
    customer, other = CustomerFactory(name="Old"), CustomerFactory(name="Other")
    assert update_row(Customer, customer.pk, name="New") == 1
    assert Customer.objects.get(pk=customer.pk).name == "New"
    assert Customer.objects.get(pk=other.pk).name == "Other"
    assert update_row(Customer, 0, name="Nobody") == 0


def test_write_rows_updates_and_inserts_rows_of_several_models_setting_their_keys():
    customer = CustomerFactory(name="Old")
    business = customer.business
    added, key = write_rows(update=(Customer, customer.pk, {"name": "New"}), insert=[
        Customer(business=business, wa_id="15550000003"),
        ApiKey(business=business, name="erp", prefix="pfx12345", secret_hash="0" * 64),
    ])
    assert Customer.objects.get(pk=customer.pk).name == "New"
    assert Customer.objects.get(pk=added.pk).wa_id == "15550000003"
    assert ApiKey.objects.get(pk=key.pk).name == "erp"


def test_loaded_defers_the_fields_not_given():
    customer = CustomerFactory(name="Ann", locale="en")
    partial = loaded(Customer, id=customer.pk, business_id=customer.business_id, name="Ann")
    assert partial.get_deferred_fields() >= {"locale", "wa_id"}
    assert partial.locale == "en"


def test_find_row_loads_every_field_as_the_orm_does():
    customer = CustomerFactory(name="Ann", locale="en")
    found = find_row(Customer, business_id=customer.business_id, wa_id=customer.wa_id)
    stored = Customer.objects.get(pk=customer.pk)
    assert found.get_deferred_fields() == set()
    assert [getattr(found, f.attname) for f in Customer._meta.concrete_fields] == \
        [getattr(stored, f.attname) for f in Customer._meta.concrete_fields]
    assert find_row(Customer, business_id=customer.business_id, wa_id="15559999999") is None


def test_select_rows_takes_fields_in_any_order_and_converts_them():
    customer = CustomerFactory(name="Ann", locale="en")
    found, = select_rows(Customer, ("locale", "id", "name"), "id = %s", [customer.pk])
    assert (found.pk, found.name, found.locale) == (customer.pk, "Ann", "en")
    assert found.get_deferred_fields() >= {"wa_id", "created_at"}


def test_select_rows_answers_booleans_as_booleans_on_every_database():
    product = ProductFactory(is_active=False)
    found, = select_rows(Product, ("is_active", "retailer_id"), "id = %s", [product.pk])
    assert found.is_active is False and found.retailer_id == product.retailer_id
