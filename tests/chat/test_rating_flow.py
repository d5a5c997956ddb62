"""CSAT in the chat (#18), through signed webhooks and the fake Cloud API: a solved ticket sends
the rating question, a tap stores the rating through support's rating service, and the next text
(within the window) is stored as its comment."""
from datetime import timedelta

import pytest
from django.utils import timezone

from support import services as support
from support.models import SatisfactionRating, Ticket
from tests.chat.chatting import button_ids, exchange, text_of
from tests.chat.conftest import button_payload, text_payload
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def solved(business, customer, wa_config):
    ticket = support.open_ticket(business=business, customer=customer, subject="Chat: help",
                                 message="my tea never arrived", channel="chat")
    return support.change_status(ticket=ticket, status=Ticket.Status.SOLVED)


def tap_rating(client, fake_cloud, ticket, value="good"):
    return exchange(client, fake_cloud, button_payload(f"rate:{ticket.pk}:{value}", value.title(),
                                                       f"wamid.RATE_{value}"))


def test_a_solved_ticket_sends_the_rating_question(fake_cloud, solved):
    assert fake_cloud.wait_for(1)
    question = fake_cloud.sent[0]
    assert text_of(question) == f"Your ticket #{solved.number} is solved. How did we do?"
    assert button_ids(question) == [f"rate:{solved.pk}:good", f"rate:{solved.pk}:bad"]


def test_a_tap_stores_the_rating_and_asks_for_a_comment(client, fake_cloud, solved):
    (reply,) = tap_rating(client, fake_cloud, solved, "bad")
    rating = SatisfactionRating.objects.get(ticket=solved)
    assert rating.rating == "bad" and rating.comment == ""
    assert reply["text"]["body"].startswith("Thank you for your rating! Would you like to tell us more?")


def test_the_next_text_after_rating_is_stored_as_the_comment(client, fake_cloud, solved):
    tap_rating(client, fake_cloud, solved)
    (reply,) = exchange(client, fake_cloud, text_payload("Quick and friendly, thanks", "wamid.RATE_COMMENT"))
    rating = SatisfactionRating.objects.get(ticket=solved)
    assert rating.comment == "Quick and friendly, thanks" and rating.comment_until is None
    assert reply["text"]["body"] == "Thank you, we have passed your comment on to the team."


def test_a_text_after_the_comment_window_is_a_search_not_a_comment(client, fake_cloud, solved, products):
    tap_rating(client, fake_cloud, solved)
    SatisfactionRating.objects.filter(ticket=solved).update(comment_until=timezone.now() - timedelta(minutes=1))
    (reply,) = exchange(client, fake_cloud, text_payload("masala", "wamid.RATE_LATE"))
    assert SatisfactionRating.objects.get(ticket=solved).comment == ""
    assert reply["type"] == "interactive"  # the search's results


def test_a_second_tap_does_not_rate_twice(client, fake_cloud, solved):
    tap_rating(client, fake_cloud, solved, "good")
    (reply,) = tap_rating(client, fake_cloud, solved, "bad")
    assert SatisfactionRating.objects.get(ticket=solved).rating == "good"
    assert reply["text"]["body"] == f"You have already rated ticket #{solved.number}. Thank you!"


def test_another_customers_ticket_cannot_be_rated(client, fake_cloud, business, wa_config):
    other = CustomerFactory(business=business, wa_id="15550009999", name="Ravi")
    theirs = support.change_status(ticket=support.open_ticket(business=business, customer=other, subject="x",
                                                              message="x", channel="chat"),
                                   status=Ticket.Status.SOLVED)
    CustomerFactory(business=business, wa_id="15550001234", name="Asha", last_inbound_at=timezone.now())
    (reply,) = tap_rating(client, fake_cloud, theirs)
    assert not SatisfactionRating.objects.filter(ticket=theirs).exists()
    assert text_of(reply) == "Sorry, that option is not available any more."
