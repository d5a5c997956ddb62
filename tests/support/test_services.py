"""Rules of the support desk, through support.services."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from shopchat import outbox
from shopchat.api.errors import STATUS_OF_KIND
from shopchat.errors import DomainError
from shopchat.models import OutboxEvent
from support import selectors, services
from support.models import SatisfactionRating, Ticket, TicketMessage
from support.services import tickets
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def ist(*args):
    return datetime(*args, tzinfo=IST)


def reply(ticket, body="On it!", internal=False, author=None, **kw):
    return services.reply_to_ticket(ticket=ticket, author=author, body=body, internal=internal, **kw)


# --- opening and the chat engine's contract ---------------------------------------------------
def test_opening_a_ticket_numbers_it_per_business_and_emits_ticket_created(open_ticket, their_ticket):
    first, second = open_ticket(), open_ticket()
    assert (first.number, second.number, their_ticket.number) == (1, 2, 1)
    event = OutboxEvent.objects.filter(business=first.business, event_type="ticket.created").first()
    assert event.payload["customer"] == {"wa_id": "15550009001", "name": "Asha"}


def test_a_failed_creation_leaves_a_gap_and_never_reuses_its_number(open_ticket, monkeypatch):
    first = open_ticket()

    def broken(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(tickets, "emit_event", broken)
    with pytest.raises(RuntimeError):
        open_ticket()
    monkeypatch.undo()
    assert Ticket.objects.count() == 1 and TicketMessage.objects.count() == 1
    assert open_ticket().number == first.number + 2


def test_a_ticket_for_a_new_chat_contact_creates_both_or_neither(business, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(tickets, "emit_event", broken)
    with pytest.raises(RuntimeError):
        services.open_ticket(business=business, wa_id="15550007777", name="Neel", subject="Hi", message="Hello")
    assert not business.customers.exists()
    monkeypatch.undo()
    ticket = services.open_ticket(business=business, wa_id="+1 555 000 7777", name="Neel", subject="Hi",
                                  message="Hello")
    assert (ticket.customer.wa_id, ticket.customer.name) == ("15550007777", "Neel")
    again = services.open_ticket(business=business, wa_id="15550007777", name="Other", subject="Hi", message="Again")
    assert again.customer.pk == ticket.customer.pk and business.customers.get().name == "Neel"


def test_open_ticket_for_returns_the_unsolved_ticket_only(business, customer, ticket):
    assert selectors.open_ticket_for(business=business, customer=customer) == ticket
    services.change_status(ticket=ticket, status="solved")
    assert selectors.open_ticket_for(business=business, customer=customer) is None


def test_a_ticket_cannot_be_opened_for_another_business_customer(business, other_customer):
    with pytest.raises(DomainError) as err:
        services.open_ticket(business=business, customer=other_customer, subject="x", message="y")
    assert err.value.fields == {"customer": ["This customer belongs to another business."]}
    assert not Ticket.objects.exists()


# --- reopen rules -----------------------------------------------------------------------
@pytest.mark.parametrize("status", ["pending", "solved"])
def test_a_customer_message_reopens_pending_and_solved_tickets(ticket, status):
    services.change_status(ticket=ticket, status=status)
    services.add_customer_message(ticket=ticket, body="Still waiting")
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.solved_at is None


@pytest.mark.parametrize("status", ["new", "open", "on_hold"])
def test_a_customer_message_keeps_new_open_and_on_hold_tickets_as_they_are(ticket, status):
    services.change_status(ticket=ticket, status=status)
    services.add_customer_message(ticket=ticket, body="Any news?")
    ticket.refresh_from_db()
    assert ticket.status == status


def test_a_closed_ticket_takes_no_more_messages(ticket):
    services.change_status(ticket=ticket, status="solved")
    services.change_status(ticket=ticket, status="closed")
    with pytest.raises(DomainError) as err:
        services.add_customer_message(ticket=ticket, body="Hello?")
    assert STATUS_OF_KIND[err.value.kind] == 409
    assert ticket.messages.count() == 1


def test_an_illegal_status_change_is_a_409(ticket):
    with pytest.raises(DomainError) as err:
        services.change_status(ticket=ticket, status="closed")
    assert (STATUS_OF_KIND[err.value.kind], err.value.code) == (409, "illegal_status_change")


# --- replies, first response, internal notes ---------------------------------------------
def test_a_public_reply_sets_first_response_moves_new_to_open_and_emits_ticket_reply(ticket):
    reply(ticket, "Your parcel left the warehouse today.")
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.first_response_at is not None
    event = OutboxEvent.objects.get(event_type="ticket.reply")
    assert event.payload["body"] == "Your parcel left the warehouse today."
    assert event.payload["customer"]["wa_id"] == "15550009001"


def test_internal_notes_are_never_emitted_and_do_not_count_as_first_response(ticket):
    before = OutboxEvent.objects.count()
    reply(ticket, "Customer sounds upset; check courier.", internal=True)
    ticket.refresh_from_db()
    assert OutboxEvent.objects.count() == before
    assert ticket.first_response_at is None and ticket.status == "new"


def test_bodies_that_are_empty_or_too_long_are_refused_and_nothing_is_written(ticket):
    for body in ("", "   ", "x" * 4097):
        with pytest.raises(DomainError) as err:
            reply(ticket, body)
        assert STATUS_OF_KIND[err.value.kind] == 400 and "body" in err.value.fields
    assert ticket.messages.count() == 1
    assert not OutboxEvent.objects.filter(event_type="ticket.reply").exists()


# --- SLA timing with a frozen clock -----------------------------------------------------
def test_first_response_due_counts_only_business_hours(open_ticket, weekday_policy):
    with time_machine.travel(ist(2026, 11, 20, 17, 30), tick=False):  # Friday
        ticket = open_ticket()
    assert ticket.first_response_due_at == ist(2026, 11, 23, 9, 30)    # Monday
    assert ticket.resolution_due_at == ist(2026, 11, 23, 12, 30)


def test_a_reply_after_the_due_time_marks_first_response_breached(open_ticket, weekday_policy):
    with time_machine.travel(ist(2026, 11, 18, 10, 0), tick=False):
        ticket = open_ticket()
    with time_machine.travel(ist(2026, 11, 18, 11, 1), tick=False):
        reply(ticket)
    ticket.refresh_from_db()
    assert ticket.first_response_breached
    assert ticket.first_response_at == ist(2026, 11, 18, 11, 1)


def test_a_reply_in_time_meets_the_first_response_target(open_ticket, weekday_policy):
    with time_machine.travel(ist(2026, 11, 18, 10, 0), tick=False):
        ticket = open_ticket()
    with time_machine.travel(ist(2026, 11, 18, 10, 59), tick=False):
        reply(ticket)
    ticket.refresh_from_db()
    assert not ticket.first_response_breached
    assert ticket.first_response_due_at is None and ticket.next_sla_due_at == ist(2026, 11, 18, 14, 0)


def test_the_sla_clock_pauses_while_pending(open_ticket, weekday_policy):
    with time_machine.travel(ist(2026, 11, 18, 10, 0), tick=False):    # Wednesday
        ticket = open_ticket()                                         # resolution due 14:00
    with time_machine.travel(ist(2026, 11, 18, 11, 0), tick=False):
        reply(ticket, "Can you send a photo?", status="pending")       # 60 minutes used
    ticket.refresh_from_db()
    assert ticket.resolution_due_at is None and ticket.next_sla_due_at is None
    with time_machine.travel(ist(2026, 11, 19, 16, 0), tick=False):    # a day and more later
        services.add_customer_message(ticket=ticket, body="Here it is")
    ticket.refresh_from_db()
    # 180 business minutes were left: 16:00-18:00 Thursday, then 60 minutes on Friday
    assert ticket.status == "open"
    assert ticket.resolution_due_at == ist(2026, 11, 20, 10, 0)


def test_breaching_tickets_are_flagged_once_and_staff_are_emailed(business, open_ticket, weekday_policy):
    agent = MembershipFactory(business=business, role="agent").user
    manager = MembershipFactory(business=business, role="manager").user
    with time_machine.travel(ist(2026, 11, 18, 10, 0), tick=False):
        ticket = open_ticket()
        services.assign_ticket(ticket=ticket, assignee=agent)
    with time_machine.travel(ist(2026, 11, 18, 11, 5), tick=False):
        assert services.flag_breaching_tickets() == 1
        assert services.flag_breaching_tickets() == 0
    ticket.refresh_from_db()
    assert ticket.first_response_breached and not ticket.resolution_breached
    emails = OutboxEvent.objects.filter(channel="email", event_type="staff.email")
    recipients = {r for e in emails
                  for r in e.payload.get("recipients") or outbox.staff_emails(business, e.payload["roles"])}
    assert {agent.email, manager.email} <= recipients


def test_paused_tickets_are_not_flagged(open_ticket, weekday_policy):
    with time_machine.travel(ist(2026, 11, 18, 10, 0), tick=False):
        ticket = open_ticket()
        services.change_status(ticket=ticket, status="on_hold")
    with time_machine.travel(ist(2026, 11, 25, 10, 0), tick=False):
        assert services.flag_breaching_tickets() == 0


# --- assignment ----------------------------------------------------------------------------
def test_auto_assignment_goes_round_robin_among_available_agents(business, open_ticket):
    business.auto_assign_tickets = True
    business.save()
    a, b = (MembershipFactory(business=business, role="agent").user for _ in range(2))
    MembershipFactory(business=business, role="agent", available_for_tickets=False)
    MembershipFactory(business=business, role="manager")
    assignees = [open_ticket().assignee_id for _ in range(4)]
    assert assignees == [a.pk, b.pk, a.pk, b.pk]


def test_tickets_cannot_be_assigned_to_staff_of_another_business(ticket, other_business):
    stranger = MembershipFactory(business=other_business, role="agent").user
    with pytest.raises(DomainError):
        services.assign_ticket(ticket=ticket, assignee=stranger)
    ticket.refresh_from_db()
    assert ticket.assignee_id is None


# --- auto-close ------------------------------------------------------------------------------
def test_solved_tickets_close_after_the_business_auto_close_days(business, ticket):
    business.ticket_auto_close_days = 3
    business.save()
    with time_machine.travel(ist(2026, 11, 18, 10, 0), tick=False):
        services.change_status(ticket=ticket, status="solved")
    with time_machine.travel(ist(2026, 11, 21, 9, 0), tick=False):
        assert services.close_solved_tickets() == 0
    with time_machine.travel(ist(2026, 11, 21, 10, 1), tick=False):
        assert services.close_solved_tickets() == 1
        assert services.close_solved_tickets() == 0
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.closed_at is not None


def test_unsolved_tickets_never_auto_close(ticket):
    with time_machine.travel(datetime.now(IST) + timedelta(days=60), tick=False):
        assert services.close_solved_tickets() == 0


# --- satisfaction -------------------------------------------------------------------------
def test_a_ticket_can_be_rated_only_once_solved(ticket):
    with pytest.raises(DomainError) as err:
        services.rate_ticket(ticket=ticket, rating="good")
    assert err.value.code == "ticket_not_solved"
    services.change_status(ticket=ticket, status="solved")
    services.rate_ticket(ticket=ticket, rating="bad", comment="Too slow")
    assert SatisfactionRating.objects.get(ticket=ticket).rating == "bad"
    with pytest.raises(DomainError):
        services.rate_ticket(ticket=ticket, rating="good")


def test_solving_a_ticket_emits_ticket_solved_so_the_chat_asks_for_a_rating(ticket):
    services.change_status(ticket=ticket, status="solved")
    assert OutboxEvent.objects.filter(event_type="ticket.solved").exists()


# --- canned replies ---------------------------------------------------------------------------
def test_canned_replies_fill_in_customer_name_and_order_number(business, customer):
    from support.models import CannedReply
    from tests.support.conftest import make_order

    order = make_order(business, customer)
    ticket = services.open_ticket(business=business, customer=customer, subject="Late", message="?", order=order)
    canned = CannedReply.objects.create(business=business, title="Late",
                                        body="Hi {customer_name}, {order_number} ships today. {unknown}")
    assert canned.render(ticket=ticket) == "Hi Asha, DG-1042 ships today. {unknown}"


# --- platform technical support ------------------------------------------------------------
def test_only_owners_and_managers_open_platform_tickets(business):
    agent = MembershipFactory(business=business, role="agent").user
    with pytest.raises(DomainError):
        services.open_platform_ticket(business=business, requester=agent, subject="Import broken", message="Help")
    assert not Ticket.objects.exists()


def test_merchants_cannot_answer_their_own_platform_ticket_as_agents(business):
    owner = MembershipFactory(business=business, role="owner").user
    ticket = services.open_platform_ticket(business=business, requester=owner, subject="Import", message="Broken")
    with pytest.raises(DomainError):
        services.reply_to_ticket(ticket=ticket, author=owner, body="Solved it myself", internal=True)
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_technical_support_mails_read_in_each_readers_language(business, django_capture_on_commit_callbacks):
    """Platform agents get the new ticket in their saved language (English when they never chose,
    whatever the merchant's language); the merchant gets the platform's answer in theirs. The
    messages themselves go as written."""
    from django.core import mail

    from shopchat.backoffice.language import set_staff_language
    from tests.factories import UserFactory

    business.language = "it"
    business.save(update_fields=["language"])
    german = UserFactory(username="de@platform.example", email="de@platform.example", is_superuser=True)
    set_staff_language(user=german, language="de")
    UserFactory(username="en@platform.example", email="en@platform.example", is_superuser=True)
    owner = MembershipFactory(business=business, role="owner",
                              user__username="it@shop.example", user__email="it@shop.example").user
    set_staff_language(user=owner, language="it")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.open_platform_ticket(business=business, requester=owner, subject="Import",
                                               message="Il file non si carica")
    sent = {m.to[0]: m for m in mail.outbox}
    assert sent["de@platform.example"].subject == f"[{business.name}] Technischer Support #{ticket.number}: Import"
    assert sent["en@platform.example"].subject == f"[{business.name}] technical support #{ticket.number}: Import"
    assert sent["de@platform.example"].body == "Il file non si carica"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_to_ticket(ticket=ticket, author=german, body="Bitte die CSV-Datei senden")
    (answer,) = mail.outbox
    assert answer.to == ["it@shop.example"] and answer.subject == f"Re: supporto tecnico #{ticket.number}: Import"
    assert answer.body == "Bitte die CSV-Datei senden"


def test_auto_assign_on_demand_picks_an_available_agent(business, ticket):
    agent = MembershipFactory(business=business, role="agent").user
    assert services.auto_assign(ticket=ticket).assignee_id == agent.pk


def test_the_beat_runs_auto_close_and_breach_flagging():
    from django.conf import settings

    from support import tasks

    tasks_in_beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"support.tasks.close_solved_tickets", "support.tasks.flag_breaching_tickets"} <= tasks_in_beat
    assert tasks.close_solved_tickets.delay().get() == 0
    assert tasks.flag_breaching_tickets.delay().get() == 0


def test_the_sla_breach_mail_reads_in_each_recipients_language(business, open_ticket, weekday_policy):
    """The payload keeps the English mail; a German reader gets the same facts in German
    (the priority's label and the 'nobody' of an unassigned ticket included)."""
    with time_machine.travel(ist(2026, 11, 18, 10, 0), tick=False):
        ticket = open_ticket(subject="Broken jar")
    with time_machine.travel(ist(2026, 11, 18, 11, 5), tick=False):
        assert services.flag_breaching_tickets() == 1
    event = OutboxEvent.objects.get(channel="email", event_type="staff.email")
    assert event.payload["subject"] == f"[{business.name}] SLA breached on ticket #{ticket.number}: Broken jar"
    assert event.payload["body"] == (f"Ticket #{ticket.number} (Normal) missed its first response target. "
                                     "Assignee: nobody.")
    subject, body = outbox.render_staff_email(event.payload["i18n"], "de")
    assert subject == f"[{business.name}] SLA verletzt bei Ticket #{ticket.number}: Broken jar"
    assert body == (f"Ticket #{ticket.number} (Normal) hat sein Ziel für die erste Antwort verfehlt. "
                    "Zugewiesen an: niemand.")
    assert "(Normale)" in outbox.render_staff_email(event.payload["i18n"], "it")[1]
