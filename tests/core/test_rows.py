"""The written-out INSERT and UPDATE of the hottest paths behave like the ORM's."""
import pytest

from shopchat.models import Customer
from shopchat.rows import insert_rows, loaded, update_row, update_row_and_insert
from tests.factories import BusinessFactory, CustomerFactory

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


def test_update_row_and_insert_does_both():
    customer = CustomerFactory(name="Old")
    added, = update_row_and_insert(Customer, customer.pk, {"name": "New"},
                                   [Customer(business=customer.business, wa_id="15550000003")])
    assert Customer.objects.get(pk=customer.pk).name == "New"
    assert Customer.objects.get(pk=added.pk).wa_id == "15550000003"


def test_loaded_defers_the_fields_not_given():
    customer = CustomerFactory(name="Ann", locale="en")
    partial = loaded(Customer, id=customer.pk, business_id=customer.business_id, name="Ann")
    assert partial.get_deferred_fields() >= {"locale", "wa_id"}
    assert partial.locale == "en"
