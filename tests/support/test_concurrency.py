"""Ticket numbers stay unique per business when tickets open at the same time (PostgreSQL)."""
import threading

import pytest
from django.db import connection

from support import services
from support.models import Ticket
from tests.conftest import requires_postgres
from tests.factories import BusinessFactory, CustomerFactory


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
