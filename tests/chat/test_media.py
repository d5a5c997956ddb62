"""Media and locations from customers, through signed webhooks and the fake Cloud API: a photo,
voice note or document is answered, then downloaded through the media endpoint with the number's
token (size-limited, type-checked, checksum-checked) into the storage and attached to the open
ticket; failures are retried, then recorded and told; files are served to their own business's
staff only, and leave the storage with erasure and retention."""
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from chat.models import InboundMessage, OutboundMessage, ReceivedMedia
from shopchat.models import OutboxEvent
from shopchat.privacy.services import erase_customer, export_customer, purge_expired
from support import services as support_services
from support.models import Ticket
from tests.chat.conftest import post_webhook, with_message
from tests.conftest import staff_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHOTO = b"\xff\xd8\xff\xe0" + b"a photo of the crushed parcel " * 200
MEDIA_ID = "4490000000001"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def media_payload(message_id, kind="image", media_id=MEDIA_ID, **item):
    body = {"mime_type": "image/jpeg", "id": media_id, **item}
    return with_message("inbound_text_hi.json", id=message_id, type=kind, text=None, **{kind: body})


def posted(fake_cloud):
    """The messages sent to the customer (POSTs), in order."""
    return [r["json"] for r in fake_cloud.requests if r["method"] == "POST"]


def opened(business, customer):
    return support_services.open_ticket(business=business, customer=customer, subject="Damaged parcel",
                                        message="My parcel arrived damaged")


def test_a_photo_sent_to_an_open_ticket_is_answered_then_stored_and_attached(client, wa_config, fake_cloud,
                                                                            business, customer):
    ticket = opened(business, customer)
    digest = fake_cloud.add_media(MEDIA_ID, PHOTO)
    assert post_webhook(client, media_payload("wamid.IMG1", caption="The box is crushed")).status_code == 200
    media = ReceivedMedia.objects.get()
    assert media.status == ReceivedMedia.Status.STORED
    assert (media.kind, media.mime_type, media.size, media.sha256) == ("image", "image/jpeg", len(PHOTO), digest)
    with media.file.open("rb") as stored:
        assert stored.read() == PHOTO
    assert MEDIA_ID not in media.file.name and media.file.name.startswith(f"chat-media/{business.pk}/")
    assert media.ticket_id == ticket.pk and media.ticket_message.body == "Photo received\nThe box is crushed"
    (reply,) = posted(fake_cloud)
    assert reply["text"]["body"] == (
        f"We got your photo and added it to ticket #{ticket.number}; an agent will look at it.")
    info, download = fake_cloud.media_requests
    assert info["path"].split("?")[0].endswith(f"/v23.0/{MEDIA_ID}")
    assert "phone_number_id=100000000000002" in info["path"]
    assert info["headers"]["Authorization"] == download["headers"]["Authorization"] == "Bearer EAAtest-token"
    # the reply went out before the file was fetched
    assert fake_cloud.requests.index(download) > next(i for i, r in enumerate(fake_cloud.requests)
                                                      if r["method"] == "POST")


def test_a_voice_note_joins_the_ticket_and_is_answered_in_the_customers_language(client, wa_config, fake_cloud,
                                                                                 business, customer):
    customer.locale = "de_DE"
    customer.save(update_fields=["locale"])
    ticket = opened(business, customer)
    fake_cloud.add_media("4490000000002", b"OggS voice", mime_type="audio/ogg; codecs=opus")
    post_webhook(client, media_payload("wamid.VOICE", kind="audio", media_id="4490000000002",
                                       mime_type="audio/ogg; codecs=opus", voice=True))
    media = ReceivedMedia.objects.get()
    assert (media.kind, media.status, media.mime_type) == ("audio", "stored", "audio/ogg")
    assert media.ticket_message.body == "Voice message received"
    (reply,) = posted(fake_cloud)
    assert f"#{ticket.number}" in reply["text"]["body"] and "Sprachnachricht" in reply["text"]["body"]


def test_a_photo_without_an_open_ticket_is_kept_on_the_conversation_with_a_way_on(client, wa_config, fake_cloud,
                                                                                  customer):
    fake_cloud.add_media(MEDIA_ID, PHOTO)
    post_webhook(client, media_payload("wamid.IMG2"))
    media = ReceivedMedia.objects.get()
    assert media.status == "stored" and media.ticket_id is None and not Ticket.objects.exists()
    (reply,) = posted(fake_cloud)
    assert reply["interactive"]["body"]["text"].startswith("Thank you, we got your photo and our team can see it.")
    assert [b["reply"]["id"] for b in reply["interactive"]["action"]["buttons"]] == ["catalog", "help", "language"]


def test_a_document_keeps_its_name_and_is_served_only_as_a_download(client, wa_config, fake_cloud, business,
                                                                     customer):
    opened(business, customer)
    fake_cloud.add_media("4490000000003", b"%PDF-1.7 invoice", mime_type="application/pdf")
    post_webhook(client, media_payload("wamid.DOC", kind="document", media_id="4490000000003",
                                       mime_type="application/pdf", filename="../../invoice 42.pdf"))
    media = ReceivedMedia.objects.get()
    assert media.file_name == "invoice 42.pdf" and media.ticket_message.body == "Document received: invoice 42.pdf"
    response = staff_client(business, "agent").get(f"/admin/chat/receivedmedia/{media.pk}/file/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.7 invoice"
    assert response["Content-Disposition"].startswith("attachment") and "invoice 42.pdf" in response[
        "Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]


def test_a_file_meta_says_is_too_large_is_refused_without_downloading_it(client, wa_config, fake_cloud, customer,
                                                                         settings):
    fake_cloud.add_media(MEDIA_ID, PHOTO, file_size=settings.WHATSAPP_MEDIA_MAX_BYTES + 1)
    post_webhook(client, media_payload("wamid.BIG"))
    media = ReceivedMedia.objects.get()
    assert media.status == ReceivedMedia.Status.TOO_LARGE and not media.file
    assert media.size == settings.WHATSAPP_MEDIA_MAX_BYTES + 1
    assert len(fake_cloud.media_requests) == 1  # the information only: the bytes were never asked for
    told = posted(fake_cloud)[-1]["text"]["body"]
    assert told.startswith("Sorry, your file is too large for us (the limit is 16 MB).")


def test_a_file_larger_than_meta_said_is_refused_while_downloading(client, wa_config, fake_cloud, customer,
                                                                   settings, media_root):
    settings.WHATSAPP_MEDIA_MAX_BYTES = 1000
    fake_cloud.add_media(MEDIA_ID, PHOTO, file_size=900)
    post_webhook(client, media_payload("wamid.LIAR"))
    media = ReceivedMedia.objects.get()
    assert media.status == ReceivedMedia.Status.TOO_LARGE and not media.file
    assert not [p for p in media_root.rglob("*") if p.is_file()]  # nothing half-written kept


def test_a_type_outside_the_allow_list_is_refused(client, wa_config, fake_cloud, customer):
    fake_cloud.add_media(MEDIA_ID, b"<svg onload=alert(1)>", mime_type="image/svg+xml")
    post_webhook(client, media_payload("wamid.SVG", mime_type="image/svg+xml"))
    media = ReceivedMedia.objects.get()
    assert media.status == ReceivedMedia.Status.FAILED and media.error == "type not accepted: image/svg+xml"
    assert not media.file


def test_a_failing_download_is_retried_then_stored(client, wa_config, fake_cloud, customer):
    fake_cloud.add_media(MEDIA_ID, PHOTO)
    fake_cloud.media_failures = [500]
    post_webhook(client, media_payload("wamid.FLAKY"))
    media = ReceivedMedia.objects.get()
    assert media.status == "stored" and media.attempts == 2


def test_a_download_that_keeps_failing_is_retried_then_marked_failed_and_told(client, wa_config, fake_cloud,
                                                                              customer, settings):
    settings.WHATSAPP_MEDIA_MAX_ATTEMPTS = 3
    fake_cloud.add_media(MEDIA_ID, PHOTO)
    fake_cloud.media_failures = [500] * 5
    post_webhook(client, media_payload("wamid.DOWN"))
    media = ReceivedMedia.objects.get()
    assert media.status == ReceivedMedia.Status.FAILED and media.attempts == 3
    assert media.error.startswith("gave up after 3 attempts: media information: HTTP 500")
    event = OutboxEvent.objects.get(channel="wa_media")
    assert event.status == OutboxEvent.Status.FAILED and event.attempts == 3
    assert posted(fake_cloud)[-1]["text"]["body"] == "Sorry, we could not receive your file. Please send it again."


def test_a_broken_transfer_is_caught_by_the_checksum_and_retried(client, wa_config, fake_cloud, customer, settings):
    settings.WHATSAPP_MEDIA_MAX_ATTEMPTS = 2
    fake_cloud.add_media(MEDIA_ID, PHOTO, sha256="0" * 64)
    post_webhook(client, media_payload("wamid.BROKEN"))
    media = ReceivedMedia.objects.get()
    assert media.status == "failed" and "SHA-256" in media.error and not media.file


def test_a_location_pin_outside_checkout_joins_the_open_ticket_with_a_map_link(client, wa_config, fake_cloud,
                                                                               business, customer):
    ticket = opened(business, customer)
    pin = {"latitude": 12.975526, "longitude": 77.606201, "name": "Home", "address": "MG Road 1, Bengaluru"}
    post_webhook(client, with_message("inbound_text_hi.json", id="wamid.PIN", type="location", location=pin,
                                      text=None))
    last = ticket.messages.order_by("-pk").first()
    assert last.body.startswith("Location received: Home, MG Road 1, Bengaluru\n12.975526, 77.606201 ")
    assert "openstreetmap.org/?mlat=12.975526&mlon=77.606201" in last.body
    (reply,) = posted(fake_cloud)
    assert reply["text"]["body"] == f"Thank you, we added your location to ticket #{ticket.number}."


def test_a_location_pin_without_a_ticket_is_acknowledged_and_shows_in_the_inbox(client, wa_config, fake_cloud,
                                                                                business, customer):
    pin = {"latitude": 12.975526, "longitude": 77.606201}
    post_webhook(client, with_message("inbound_text_hi.json", id="wamid.PIN2", type="location", location=pin,
                                      text=None))
    (reply,) = posted(fake_cloud)
    assert reply["interactive"]["body"]["text"] == "Thank you, we got your location and our team can see it."
    page = staff_client(business, "agent").get(f"/admin/chat/conversation/{customer.pk}/change/").content.decode()
    assert "openstreetmap.org/?mlat=12.975526&amp;mlon=77.606201" in page


def test_the_inbox_shows_the_photo_inline_from_the_staff_only_view(client, wa_config, fake_cloud, business,
                                                                   customer):
    fake_cloud.add_media(MEDIA_ID, PHOTO)
    post_webhook(client, media_payload("wamid.IMG3"))
    media = ReceivedMedia.objects.get()
    agent = staff_client(business, "agent")
    page = agent.get(f"/admin/chat/conversation/{customer.pk}/change/").content.decode()
    assert f'<img src="/admin/chat/receivedmedia/{media.pk}/file/"' in page
    response = agent.get(f"/admin/chat/receivedmedia/{media.pk}/file/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PHOTO


# --- rows made directly: the staff view, erasure, retention, export ---------------------------

def stored_media(business, customer, content=PHOTO, n=1, **fields):
    inbound = InboundMessage.objects.create(business=business, customer=customer, wa_id=customer.wa_id,
                                            wa_message_id=f"wamid.M{n}", type="image",
                                            payload={"type": "image", "image": {"id": str(n)}},
                                            processed_at=timezone.now())
    media = ReceivedMedia(business=business, customer=customer, inbound=inbound, kind="image",
                          mime_type="image/jpeg", caption="my broken mug", size=len(content),
                          status=ReceivedMedia.Status.STORED, **fields)
    media.file.save("x.jpg", ContentFile(content), save=False)
    media.save()
    return media


def test_another_businesss_media_answers_404_in_the_staff_view(business, other_business, customer):
    media = stored_media(business, customer)
    url = f"/admin/chat/receivedmedia/{media.pk}/file/"
    assert staff_client(other_business, "owner").get(url).status_code == 404
    assert staff_client(business, "agent").get(url).status_code == 200
    assert Client().get(url).status_code == 302  # not logged in: to the login page, never the file


def test_erasure_deletes_the_files_from_the_storage(business, customer):
    media = stored_media(business, customer)
    name, storage = media.file.name, media.file.storage
    assert storage.exists(name)
    record = erase_customer(customer=customer, actor="test")
    assert not storage.exists(name)
    media.refresh_from_db()
    assert (media.status, media.file.name, media.caption) == (ReceivedMedia.Status.ERASED, "", "")
    assert record.counts["files sent"] == 1


def test_retention_deletes_old_files_with_their_rows(business, customer):
    old = stored_media(business, customer, n=1)
    new = stored_media(business, customer, n=2)
    ReceivedMedia.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    InboundMessage.objects.filter(pk=old.inbound_id).update(received_at=timezone.now() - timedelta(days=400))
    business.retention_chat_days = 365
    business.save(update_fields=["retention_chat_days"])
    totals = purge_expired(businesses=[business])
    assert totals["files sent"] == 1
    assert not old.file.storage.exists(old.file.name) and new.file.storage.exists(new.file.name)
    assert list(ReceivedMedia.objects.values_list("pk", flat=True)) == [new.pk]


def test_the_export_lists_the_files_the_customer_sent(business, customer):
    stored_media(business, customer, file_name="")
    (sent,) = export_customer(customer=customer)["files_sent"]
    assert (sent["kind"], sent["caption"], sent["status"], sent["size"]) == ("image", "my broken mug", "stored",
                                                                             len(PHOTO))


def test_no_reply_to_a_sticker_but_it_is_kept(client, wa_config, fake_cloud, customer):
    fake_cloud.add_media(MEDIA_ID, b"RIFFwebp", mime_type="image/webp")
    post_webhook(client, media_payload("wamid.STICKER", kind="sticker", mime_type="image/webp", animated=False))
    assert ReceivedMedia.objects.get().status == "stored"
    assert posted(fake_cloud) == [] and not OutboundMessage.objects.exists()


def test_a_customer_of_another_business_never_gets_the_file_through_the_admin_list(business, other_business):
    theirs = stored_media(other_business, CustomerFactory(business=other_business), n=7)
    page = staff_client(business, "owner").get("/admin/chat/receivedmedia/").content.decode()
    assert f"/admin/chat/receivedmedia/{theirs.pk}/file/" not in page


def test_captions_and_file_names_never_reach_the_logs(client, wa_config, fake_cloud, business, customer, caplog):
    opened(business, customer)
    fake_cloud.add_media("4490000000009", b"%PDF secret", mime_type="application/pdf")
    fake_cloud.media_failures = [500]
    with caplog.at_level("DEBUG"):
        post_webhook(client, media_payload("wamid.LOGS", kind="document", media_id="4490000000009",
                                           mime_type="application/pdf", caption="Kaputtes Paket von Zimmer 12",
                                           filename="Rechnung-Geheim.pdf"))
    assert ReceivedMedia.objects.get().status == "stored"
    assert "Kaputtes Paket" not in caplog.text and "Rechnung-Geheim" not in caplog.text
