"""A number's approved template marked marketing goes only to customers who opted in to
marketing messages and have not opted out since (GDPR consent, Meta's policy); a utility
template, and every message inside the 24-hour window, need no consent."""
from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from chat import messages as wa
from chat.engine import Reply
from chat.errors import ChatErrorCode
from chat.models import OutboundMessage, WhatsAppConfig
from chat.replies import reply_options
from chat.services import queue_replies
from shopchat import consent, outbox
from shopchat.models import OutboxEvent

pytestmark = pytest.mark.django_db(transaction=True)
MARKETING = WhatsAppConfig.TemplateCategory.MARKETING


@pytest.fixture(autouse=True)
def no_auto_delivery():
    with mock.patch.object(outbox, "enqueue_delivery"):
        yield


@pytest.fixture
def marketing_template(wa_config):
    WhatsAppConfig.objects.filter(pk=wa_config.pk).update(template_name="weekly_offers", template_category=MARKETING)
    return WhatsAppConfig.objects.get(pk=wa_config.pk)


def wrote_long_ago(customer):
    customer.last_inbound_at = timezone.now() - timedelta(days=3)
    customer.save()
    return customer


def deliver(business, customer) -> str:
    with transaction.atomic():
        queue_replies(business=business, customer=customer, replies=[Reply(wa.text("New offers this week"))])
    return outbox.deliver(OutboxEvent.objects.get(channel="whatsapp").pk)


def test_a_marketing_template_is_not_sent_without_an_opt_in(marketing_template, customer, fake_cloud):
    assert deliver(marketing_template.business, wrote_long_ago(customer)) == "failed"
    message = OutboundMessage.objects.get()
    assert message.status == "failed" and "opted in" in message.error_title
    assert fake_cloud.requests == []


def test_a_marketing_template_is_sent_after_an_opt_in(marketing_template, customer, fake_cloud):
    consent.opt_in(customer=wrote_long_ago(customer), source="web")
    assert deliver(marketing_template.business, customer) == "delivered"
    assert fake_cloud.sent[0]["template"]["name"] == "weekly_offers"


def test_a_marketing_template_is_not_sent_after_stop(marketing_template, customer, fake_cloud):
    consent.opt_in(customer=wrote_long_ago(customer), source="web")
    consent.opt_out(customer=customer, source="chat")
    assert deliver(marketing_template.business, customer) == "failed"
    assert fake_cloud.requests == []


def test_a_utility_template_needs_no_consent(wa_config, customer, fake_cloud):
    WhatsAppConfig.objects.filter(pk=wa_config.pk).update(template_name="order_update")
    assert deliver(wa_config.business, wrote_long_ago(customer)) == "delivered"
    assert fake_cloud.sent[0]["template"]["name"] == "order_update"


def test_inside_the_window_a_message_needs_no_consent(marketing_template, customer, fake_cloud):
    customer.last_inbound_at = timezone.now()
    customer.save()
    assert deliver(marketing_template.business, customer) == "delivered"
    assert fake_cloud.sent[0]["type"] == "text"


def test_the_reply_box_says_why_a_marketing_template_cannot_go(marketing_template, customer):
    options = reply_options(business=marketing_template.business, customer=wrote_long_ago(customer))
    assert options["can_send"] is False and options["code"] == ChatErrorCode.NO_MARKETING_CONSENT
    assert "weekly_offers" in options["reason"]
