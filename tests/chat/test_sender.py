"""The `whatsapp` outbox channel against a fake Cloud API: retries, content errors, the
24-hour window, format limits checked before sending."""
from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from chat import messages as wa
from chat.engine import Reply
from chat.models import OutboundMessage
from chat.services import queue_replies
from shopchat import outbox
from shopchat.models import OutboxEvent
from tests.chat.conftest import CUSTOMER_WA_ID
from tests.chat.fake_cloud import cloud_error

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_auto_delivery():
    """Deliveries run only when the test calls outbox.deliver (no eager chain of retries)."""
    with mock.patch.object(outbox, "enqueue_delivery") as enqueue:
        yield enqueue


def queue(business, customer, *bodies):
    with transaction.atomic():
        queue_replies(business=business, customer=customer, replies=[Reply(b) for b in bodies])
    return OutboxEvent.objects.get(channel="whatsapp")


def test_message_is_posted_to_the_numbers_endpoint_with_the_bearer_token(wa_config, customer, fake_cloud,
                                                                         no_auto_delivery):
    event = queue(wa_config.business, customer, wa.text("Hello Asha"))
    assert outbox.deliver(event.pk) == "delivered"
    request = fake_cloud.requests[0]
    assert request["path"] == "/v23.0/100000000000002/messages"
    assert request["headers"]["Authorization"] == "Bearer EAAtest-token"
    assert request["json"] == {"messaging_product": "whatsapp", "recipient_type": "individual",
                               "to": CUSTOMER_WA_ID, "type": "text",
                               "text": {"preview_url": False, "body": "Hello Asha"}}
    message = OutboundMessage.objects.get()
    assert message.status == "sent" and message.wa_message_id == "wamid.FAKE000001" and message.attempts == 1


def test_meta_answering_5xx_is_retried_and_nothing_is_lost(wa_config, customer, fake_cloud, no_auto_delivery):
    fake_cloud.responses = [(500, cloud_error(131000, "Something went wrong")), (503, {})]
    event = queue(wa_config.business, customer, wa.text("Hello"))
    assert outbox.deliver(event.pk) == "retrying"
    assert no_auto_delivery.call_args.kwargs["countdown"] > 0
    assert outbox.deliver(event.pk) == "retrying"
    assert OutboundMessage.objects.get().status == "queued"
    assert outbox.deliver(event.pk) == "delivered"
    message = OutboundMessage.objects.get()
    assert message.status == "sent" and message.attempts == 3 and message.error_code is None
    assert len(fake_cloud.requests) == 3


@pytest.mark.parametrize("status, code", [(429, 130429), (400, 130429), (400, 131056)])
def test_throughput_errors_are_retried(wa_config, customer, fake_cloud, no_auto_delivery, status, code):
    fake_cloud.responses = [(status, cloud_error(code, "Rate limit hit"))]
    event = queue(wa_config.business, customer, wa.text("Hello"))
    assert outbox.deliver(event.pk) == "retrying"
    assert OutboundMessage.objects.get().error_code == code
    assert outbox.deliver(event.pk) == "delivered"


def test_re_engagement_error_131047_is_recorded_and_not_retried(wa_config, customer, fake_cloud, no_auto_delivery):
    fake_cloud.responses = [(400, cloud_error(131047, "Re-engagement message", "More than 24 hours have passed"))]
    event = queue(wa_config.business, customer, wa.text("Hello"))
    enqueued = no_auto_delivery.call_count
    assert outbox.deliver(event.pk) == "failed"
    message = OutboundMessage.objects.get()
    assert message.status == "failed" and message.error_code == 131047
    assert "Re-engagement" in message.error_title
    assert OutboxEvent.objects.get(pk=event.pk).status == "failed"
    assert no_auto_delivery.call_count == enqueued  # no retry scheduled
    assert outbox.deliver(event.pk) == "skipped" and len(fake_cloud.requests) == 1


def test_content_error_is_recorded_and_not_retried(wa_config, customer, fake_cloud, no_auto_delivery):
    fake_cloud.responses = [(400, cloud_error(100, "Invalid parameter"))]
    event = queue(wa_config.business, customer, wa.text("Hello"))
    assert outbox.deliver(event.pk) == "failed"
    assert OutboundMessage.objects.get().error_code == 100


def test_outside_the_24_hour_window_the_approved_template_is_sent(wa_config, customer, fake_cloud, no_auto_delivery):
    wa_config.template_name = "order_update"
    wa_config.template_language = "en_US"
    wa_config.save()
    customer.last_inbound_at = timezone.now() - timedelta(hours=25)
    customer.save()
    event = queue(wa_config.business, customer, wa.text("Your order shipped"))
    assert outbox.deliver(event.pk) == "delivered"
    sent = fake_cloud.sent[0]
    assert sent["type"] == "template" and sent["template"] == {"name": "order_update", "language": {"code": "en_US"}}
    message = OutboundMessage.objects.get()
    assert message.kind == "template" and "24-hour" in message.note


def test_outside_the_window_a_german_customer_gets_the_german_template(wa_config, customer, fake_cloud,
                                                                       no_auto_delivery):
    wa_config.template_name, wa_config.template_language = "order_update", "en_US"
    wa_config.template_names = {"de": "bestellung_info", "pt-br": "pedido_info"}
    wa_config.save()
    customer.locale, customer.last_inbound_at = "de_DE", timezone.now() - timedelta(hours=25)
    customer.save()
    event = queue(wa_config.business, customer, wa.text("Ihre Bestellung ist unterwegs"))
    assert outbox.deliver(event.pk) == "delivered"
    assert fake_cloud.sent[0]["template"] == {"name": "bestellung_info", "language": {"code": "de"}}


def test_a_language_without_its_own_template_gets_the_default_one(wa_config, customer, fake_cloud,
                                                                  no_auto_delivery):
    wa_config.template_name, wa_config.template_language = "order_update", "en_US"
    wa_config.template_names = {"de": "bestellung_info"}
    wa_config.save()
    customer.locale, customer.last_inbound_at = "it_IT", timezone.now() - timedelta(hours=25)
    customer.save()
    event = queue(wa_config.business, customer, wa.text("Il suo ordine è partito"))
    assert outbox.deliver(event.pk) == "delivered"
    assert fake_cloud.sent[0]["template"] == {"name": "order_update", "language": {"code": "en_US"}}


def test_template_names_must_be_chat_languages_and_template_names():
    from django.core.exceptions import ValidationError

    from chat.models import validate_template_names

    validate_template_names({"de": "bestellung_info"})
    for bad in ({"fr": "commande"}, {"de": "Bestellung Info"}):
        with pytest.raises(ValidationError):
            validate_template_names(bad)


def test_outside_the_window_without_a_template_nothing_is_sent(wa_config, customer, fake_cloud, no_auto_delivery):
    customer.last_inbound_at = None
    customer.save()
    event = queue(wa_config.business, customer, wa.text("Your order shipped"))
    assert outbox.deliver(event.pk) == "failed"
    message = OutboundMessage.objects.get()
    assert message.status == "failed" and message.error_code == 131047
    assert fake_cloud.requests == []


def test_message_breaking_the_format_limits_is_never_sent(wa_config, customer, fake_cloud, no_auto_delivery):
    body = wa.reply_buttons("Pick", [("a", "One")])
    body["interactive"]["action"]["buttons"] *= 4  # tampered after building
    event = queue(wa_config.business, customer, body)
    assert outbox.deliver(event.pk) == "failed"
    assert OutboundMessage.objects.get().status == "failed" and fake_cloud.requests == []


def test_replies_go_out_in_order_and_a_retry_skips_what_was_sent(wa_config, customer, fake_cloud, no_auto_delivery):
    fake_cloud.responses = [(200, None), (502, {})]
    event = queue(wa_config.business, customer, wa.text("first"), wa.text("second"))
    assert outbox.deliver(event.pk) == "retrying"
    assert outbox.deliver(event.pk) == "delivered"
    assert [b["text"]["body"] for b in fake_cloud.sent] == ["first", "second", "second"]
    assert list(OutboundMessage.objects.order_by("pk").values_list("status", flat=True)) == ["sent", "sent"]


def test_disabled_number_sends_nothing(wa_config, customer, fake_cloud, no_auto_delivery):
    event = queue(wa_config.business, customer, wa.text("Hello"))
    wa_config.enabled = False
    wa_config.save()
    assert outbox.deliver(event.pk) == "skipped" and fake_cloud.requests == []
