"""The back office's satisfaction summary: ratings per assigned agent and per week, of the tickets
the user may see."""
import pytest

from support import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SUMMARY = "/admin/support/ticket/csat/"


def rated(open_ticket, rating, assignee=None, comment="", **kwargs):
    ticket = open_ticket(**kwargs)
    if assignee is not None:
        ticket.assignee = assignee
        ticket.save(update_fields=["assignee"])
    ticket = services.change_status(ticket=ticket, status="solved")
    return services.rate_ticket(ticket=ticket, rating=rating, comment=comment)


def test_the_summary_counts_each_agents_ratings_of_the_week(agent_client, open_ticket):
    priya = UserFactory(username="priya", first_name="Priya", last_name="Rao")
    rated(open_ticket, "good", assignee=priya, comment="Fast")
    rated(open_ticket, "good", assignee=priya)
    rated(open_ticket, "bad", assignee=priya)
    rated(open_ticket, "bad")
    response = agent_client.get(SUMMARY)
    assert response.status_code == 200
    rows = {row["agent"]: row for row in response.context["rows"]}
    assert {k: rows["Priya Rao"][k] for k in ("ratings", "good", "bad", "good_share", "comments")} == {
        "ratings": 3, "good": 2, "bad": 1, "good_share": 67, "comments": 1}
    assert rows[""]["bad"] == 1  # unassigned


def test_the_summary_leaves_out_other_businesses_ratings(agent_client, open_ticket, other_business,
                                                         other_customer):
    rated(open_ticket, "bad", business=other_business, customer=other_customer)
    response = agent_client.get(SUMMARY)
    assert response.context["rows"] == []
    assert "No ratings yet." in response.content.decode()


def test_the_ticket_list_links_to_the_summary(agent_client):
    assert SUMMARY in agent_client.get("/admin/support/ticket/").content.decode()


def test_the_summary_speaks_the_staff_members_language(agent_client, open_ticket):
    rated(open_ticket, "bad")
    page = agent_client.get(SUMMARY, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Nicht zugewiesen" in page and "Unassigned" not in page
