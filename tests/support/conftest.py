"""Fixtures of the support desk tests."""
import pytest

from orders.models import Order
from support import services
from support.models import SlaPolicy
from tests.factories import CustomerFactory


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Asha", wa_id="15550009001")


@pytest.fixture
def other_customer(other_business):
    return CustomerFactory(business=other_business, name="Bela", wa_id="15550009002")


@pytest.fixture
def open_ticket(business, customer):
    def make(subject="Where is my order?", message="It has not arrived.", **kwargs):
        return services.open_ticket(business=kwargs.pop("business", business),
                                    customer=kwargs.pop("customer", customer), subject=subject, message=message,
                                    **kwargs)
    return make


@pytest.fixture
def ticket(open_ticket):
    return open_ticket()


@pytest.fixture
def their_ticket(other_business, other_customer):
    return services.open_ticket(business=other_business, customer=other_customer, subject="Their secret",
                                message="Their private message")


@pytest.fixture
def weekday_policy(business):
    """Mon-Fri 09:00-18:00 in Asia/Kolkata: 60 minutes to answer, 240 to solve."""
    business.time_zone = "Asia/Kolkata"
    business.save()
    return SlaPolicy.objects.create(business=business, priority="normal", first_response_minutes=60,
                                    resolution_minutes=240, business_days="12345", day_starts="09:00",
                                    day_ends="18:00")


def make_order(business, customer, number="DG-1042", total=12500):
    return Order.objects.create(business=business, customer=customer, number=number,
                                sequence=int(number.rsplit("-", 1)[-1]), currency=business.currency,
                                subtotal_minor=total, total_minor=total)


