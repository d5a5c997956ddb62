"""The support console: queues, the ticket page, escaping, and the role and tenancy matrix."""
import pytest
from django.contrib.auth.models import Group

from shopchat.models import OutboxEvent
from support import services
from support.models import CannedReply, PlatformTicket, Ticket, TicketMessage
from tests.conftest import staff_client
from tests.factories import MembershipFactory, UserFactory
from tests.support.conftest import make_order

pytestmark = pytest.mark.django_db
TICKETS = "/admin/support/ticket/"
PLATFORM = "/admin/support/platformticket/"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- the ticket page ----------------------------------------------------------------------
def test_the_ticket_page_shows_the_conversation_orders_and_canned_replies(agent_client, business, customer):
    order = make_order(business, customer, "DG-1042")
    ticket = services.open_ticket(business=business, customer=customer, subject="Late", message="Where is it?",
                                  order=order)
    services.reply_to_ticket(ticket=ticket, author=None, body="Checking the courier", internal=True)
    CannedReply.objects.create(business=business, title="Shipped", body="Hi {customer_name}, {order_number} shipped")
    html = page(agent_client, f"{TICKETS}{ticket.pk}/change/")
    assert html.index("Where is it?") < html.index("Checking the courier")
    assert "DG-1042" in html and "₹ 125.00" in html
    assert "Hi Asha, DG-1042 shipped" in html


def test_html_in_messages_and_subjects_is_escaped(agent_client, business, customer):
    ticket = services.open_ticket(business=business, customer=customer, subject="<b>bold</b> subject",
                                  message="<script>alert('x')</script>\nsecond line")
    services.reply_to_ticket(ticket=ticket, author=None, body="<img src=x onerror=alert(1)>")
    html = page(agent_client, f"{TICKETS}{ticket.pk}/change/")
    assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>bold</b>" not in html
    listing = page(agent_client, TICKETS)
    assert "<b>bold</b>" not in listing and "&lt;b&gt;bold&lt;/b&gt;" in listing


def test_a_public_reply_from_the_console_reaches_the_chat(agent_client, ticket):
    response = agent_client.post(f"{TICKETS}{ticket.pk}/reply/", {"body": "It ships today", "visibility": "public"})
    assert response.status_code == 302
    event = OutboxEvent.objects.get(event_type="ticket.reply")
    assert event.payload["body"] == "It ships today"
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.assignee_id == agent_client.user.pk


def test_an_internal_note_from_the_console_is_not_emitted(agent_client, ticket):
    before = OutboxEvent.objects.count()
    agent_client.post(f"{TICKETS}{ticket.pk}/reply/", {"body": "VIP customer", "visibility": "internal"})
    assert OutboxEvent.objects.count() == before
    assert TicketMessage.objects.get(body="VIP customer").internal


def test_an_empty_reply_from_the_console_writes_nothing(agent_client, ticket):
    response = agent_client.post(f"{TICKETS}{ticket.pk}/reply/", {"body": "  "}, follow=True)
    assert "The message is empty." in response.content.decode()
    assert ticket.messages.count() == 1


def test_assign_to_me_and_status_actions_go_through_the_services(agent_client, ticket):
    agent_client.post(f"{TICKETS}{ticket.pk}/assign-to-me/")
    agent_client.post(f"{TICKETS}{ticket.pk}/status/", {"status": "solved"})
    ticket.refresh_from_db()
    assert ticket.assignee_id == agent_client.user.pk and ticket.status == "solved"
    assert OutboxEvent.objects.filter(event_type="ticket.solved").exists()


def test_priority_edits_in_the_form_keep_status_and_assignee(manager_client, ticket):
    response = manager_client.post(f"{TICKETS}{ticket.pk}/change/",
                                   {"subject": "New subject", "priority": "urgent", "tags": "vip, Late"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.priority, ticket.tags, ticket.status) == ("New subject", "urgent", ["vip", "late"],
                                                                             "new")


# --- queues ---------------------------------------------------------------------------------
def test_queues_filter_mine_unassigned_and_pending(agent_client, open_ticket):
    mine, _unassigned = open_ticket(subject="MINE-T"), open_ticket(subject="FREE-T")
    waiting = open_ticket(subject="WAIT-T")
    services.assign_ticket(ticket=mine, assignee=agent_client.user)
    services.change_status(ticket=waiting, status="pending")
    html = page(agent_client, f"{TICKETS}?queue=mine")
    assert "MINE-T" in html and "FREE-T" not in html
    html = page(agent_client, f"{TICKETS}?queue=unassigned")
    assert "FREE-T" in html and "MINE-T" not in html
    html = page(agent_client, f"{TICKETS}?queue=pending")
    assert "WAIT-T" in html and "FREE-T" not in html


def test_the_queue_sorts_by_sla_due(agent_client, weekday_policy):
    assert page(agent_client, f"{TICKETS}?queue=open&o=5")


def test_queue_pages_take_a_fixed_number_of_queries(agent_client, open_ticket, django_assert_num_queries):
    open_ticket()
    agent_client.get(TICKETS)
    with django_assert_num_queries(8) as first:
        agent_client.get(f"{TICKETS}?queue=open")
    for _ in range(5):
        open_ticket()
    with django_assert_num_queries(len(first.captured_queries)):
        agent_client.get(f"{TICKETS}?queue=open")


# --- role and tenancy matrix -------------------------------------------------------------------
def test_an_agent_of_a_never_sees_a_ticket_of_b(agent_client, ticket, their_ticket):
    listing = page(agent_client, TICKETS)
    assert "Their secret" not in listing
    for suffix in ("change/", "reply/", "assign-to-me/", "status/"):
        response = agent_client.get(f"{TICKETS}{their_ticket.pk}/{suffix}")
        assert response.status_code in (302, 404) and "Their private" not in response.content.decode()
    assert agent_client.get(f"{TICKETS}{their_ticket.pk}/change/").status_code in (302, 404)


def test_an_agent_of_a_cannot_act_on_a_ticket_of_b(agent_client, their_ticket):
    before = (TicketMessage.objects.count(), OutboxEvent.objects.count())
    assert agent_client.post(f"{TICKETS}{their_ticket.pk}/reply/", {"body": "hijack"}).status_code == 404
    assert agent_client.post(f"{TICKETS}{their_ticket.pk}/status/", {"status": "solved"}).status_code == 404
    assert agent_client.post(f"{TICKETS}{their_ticket.pk}/assign-to-me/").status_code == 404
    agent_client.post(TICKETS, {"action": "mark_solved", "_selected_action": [their_ticket.pk]})
    their_ticket.refresh_from_db()
    assert their_ticket.status == "new" and their_ticket.assignee_id is None
    assert (TicketMessage.objects.count(), OutboxEvent.objects.count()) == before


def test_agents_do_not_manage_canned_replies_or_sla_policies_but_managers_do(agent_client, manager_client):
    for url in ("/admin/support/cannedreply/", "/admin/support/slapolicy/"):
        assert agent_client.get(url).status_code == 403
        assert manager_client.get(url).status_code == 200


def test_platform_tickets_are_not_in_the_merchant_support_queue(owner_client, business):
    services.open_platform_ticket(business=business, requester=owner_client.user, subject="PLATFORM-T",
                                  message="Import broken")
    assert "PLATFORM-T" not in page(owner_client, TICKETS)


# --- technical support to the platform ------------------------------------------------------
@pytest.fixture
def platform_agent_client(db):
    from django.test import Client

    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=services.PLATFORM_AGENTS_GROUP)[0])
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def test_a_merchant_opens_a_technical_support_ticket_from_the_back_office(owner_client, business):
    response = owner_client.post(f"{PLATFORM}add/", {"business": business.pk, "subject": "Feed import fails",
                                                     "priority": "high", "message": "Row 17 <errors>"})
    assert response.status_code == 302
    ticket = PlatformTicket.objects.get()
    assert (ticket.kind, ticket.requester_user_id, ticket.business_id) == ("platform", owner_client.user.pk,
                                                                           business.pk)
    assert ticket.messages.get().body == "Row 17 <errors>"


def test_merchants_never_see_each_others_platform_tickets(owner_client, business, other_business):
    other_owner = staff_client(other_business, "owner")
    ours = services.open_platform_ticket(business=business, requester=owner_client.user, subject="OURS-P",
                                         message="x")
    theirs = services.open_platform_ticket(business=other_business, requester=other_owner.user, subject="THEIRS-P",
                                           message="y")
    listing = page(owner_client, PLATFORM)
    assert "OURS-P" in listing and "THEIRS-P" not in listing
    assert owner_client.get(f"{PLATFORM}{theirs.pk}/change/").status_code in (302, 404)
    assert owner_client.post(f"{PLATFORM}{theirs.pk}/reply/", {"body": "peek"}).status_code == 404
    assert theirs.messages.count() == 1 and ours.messages.count() == 1


def test_a_merchant_cannot_open_a_platform_ticket_for_another_business(owner_client, other_business):
    owner_client.post(f"{PLATFORM}add/", {"business": other_business.pk, "subject": "x", "priority": "normal",
                                          "message": "y"})
    assert not Ticket.objects.filter(business=other_business).exists()


def test_support_agents_have_no_platform_support_page(agent_client):
    assert agent_client.get(PLATFORM).status_code == 403


def test_platform_agents_work_all_platform_tickets_but_not_merchant_tickets(platform_agent_client, business,
                                                                           other_business, ticket):
    owner_a, owner_b = staff_client(business, "owner"), staff_client(other_business, "owner")
    a = services.open_platform_ticket(business=business, requester=owner_a.user, subject="A-P", message="x")
    services.open_platform_ticket(business=other_business, requester=owner_b.user, subject="B-P", message="y")
    listing = page(platform_agent_client, PLATFORM)
    assert "A-P" in listing and "B-P" in listing
    platform_agent_client.post(f"{PLATFORM}{a.pk}/reply/", {"body": "Fixed the importer", "visibility": "public",
                                                            "status": "solved"})
    a.refresh_from_db()
    assert a.status == "solved" and a.first_response_at is not None
    mail = OutboxEvent.objects.filter(event_type="staff.email").latest("created_at")
    assert mail.payload["recipients"] == [owner_a.user.email]
    assert platform_agent_client.get(TICKETS).status_code == 403


def test_merchants_follow_their_platform_ticket_but_cannot_see_platform_notes(owner_client, business,
                                                                              platform_agent_client):
    ticket = services.open_platform_ticket(business=business, requester=owner_client.user, subject="S",
                                           message="first")
    services.reply_to_ticket(ticket=ticket, author=platform_agent_client.user, body="PLATFORM-NOTE", internal=True)
    html = page(owner_client, f"{PLATFORM}{ticket.pk}/change/")
    assert "first" in html and "PLATFORM-NOTE" not in html
    owner_client.post(f"{PLATFORM}{ticket.pk}/reply/", {"body": "More details", "visibility": "internal"})
    message = ticket.messages.latest("created_at")
    assert (message.body, message.author_kind, message.internal) == ("More details", "customer", False)
    assert owner_client.post(f"{PLATFORM}{ticket.pk}/status/", {"status": "solved"}).status_code == 404


def test_every_support_page_opens_for_platform_staff(admin_client, ticket, business):
    owner = MembershipFactory(business=business, role="owner").user
    platform = services.open_platform_ticket(business=business, requester=owner, subject="P", message="x")
    canned = CannedReply.objects.create(business=business, title="Hi", body="Hi {customer_name}")
    for url in (TICKETS, f"{TICKETS}{ticket.pk}/change/", PLATFORM,
                f"{PLATFORM}{platform.pk}/change/", "/admin/support/cannedreply/",
                f"/admin/support/cannedreply/{canned.pk}/change/", "/admin/support/slapolicy/add/"):
        assert admin_client.get(url).status_code == 200, url


def test_an_sla_policy_whose_day_ends_before_it_starts_is_refused_by_the_form(manager_client, business):
    from support.models import SlaPolicy

    response = manager_client.post("/admin/support/slapolicy/add/", {
        "business": business.pk, "priority": "high", "first_response_minutes": 30, "resolution_minutes": 60,
        "business_days": "12345", "day_starts": "18:00", "day_ends": "09:00"})
    assert response.status_code == 200
    assert not SlaPolicy.objects.exists()
