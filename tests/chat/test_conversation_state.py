"""What a customer has open, read in one statement for every text: the checkout step, the
newest unsolved ticket and the rating whose comment is awaited, each only for its own customer
and business and only while it is current."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat import engine
from chat.models import CheckoutStep
from chat.queries import conversation_state
from orders.services import discounts
from support.models import SatisfactionRating, Ticket
from tests.factories import CustomerFactory, OrderFactory, TicketFactory

pytestmark = pytest.mark.django_db


def _state(customer):
    return conversation_state(business_id=customer.business_id, customer_id=customer.pk, now=timezone.now())


def test_a_customer_with_nothing_open_has_no_step_ticket_or_rating(customer):
    state = _state(customer)

    assert (state.checkout_step_id, state.open_ticket_id, state.rating_awaiting_comment_id) == (None, None, None)


def test_the_newest_unsolved_ticket_is_the_open_one(customer):
    TicketFactory(business=customer.business, customer=customer, status=Ticket.Status.OPEN)
    newest = TicketFactory(business=customer.business, customer=customer, status=Ticket.Status.PENDING)
    TicketFactory(business=customer.business, customer=customer, status=Ticket.Status.SOLVED)

    assert _state(customer).open_ticket_id == newest.pk


def test_a_solved_ticket_is_not_open(customer):
    TicketFactory(business=customer.business, customer=customer, status=Ticket.Status.SOLVED)

    assert _state(customer).open_ticket_id is None


def test_another_customers_ticket_is_not_this_customers(customer):
    other = CustomerFactory(business=customer.business, wa_id="15550009999")
    TicketFactory(business=customer.business, customer=other, status=Ticket.Status.OPEN)

    assert _state(customer).open_ticket_id is None


def test_a_rating_awaits_its_comment_only_within_the_window(customer):
    ticket = TicketFactory(business=customer.business, customer=customer, status=Ticket.Status.SOLVED)
    rating = SatisfactionRating.objects.create(ticket=ticket, rating="good",
                                               comment_until=timezone.now() + timedelta(minutes=5))
    assert _state(customer).rating_awaiting_comment_id == rating.pk

    SatisfactionRating.objects.filter(pk=rating.pk).update(comment_until=timezone.now() - timedelta(seconds=1))
    assert _state(customer).rating_awaiting_comment_id is None


def test_the_checkout_step_is_found(customer):
    order = OrderFactory(business=customer.business, customer=customer)
    step = CheckoutStep.objects.create(business=customer.business, customer=customer, order=order, step="line1")

    assert _state(customer).checkout_step_id == step.pk


def test_a_search_reads_what_is_open_in_one_statement(wa_config, customer, products):
    """A plain search by a customer with nothing open: the state, the search, nothing else
    (three separate reads before: the checkout step, the rating, the ticket)."""
    customer.business = wa_config.business
    discounts.discount_flags(wa_config.business)  # cached for a while: not a read of each message
    with CaptureQueriesContext(connection) as captured:
        replies = engine.respond(config=wa_config, customer=customer,
                                 message={"type": "text", "text": {"body": "tea"}})

    statements = [q["sql"] for q in captured.captured_queries]
    assert replies
    assert len(statements) == 2, [s[:120] for s in statements]
    assert "checkout_step_id" in statements[0]
