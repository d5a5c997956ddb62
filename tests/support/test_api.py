"""The ticket API: the gateway's calls, the integration's calls, bad input and tenancy."""
import pytest

from shopchat.models import OutboxEvent
from support import services
from support.models import SatisfactionRating, Ticket, TicketMessage
from tests.factories import MembershipFactory
from tests.support.conftest import make_order

pytestmark = pytest.mark.django_db
TICKETS = "/api/v1/support/tickets/"


def counts():
    return (Ticket.objects.count(), TicketMessage.objects.count(), SatisfactionRating.objects.count(),
            OutboxEvent.objects.count())


# --- the gateway -----------------------------------------------------------------------------
def test_the_gateway_opens_a_ticket_for_a_chat_customer_with_their_order(api, business, customer):
    make_order(business, customer, "DG-1042")
    response = api.post(TICKETS, {"customer": customer.wa_id, "subject": "Late order",
                                  "message": "help, my order DG-1042 has not arrived", "order": "DG-1042"},
                        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 1 and body["status"] == "new" and body["order"] == "DG-1042"
    assert body["customer"] == {"wa_id": customer.wa_id, "name": "Asha"}
    assert [m["body"] for m in body["messages"]] == ["help, my order DG-1042 has not arrived"]


def test_a_ticket_from_a_new_chat_contact_creates_the_customer(api, business):
    response = api.post(TICKETS, {"customer": "+1 555 000 7777", "subject": "Hi", "message": "Question",
                                  "name": "Neel"}, format="json")
    assert response.status_code == 201
    assert business.customers.get(wa_id="15550007777").name == "Neel"


def test_the_customer_next_message_lands_in_the_same_ticket(api, ticket):
    response = api.post(f"{TICKETS}{ticket.pk}/messages/", {"message": "Any news?"}, format="json")
    assert response.status_code == 201
    assert response.json()["ticket"]["id"] == ticket.pk
    assert ticket.messages.count() == 2


def test_customer_tickets_are_listed_by_wa_id(api, customer, ticket):
    response = api.get(f"/api/v1/customers/{customer.wa_id}/tickets/")
    assert response.status_code == 200
    assert [t["id"] for t in response.json()["results"]] == [ticket.pk]


def test_a_solved_ticket_can_be_rated(api, ticket):
    services.change_status(ticket=ticket, status="solved")
    response = api.post(f"{TICKETS}{ticket.pk}/rating/", {"rating": "good", "comment": "Quick!"}, format="json")
    assert response.status_code == 201
    assert api.get(f"{TICKETS}{ticket.pk}/").json()["rating"]["rating"] == "good"


# --- internal notes never reach the gateway --------------------------------------------------
def test_internal_notes_are_not_in_the_api(api, integration_api, ticket):
    services.reply_to_ticket(ticket=ticket, author=None, body="SECRET internal remark", internal=True)
    services.reply_to_ticket(ticket=ticket, author=None, body="Public answer")
    for client in (api, integration_api):
        text = client.get(f"{TICKETS}{ticket.pk}/").content.decode()
        assert "Public answer" in text and "SECRET" not in text


def test_an_internal_note_from_the_integration_writes_no_outbox_event(integration_api, ticket):
    before = OutboxEvent.objects.count()
    response = integration_api.post(f"{TICKETS}{ticket.pk}/replies/", {"body": "note", "internal": True},
                                    format="json")
    assert response.status_code == 201 and response.json()["internal"] is True
    assert OutboxEvent.objects.count() == before


# --- the integration ---------------------------------------------------------------------------
def test_the_integration_lists_tickets_by_status(integration_api, open_ticket):
    _first, second = open_ticket(), open_ticket()
    services.change_status(ticket=second, status="pending")
    response = integration_api.get(TICKETS, {"status": "pending"})
    assert response.status_code == 200
    assert [t["id"] for t in response.json()["results"]] == [second.pk]


def test_the_integration_replies_assigns_and_solves(integration_api, business, ticket):
    agent = MembershipFactory(business=business, role="agent").user
    url = f"{TICKETS}{ticket.pk}"
    assert integration_api.post(f"{url}/replies/", {"body": "We are on it", "author": agent.email},
                                format="json").status_code == 201
    assert OutboxEvent.objects.filter(event_type="ticket.reply").count() == 1
    response = integration_api.post(f"{url}/assign/", {"assignee": agent.email}, format="json")
    assert response.status_code == 200 and response.json()["assignee"] == agent.email
    response = integration_api.post(f"{url}/status/", {"status": "solved"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "solved"


def test_a_gateway_key_cannot_use_the_integration_calls(api, ticket):
    assert api.get(TICKETS).status_code == 403
    assert api.post(f"{TICKETS}{ticket.pk}/replies/", {"body": "x"}, format="json").status_code == 403
    assert api.post(f"{TICKETS}{ticket.pk}/status/", {"status": "solved"}, format="json").status_code == 403


# --- bad input: clear 4xx, nothing written ---------------------------------------------------
@pytest.mark.parametrize("message, field", [("", "message"), ("x" * 4097, "message")])
def test_empty_or_too_long_bodies_are_refused(api, customer, ticket, message, field):
    before = counts()
    r1 = api.post(TICKETS, {"customer": customer.wa_id, "subject": "s", "message": message}, format="json")
    r2 = api.post(f"{TICKETS}{ticket.pk}/messages/", {"message": message}, format="json")
    for response in (r1, r2):
        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]
    assert counts() == before


def test_an_unknown_order_number_is_refused_and_no_customer_is_created(api, business):
    response = api.post(TICKETS, {"customer": "15550004444", "subject": "s", "message": "m", "order": "NOPE-1"},
                        format="json")
    assert response.status_code == 400 and "order" in response.json()["error"]["fields"]
    assert not business.customers.filter(wa_id="15550004444").exists()


def test_unknown_ticket_ids_are_404(api):
    before = counts()
    for path in (f"{TICKETS}999999/messages/", f"{TICKETS}9223372036854775808/rating/"):
        response = api.post(path, {"message": "hi", "rating": "good"}, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert counts() == before


def test_rating_an_unsolved_ticket_is_a_409(api, ticket):
    response = api.post(f"{TICKETS}{ticket.pk}/rating/", {"rating": "good"}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "ticket_not_solved"
    assert not SatisfactionRating.objects.exists()


def test_a_bad_status_filter_names_the_field(integration_api):
    response = integration_api.get(TICKETS, {"status": "lost"})
    assert response.status_code == 400 and "status" in response.json()["error"]["fields"]


# --- tenancy ----------------------------------------------------------------------------------
def test_another_business_ticket_is_404_everywhere_and_untouched(api, integration_api, their_ticket):
    services.change_status(ticket=their_ticket, status="solved")
    before = counts()
    base = f"{TICKETS}{their_ticket.pk}"
    assert api.get(f"{base}/").status_code == 404
    assert api.post(f"{base}/messages/", {"message": "hi"}, format="json").status_code == 404
    assert api.post(f"{base}/rating/", {"rating": "bad"}, format="json").status_code == 404
    assert integration_api.post(f"{base}/replies/", {"body": "x"}, format="json").status_code == 404
    assert integration_api.post(f"{base}/status/", {"status": "open"}, format="json").status_code == 404
    assert integration_api.post(f"{base}/assign/", {"assignee": None}, format="json").status_code == 404
    assert "Their secret" not in integration_api.get(TICKETS).content.decode()
    assert api.get(f"/api/v1/customers/{their_ticket.customer.wa_id}/tickets/").status_code == 404
    assert counts() == before
    their_ticket.refresh_from_db()
    assert their_ticket.status == "solved"


def test_another_business_order_cannot_be_attached(api, customer, other_business, other_customer):
    make_order(other_business, other_customer, "XX-1")
    response = api.post(TICKETS, {"customer": customer.wa_id, "subject": "s", "message": "m", "order": "XX-1"},
                        format="json")
    assert response.status_code == 400


def test_ticket_creation_takes_a_fixed_number_of_queries(api, customer, ticket, weekday_policy,
                                                         django_assert_num_queries):
    # The key and its last use (cached outside tests); one statement on the desk row that
    # numbers the ticket and reads the customer and the SLA policy; then the ticket, its
    # message and its event in one transaction (a savepoint here).
    with django_assert_num_queries(8):
        response = api.post(TICKETS, {"customer": customer.wa_id, "subject": "s", "message": "m"}, format="json")
    assert response.status_code == 201
    assert response.json()["number"] == 2 and response.json()["resolution_due_at"] is not None


def test_auto_assigned_creation_takes_no_query_per_agent(api, business, customer, ticket, django_assert_num_queries):
    business.auto_assign_tickets = True
    business.save()
    agents = [MembershipFactory(business=business, role="agent").user for _ in range(3)]
    api.post(TICKETS, {"customer": customer.wa_id, "subject": "s", "message": "m"}, format="json")  # key used
    for agent in agents[1:] + agents[:1]:
        # the key; the desk statement, which also picks the agent; the ticket, its message and
        # the round-robin note in one INSERT, the event; the assignee's e-mail for the answer
        with django_assert_num_queries(8):
            response = api.post(TICKETS, {"customer": customer.wa_id, "subject": "s", "message": "m"},
                                format="json")
        assert response.json()["assignee"] == agent.email
    assert TicketMessage.objects.filter(body="Assigned automatically (round-robin).", internal=True).count() == 4


# --- the shapes ----------------------------------------------------------------------------------
def test_the_fast_ticket_shapes_are_what_their_declared_fields_give(business, customer, open_ticket):
    """The serializers build their dicts by hand; DRF's walk over the declared fields (the
    schema) must give the same."""
    from rest_framework.serializers import Serializer

    from support.api import serializers as s

    agent = MembershipFactory(business=business, role="agent").user
    just_opened = open_ticket(message="<b>Where</b> is it?", order=make_order(business, customer), tags=["vip"])
    services.reply_to_ticket(ticket=just_opened, author=agent, body="On its way")
    services.reply_to_ticket(ticket=just_opened, author=None, body="Internal", internal=True)
    services.change_status(ticket=just_opened, status="solved")
    rating = services.rate_ticket(ticket=just_opened, rating="good", comment="Quick")
    solved = Ticket.objects.select_related("customer", "order", "assignee", "rating").get(pk=just_opened.pk)
    for ticket in (just_opened, solved, open_ticket(), Ticket.objects.get(pk=just_opened.pk)):
        for serializer in (s.TicketSerializer, s.TicketDetailSerializer):
            assert serializer(ticket).data == Serializer.to_representation(serializer(), ticket)
    messages = list(TicketMessage.objects.filter(ticket=solved))
    for serializer, message in [(s.MessageSerializer, m) for m in messages] + [(s.ReplySerializer, messages[-1])]:
        assert serializer(message).data == Serializer.to_representation(serializer(), message)
    assert s.RatingSerializer(rating).data == Serializer.to_representation(s.RatingSerializer(), rating)
    body = s.TicketDetailSerializer(solved).data
    assert [m["body"] for m in body["messages"]] == ["<b>Where</b> is it?", "On its way"]
    assert body["rating"]["rating"] == "good" and body["assignee"] == agent.email and body["order"] == "DG-1042"
