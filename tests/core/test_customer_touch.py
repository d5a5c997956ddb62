"""A chat message from a known customer moves its last-message time in one statement, and a
new profile name still reaches the row; an erased customer's number starts a new customer."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shopchat.models import Customer
from shopchat.services import put_customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_message_from_a_known_customer_is_noted_in_one_statement(business):
    known = CustomerFactory(business=business, wa_id="15550007777", name="Asha", last_inbound_at=None)
    with CaptureQueriesContext(connection) as captured:
        saved = put_customer(business=business, wa_id="15550007777", name="Asha", inbound=True)

    assert len(captured.captured_queries) == 1
    assert (saved.customer.pk, saved.created) == (known.pk, False)
    assert Customer.objects.get(pk=known.pk).last_inbound_at == saved.customer.last_inbound_at is not None


def test_a_new_profile_name_is_written_with_the_message(business):
    known = CustomerFactory(business=business, wa_id="15550007778", name="Asha")

    saved = put_customer(business=business, wa_id="15550007778", name="Asha K", inbound=True)

    assert saved.customer.name == "Asha K"
    assert Customer.objects.get(pk=known.pk).name == "Asha K"


def test_a_message_from_an_unknown_number_creates_the_customer(business):
    saved = put_customer(business=business, wa_id="15550007779", name="Ravi", inbound=True)

    assert saved.created
    assert Customer.objects.get(business=business, wa_id="15550007779").last_inbound_at is not None
