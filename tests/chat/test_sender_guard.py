"""The Cloud API sender goes through the outbound guard: a base URL inside our network (saved
before the rule, or typed by a merchant) is refused at save time and at send time."""
from unittest import mock

import pytest
from django.db import transaction
from django.test import override_settings

from chat import messages as wa
from chat.engine import Reply
from chat.models import OutboundMessage, WhatsAppConfig
from chat.services import ConfigError, configure_whatsapp, queue_replies
from shopchat import outbox
from shopchat.models import OutboxEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_private_base_url_is_refused_when_configuring(business):
    with override_settings(OUTBOUND_ALLOW_PRIVATE=False), pytest.raises(ConfigError, match="base_url"):
        configure_whatsapp(business=business, phone_number_id="100000000000009", access_token="t", app_secret="s",
                           verify_token="v", base_url="http://127.0.0.1:5432")


def test_a_private_base_url_saved_earlier_is_refused_at_send_time(wa_config, customer, fake_cloud):
    with mock.patch.object(outbox, "enqueue_delivery"):
        with transaction.atomic():
            queue_replies(business=wa_config.business, customer=customer, replies=[Reply(wa.text("Hello"))])
        event = OutboxEvent.objects.get(channel="whatsapp")
        with override_settings(OUTBOUND_ALLOW_PRIVATE=False):
            assert outbox.deliver(event.pk) == OutboxEvent.Status.FAILED
    assert fake_cloud.requests == []
    message = OutboundMessage.objects.get()
    assert message.status == OutboundMessage.Status.FAILED and "address refused" in message.error_title
    assert WhatsAppConfig.objects.get().base_url == fake_cloud.url
