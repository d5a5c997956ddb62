"""The desk's own notes (assignments, round-robin, SLA breaches, a ticket opened from the inbox)
show in each reader's language: stored as a code with params beside the English text."""
import importlib

import pytest

from shopchat.backoffice.language import SESSION_KEY, set_staff_language
from support import services, system_notes
from support.models import TicketMessage
from tests.conftest import staff_client
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def reader_in(business, language):
    client = staff_client(business, "manager")
    set_staff_language(user=client.user, language=language)
    session = client.session
    session[SESSION_KEY] = language
    session.save()
    return client


def test_an_assignment_note_reads_in_each_readers_language(business, ticket):
    agent = MembershipFactory(business=business, role="agent", user__username="asha@shop.example").user
    services.assign_ticket(ticket=ticket, assignee=agent)
    note = TicketMessage.objects.get(ticket=ticket, author_kind="system")
    assert (note.body, note.note_code, note.note_params) == ("Assigned to asha@shop.example.", "assigned",
                                                             {"user": "asha@shop.example"})
    url = f"/admin/support/ticket/{ticket.pk}/messages/"
    assert "Zugewiesen an asha@shop.example." in reader_in(business, "de").get(url).content.decode()
    assert "Assegnato a asha@shop.example." in reader_in(business, "it").get(url).content.decode()
    assert "Assigned to asha@shop.example." in reader_in(business, "en").get(url).content.decode()


def test_a_ticket_opened_from_the_inbox_says_so_in_each_readers_language(business, customer):
    from chat import messages as wa
    from chat.models import OutboundMessage

    OutboundMessage.objects.create(business=business, customer=customer, kind="text", body=wa.text("Hi Asha"))
    opener = reader_in(business, "it")  # the customer said nothing yet: the desk's note opens the ticket
    response = opener.post(f"/admin/chat/conversation/{customer.pk}/ticket/", {"subject": "Lost parcel"})
    assert response.status_code == 302
    opening = TicketMessage.objects.get(ticket__subject="Lost parcel")
    agent = opener.user.get_username()
    assert opening.body == f"(opened from the chat by {agent})"  # English whoever opened it
    url = f"/admin/support/ticket/{opening.ticket_id}/messages/"
    assert f"(aus dem Chat eröffnet von {agent})" in reader_in(business, "de").get(url).content.decode()


def test_the_migration_gives_the_notes_written_as_text_their_codes(business, ticket):
    migration = importlib.import_module("support.migrations.0007_system_notes_to_codes")
    from django.apps import apps

    written = {text: TicketMessage.objects.create(ticket=ticket, author_kind=kind, body=text, internal=internal)
               for kind, text, internal in [
                   ("system", "Assigned automatically (round-robin).", True),
                   ("system", "Assigned to meera@shop.example.", True),
                   ("system", "Unassigned.", True),
                   ("system", "SLA breached: first response and resolution.", True),
                   ("customer", "(aus dem Chat eröffnet von meera@shop.example)", False),
                   ("system", "Something a person typed.", True),
                   ("customer", "(Assigned to nobody.)", False)]}
    migration.forwards(apps, None)
    found = {text: (m.note_code, m.note_params, m.body)
             for text, m in ((t, TicketMessage.objects.get(pk=m.pk)) for t, m in written.items())}
    assert found == {
        "Assigned automatically (round-robin).": ("round_robin", {}, "Assigned automatically (round-robin)."),
        "Assigned to meera@shop.example.": ("assigned", {"user": "meera@shop.example"},
                                            "Assigned to meera@shop.example."),
        "Unassigned.": ("unassigned", {}, "Unassigned."),
        "SLA breached: first response and resolution.": ("sla_both", {},
                                                         "SLA breached: first response and resolution."),
        "(aus dem Chat eröffnet von meera@shop.example)": ("opened_from_chat", {"agent": "meera@shop.example"},
                                                           "(opened from the chat by meera@shop.example)"),
        "Something a person typed.": ("", {}, "Something a person typed."),
        "(Assigned to nobody.)": ("", {}, "(Assigned to nobody.)"),
    }
    assert set(system_notes.NOTES) >= {code for code, _, _ in found.values() if code}


def test_erasing_the_customer_erases_the_notes_codes_too(business, customer):
    """A tombstoned note must not show its words again from its params."""
    from shopchat.privacy import services as privacy

    ticket = services.open_ticket(business=business, customer=customer, subject="Lost parcel",
                                  message=system_notes.english(system_notes.OPENED_FROM_CHAT, {"agent": "meera"}),
                                  opening_note=(system_notes.OPENED_FROM_CHAT, {"agent": "meera"}))
    privacy.erase_customer(customer=customer, actor="test")
    opening = TicketMessage.objects.get(ticket=ticket)
    assert (opening.note_code, opening.note_params) == ("", {}) and opening.shown_body == opening.body
