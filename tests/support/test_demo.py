"""The demo seeder adds tickets in several states, once."""
import pytest

from support import demo
from support.models import Ticket
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seeder_adds_tickets_in_several_states_and_is_idempotent(business):
    MembershipFactory(business=business, role="agent")
    demo.seed(business=business, products=[], stdout=None)
    demo.seed(business=business, products=[], stdout=None)
    statuses = set(Ticket.objects.filter(business=business).values_list("status", flat=True))
    assert Ticket.objects.filter(business=business).count() == len(demo.TICKETS)
    assert {"new", "open", "pending", "on_hold", "solved"} <= statuses
