"""Ticket numbers stay unique per business, and auto-assignment takes turns, when tickets open at
the same time (PostgreSQL)."""
import threading
from collections import Counter

import pytest
from django.db import connection

from support import services
from support.models import Ticket
from tests.conftest import requires_postgres
from tests.factories import BusinessFactory, CustomerFactory, MembershipFactory


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_tickets_get_distinct_consecutive_numbers():
    business = BusinessFactory()
    customers = [CustomerFactory(business=business) for _ in range(8)]
    errors = []

    def open_one(customer):
        try:
            services.open_ticket(business=business, customer=customer, subject="Help", message="Hello")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_one, args=(c,)) for c in customers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(Ticket.objects.filter(business=business).values_list("number", flat=True)) == list(range(1, 9))


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_tickets_take_turns_among_the_agents():
    business = BusinessFactory(auto_assign_tickets=True)
    agents = [MembershipFactory(business=business, role="agent").user for _ in range(2)]
    customers = [CustomerFactory(business=business) for _ in range(8)]
    errors = []

    def open_one(customer):
        try:
            services.open_ticket(business=business, wa_id=customer.wa_id, subject="Help", message="Hello")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_one, args=(c,)) for c in customers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    tickets = Ticket.objects.filter(business=business)
    assert sorted(tickets.values_list("number", flat=True)) == list(range(1, 9))
    assert Counter(tickets.values_list("assignee_id", flat=True)) == {agents[0].pk: 4, agents[1].pk: 4}
