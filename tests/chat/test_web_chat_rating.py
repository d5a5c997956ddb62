"""CSAT in the browser chat: the same rating question as on WhatsApp, answered by the same engine."""
import pytest

from chat import webchat
from chat.models import WebChatMessage
from support import services as support
from support.models import SatisfactionRating, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_browser_chat_customer_rates_a_solved_ticket_in_the_chat(business):
    visitor, _token = webchat.start_visitor(business=business)
    ticket = support.open_ticket(business=business, customer=visitor.customer, subject="Chat: help",
                                 message="help", channel="chat")
    support.change_status(ticket=ticket, status=Ticket.Status.SOLVED)
    question = WebChatMessage.objects.get(customer=visitor.customer, direction="out")
    buttons = [b["reply"]["id"] for b in question.body["interactive"]["action"]["buttons"]]
    assert buttons == [f"rate:{ticket.pk}:good", f"rate:{ticket.pk}:bad"]
    webchat.converse(visitor=visitor, message=webchat.inbound_reply(buttons[1], "Bad", from_list=False))
    webchat.converse(visitor=visitor, message=webchat.inbound_text("Took three days"))
    rating = SatisfactionRating.objects.get(ticket=ticket)
    assert (rating.rating, rating.comment) == ("bad", "Took three days")
