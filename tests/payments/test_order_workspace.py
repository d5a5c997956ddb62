"""Refunds from the order page: amount and reason, a confirmation page, an Idempotency-Key carried
by the form so the same confirmed form refunds once, and the timeline and the ledger agreeing."""
import re

import pytest

from payments import services
from payments.models import LedgerEntry, Refund

from .conftest import add_card, order_for

LIST = "/admin/orders/order/"


def paid_order(customer, total=10_000):
    order = order_for(customer, total)
    services.pay_order(order=order, method="card", funding_source=add_card(customer))
    order.refresh_from_db()
    return order


def confirmation(client, order, amount, reason="one tin was dented"):
    response = client.post(f"{LIST}{order.pk}/refund/", {"refund-amount": amount, "refund-reason": reason})
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    key = re.search(r'name="refund-key" value="([0-9a-f]+)"', page).group(1)
    return page, {"refund-amount": amount, "refund-reason": reason, "refund-key": key, "confirm": "1"}


def test_a_partial_refund_asks_for_confirmation_then_refunds_once(manager_client, customer):
    order = paid_order(customer)
    page, confirmed = confirmation(manager_client, order, "25.50")
    assert "₹ 25.50" in page and not Refund.objects.exists()  # nothing moved before the confirmation
    manager_client.post(f"{LIST}{order.pk}/refund/", confirmed)
    again = manager_client.post(f"{LIST}{order.pk}/refund/", confirmed, follow=True)  # a double click
    refund = Refund.objects.get()
    assert (refund.amount_minor, refund.reason, refund.created_by) == (2550, "one tin was dented",
                                                                       manager_client.user)
    assert "already made" in again.content.decode()
    order.refresh_from_db()
    assert (order.status, order.refunded_minor) == ("partly_refunded", 2550)


def test_the_timeline_and_the_ledger_show_the_same_refund(owner_client, customer):
    order = paid_order(customer)
    _page, confirmed = confirmation(owner_client, order, "40.00")
    owner_client.post(f"{LIST}{order.pk}/refund/", confirmed)
    page = owner_client.get(f"{LIST}{order.pk}/change/").content.decode()
    refund = Refund.objects.get()
    entries = LedgerEntry.objects.filter(transaction__reference=f"refund:{refund.pk}")
    assert sorted(e.amount_minor for e in entries) == [-4000, 4000]
    timeline = page.split('id="timeline"')[1].split("</section>")[0]
    ledger = page.split('id="order-ledger"')[1].split("</table>")[0]
    assert "Refunded ₹ 40.00" in timeline and "one tin was dented" in timeline
    assert "-₹ 40.00" in ledger and "₹ 40.00" in ledger


def test_a_full_refund_by_amount(owner_client, customer):
    order = paid_order(customer)
    _page, confirmed = confirmation(owner_client, order, "100.00")
    owner_client.post(f"{LIST}{order.pk}/refund/", confirmed)
    order.refresh_from_db()
    assert (order.status, order.refunded_minor) == ("refunded", 10_000)
    assert 'id="action-refund"' not in owner_client.get(f"{LIST}{order.pk}/change/").content.decode()


@pytest.mark.parametrize("amount", ["100.01", "0", "12.345", "abc"])
def test_a_refund_that_does_not_fit_is_refused_and_nothing_moves(owner_client, customer, amount):
    order = paid_order(customer)
    response = owner_client.post(f"{LIST}{order.pk}/refund/", {"refund-amount": amount, "refund-reason": "x"},
                                 follow=True)
    assert response.status_code == 200 and 'id="refund-confirm"' not in response.content.decode()
    assert not Refund.objects.exists()


def test_agents_cannot_refund(agent_client, customer):
    order = paid_order(customer)
    assert 'id="action-refund"' not in agent_client.get(f"{LIST}{order.pk}/change/").content.decode()
    assert agent_client.post(f"{LIST}{order.pk}/refund/", {"refund-amount": "1.00", "refund-reason": "x",
                                                           "refund-key": "k", "confirm": "1"}).status_code == 404
    assert not Refund.objects.exists()


def test_payments_show_on_the_order_page_for_those_who_see_money(manager_client, agent_client, customer):
    order = paid_order(customer)
    assert 'id="payments-group"' in manager_client.get(f"{LIST}{order.pk}/change/").content.decode()
    assert 'id="payments-group"' not in agent_client.get(f"{LIST}{order.pk}/change/").content.decode()
