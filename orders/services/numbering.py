"""Order numbers: per business, never handed out twice (a rolled-back placement leaves a gap)."""
from django.db import transaction
from django.db.models import F, Max

from shopchat import sql
from shopchat.models import Business

from .. import queries
from ..models import Order, OrderCounter

# Businesses whose PostgreSQL order sequence this process has seen committed.
_sequences_known: set[int] = set()


def next_sequence(business: Business) -> int:
    """The business's next order sequence.

    PostgreSQL: one database sequence per business. `nextval` takes no row lock, so the
    placements of a busy shop do not queue behind each other on a counter row until commit.
    SQLite, which runs one writer at a time anyway: a counter row (OrderCounter).
    """
    if sql.is_postgres():
        if business.pk not in _sequences_known:
            queries.create_sequence(business_id=business.pk, start=_highest_sequence(business) + 1)
            pk = business.pk
            transaction.on_commit(lambda: _sequences_known.add(pk))
        return queries.next_from_sequence(business_id=business.pk)
    updated = OrderCounter.objects.filter(business=business).update(last_sequence=F("last_sequence") + 1)
    if not updated:  # the business's first order: start above any order already there
        OrderCounter.objects.bulk_create([OrderCounter(business=business, last_sequence=_highest_sequence(business))],
                                         ignore_conflicts=True)
        return next_sequence(business)
    return OrderCounter.objects.values_list("last_sequence", flat=True).get(business=business)


def insert_numbered(order: Order) -> None:
    """INSERT the unsaved `order` with the business's next number (sets its key, sequence and
    number). PostgreSQL, once the business's sequence is known to this process: numbered by the
    INSERT itself, one statement; otherwise `next_sequence` first."""
    business = order.business
    if sql.is_postgres() and business.pk in _sequences_known:
        queries.insert_numbered_order(order)
        return
    order.sequence = next_sequence(business)
    order.number = f"{business.order_prefix}-{order.sequence}"
    sql.insert([order])


def _highest_sequence(business: Business) -> int:
    """Where numbering goes on from: above every order and counter value already there, and
    never below 1000 (so numbers look like DG-1042 from the first order)."""
    highest = Order.objects.filter(business=business).aggregate(highest=Max("sequence"))["highest"] or 0
    counted = OrderCounter.objects.filter(business=business).values_list("last_sequence", flat=True).first() or 0
    return max(1000, highest, counted)
