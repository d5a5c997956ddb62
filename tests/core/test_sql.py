"""The kernel's SQL toolkit: written-out statements behave like the ORM's, typed rows by name."""
from dataclasses import dataclass
from datetime import datetime

import pytest

from catalog.models import Product
from shopchat import sql
from shopchat.models import ApiKey, Customer
from tests.factories import BusinessFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_insert_sets_primary_keys_and_auto_now_fields():
    business = BusinessFactory()
    first, second = sql.insert([Customer(business=business, wa_id="15550000001", name="Ann"),
                                 Customer(business=business, wa_id="15550000002")])
    assert first.pk and second.pk and first.pk != second.pk
    stored = Customer.objects.get(pk=first.pk)
    assert stored.name == "Ann" and stored.created_at == first.created_at and stored.updated_at is not None
    assert not first._state.adding


def test_update_changes_only_the_given_fields_of_that_row():
    customer, other = CustomerFactory(name="Old"), CustomerFactory(name="Other")
    assert sql.update(Customer, customer.pk, name="New") == 1
    assert Customer.objects.get(pk=customer.pk).name == "New"
    assert Customer.objects.get(pk=other.pk).name == "Other"
    assert sql.update(Customer, 0, name="Nobody") == 0


def test_write_updates_and_inserts_rows_of_several_models_setting_their_keys():
    customer = CustomerFactory(name="Old")
    business = customer.business
    added, key = sql.write(updates=[sql.Update(Customer, customer.pk, {"name": "New"})], inserts=[
        Customer(business=business, wa_id="15550000003"),
        ApiKey(business=business, name="erp", prefix="pfx12345", secret_hash="0" * 64),
    ])
    assert Customer.objects.get(pk=customer.pk).name == "New"
    assert Customer.objects.get(pk=added.pk).wa_id == "15550000003"
    assert ApiKey.objects.get(pk=key.pk).name == "erp"


def test_partial_defers_the_fields_not_given():
    customer = CustomerFactory(name="Ann", locale="en")
    partial = sql.partial(Customer, id=customer.pk, business_id=customer.business_id, name="Ann")
    assert partial.get_deferred_fields() >= {"locale", "wa_id"}
    assert partial.locale == "en"


def test_find_model_loads_every_field_as_the_orm_does():
    customer = CustomerFactory(name="Ann", locale="en")
    found = sql.find_model(Customer, business_id=customer.business_id, wa_id=customer.wa_id)
    stored = Customer.objects.get(pk=customer.pk)
    assert found.get_deferred_fields() == set()
    assert [getattr(found, f.attname) for f in Customer._meta.concrete_fields] == \
        [getattr(stored, f.attname) for f in Customer._meta.concrete_fields]
    assert sql.find_model(Customer, business_id=customer.business_id, wa_id="15559999999") is None


def test_select_models_takes_fields_in_any_order_and_converts_them():
    customer = CustomerFactory(name="Ann", locale="en")
    found, = sql.select_models(Customer, ("locale", "id", "name"), "id = %s", [customer.pk])
    assert (found.pk, found.name, found.locale) == (customer.pk, "Ann", "en")
    assert found.get_deferred_fields() >= {"wa_id", "created_at"}


def test_select_models_answers_booleans_as_booleans_on_every_database():
    product = ProductFactory(is_active=False)
    found, = sql.select_models(Product, ("is_active", "retailer_id"), "id = %s", [product.pk])
    assert found.is_active is False and found.retailer_id == product.retailer_id


@dataclass(frozen=True)
class CustomerRow:
    customer_id: int
    name: str
    created_at: datetime
    is_new: bool


def test_fetch_all_matches_columns_to_fields_by_name_and_converts_them():
    customer = CustomerFactory(name="Ann")
    row, = sql.fetch_all(CustomerRow, f"SELECT created_at, name, id AS customer_id, 1 = 1 AS is_new "
                                      f"FROM {sql.table(Customer)} WHERE id = %s", [customer.pk])
    assert row == CustomerRow(customer.pk, "Ann", Customer.objects.get(pk=customer.pk).created_at, True)


def test_fetch_all_refuses_an_answer_whose_columns_are_not_the_fields():
    CustomerFactory()
    with pytest.raises(ValueError, match="is_new"):
        sql.fetch_all(CustomerRow, f"SELECT id AS customer_id, name, created_at FROM {sql.table(Customer)}")


def test_fetch_one_answers_none_without_a_row():
    assert sql.fetch_one(CustomerRow, f"SELECT id AS customer_id, name, created_at, 1 = 1 AS is_new "
                                      f"FROM {sql.table(Customer)} WHERE id = %s", [0]) is None


def test_add_by_id_adds_each_rows_own_amount():
    first, second, third = (ProductFactory(stock_quantity=10) for _ in range(3))
    assert sql.add_by_id(Product, reserved_quantity={first.pk: 2, second.pk: 3}).run() == 2
    assert [p.reserved_quantity for p in Product.objects.order_by("pk")] == [2, 3, 0]


def test_add_by_id_moves_several_columns_in_one_statement():
    first, second = (ProductFactory(stock_quantity=10, reserved_quantity=4) for _ in range(2))
    sql.add_by_id(Product, reserved_quantity={first.pk: -4, second.pk: -1}, stock_quantity={first.pk: -4}).run()
    assert [(p.stock_quantity, p.reserved_quantity) for p in Product.objects.order_by("pk")] == [(6, 0), (10, 3)]


def test_locking_is_empty_where_the_database_locks_no_rows():
    from django.db import connection

    clause = sql.locking(sql.Lock.NO_KEY_UPDATE, "a")
    if connection.vendor == "postgresql":
        assert clause == " FOR NO KEY UPDATE OF a"
    else:
        assert clause == ""
