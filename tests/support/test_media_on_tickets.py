"""Files customers send, on the ticket page: a photo attached to an open ticket shows inline (a
thumbnail linking to the staff-only file view), other files as download links, a file not there
(yet) as its state; the polled conversation shows them too."""
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from chat.models import InboundMessage, ReceivedMedia
from support import services

pytestmark = pytest.mark.django_db
TICKETS = "/admin/support/ticket/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def sent_to(ticket, kind="image", status=ReceivedMedia.Status.STORED, content=b"\xff\xd8photo", n=1, **fields):
    """A file the ticket's customer sent, attached as the chat attaches it (a customer message)."""
    customer = ticket.customer
    inbound = InboundMessage.objects.create(business=ticket.business, customer=customer, wa_id=customer.wa_id,
                                            wa_message_id=f"wamid.T{n}", type=kind, payload={"type": kind},
                                            processed_at=timezone.now())
    comment = services.add_customer_message(ticket=ticket, body=fields.pop("body", "Photo received"))
    media = ReceivedMedia(business=ticket.business, customer=customer, inbound=inbound, kind=kind,
                          mime_type=fields.pop("mime_type", "image/jpeg"), status=status, ticket=ticket,
                          ticket_message=comment, size=len(content), **fields)
    if status == ReceivedMedia.Status.STORED:
        media.file.save("x.bin", ContentFile(content), save=False)
    media.save()
    return media


def test_a_photo_sent_to_an_open_ticket_shows_in_the_ticket_page(agent_client, ticket):
    media = sent_to(ticket)
    html = agent_client.get(f"{TICKETS}{ticket.pk}/change/").content.decode()
    url = f"/admin/chat/receivedmedia/{media.pk}/file/"
    assert "Photo received" in html
    assert f'<a href="{url}" target="_blank" rel="noopener"' in html and f'<img src="{url}"' in html
    assert agent_client.get(url).status_code == 200


def test_a_voice_note_is_a_download_link_and_a_pending_file_shows_its_state(agent_client, ticket):
    voice = sent_to(ticket, kind="audio", mime_type="audio/ogg", body="Voice message received", n=1)
    sent_to(ticket, kind="document", status=ReceivedMedia.Status.PENDING, mime_type="application/pdf",
            file_name="invoice.pdf", body="Document received: invoice.pdf", n=2)
    html = agent_client.get(f"{TICKETS}{ticket.pk}/messages/").content.decode()
    assert f'<a href="/admin/chat/receivedmedia/{voice.pk}/file/" class="sc-download">⤓ Voice message</a>' in html
    assert "Document: invoice.pdf &middot; Downloading" in html
    assert "<img" not in html.split("Voice message received")[1].split("</li>")[0]


def test_the_ticket_page_speaks_the_staff_members_language(agent_client, ticket):
    sent_to(ticket, kind="audio", mime_type="audio/ogg", body="Voice message received")
    html = agent_client.get(f"{TICKETS}{ticket.pk}/messages/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Sprachnachricht" in html


def test_another_businesss_staff_get_no_file_from_the_ticket_links(ticket, other_business):
    from tests.conftest import staff_client

    media = sent_to(ticket)
    assert staff_client(other_business, "agent").get(f"/admin/chat/receivedmedia/{media.pk}/file/").status_code == 404
