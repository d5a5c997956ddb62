"""Property-based: any sequence of top-ups, transfers, payments, refunds and settlements keeps
the ledger balanced, every wallet at or above zero, and reconciliation clean."""
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments import errors, services
from payments.models import LedgerAccount, LedgerEntry
from shopchat.errors import InvalidInput
from tests.factories import CustomerFactory

from .conftest import add_card, order_for

PEOPLE = 3
person = st.integers(0, PEOPLE - 1)
amount = st.integers(1, 50_000)
operation = st.one_of(
    st.tuples(st.just("top_up"), person, amount),
    st.tuples(st.just("transfer"), person, person, amount),
    st.tuples(st.just("pay"), person, amount, st.sampled_from(["wallet", "card"])),
    st.tuples(st.just("refund"), st.integers(0, 20), st.one_of(st.none(), amount)),
    st.tuples(st.just("settle")),
)
EXPECTED = (errors.InsufficientFunds, errors.NotRefundable, InvalidInput)


class Rollback(Exception):
    pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=15))
def test_any_sequence_of_money_movements_keeps_the_ledger_sound(business, operations):
    try:
        with transaction.atomic():
            run(business, operations)
            raise Rollback
    except Rollback:
        pass


def run(business, operations):
    people = [CustomerFactory(business=business) for _ in range(PEOPLE)]
    cards = [add_card(p) for p in people]
    orders = []
    for op in operations:
        try:
            with transaction.atomic():
                if op[0] == "top_up":
                    services.top_up(customer=people[op[1]], amount_minor=op[2], funding_source=cards[op[1]])
                elif op[0] == "transfer":
                    if op[1] != op[2]:
                        services.transfer(sender=people[op[1]], to_wa_id=people[op[2]].wa_id, amount_minor=op[3])
                elif op[0] == "pay":
                    order = order_for(people[op[1]], op[2])
                    payment = services.pay_order(order=order, method=op[3],
                                                 funding_source=cards[op[1]] if op[3] == "card" else None)
                    if payment.status == "captured":
                        orders.append(order)
                elif op[0] == "refund" and orders:
                    services.refund_order(order=orders[op[1] % len(orders)], amount_minor=op[2])
                elif op[0] == "settle":
                    services.settle_business(business=business)
        except EXPECTED:
            pass
        assert services.reconcile() == []
        assert not LedgerAccount.objects.filter(kind="customer_wallet", balance_minor__lt=0).exists()
    assert sum(LedgerEntry.objects.values_list("amount_minor", flat=True)) == 0
