"""What the Graph API's answer records on a message: its id, the attempt, `sent` at that time,
unless a status webhook got there first (a delivered message stays delivered)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import OutboundMessage
from chat.queries import record_sent
from tests.factories import OutboundMessageFactory

pytestmark = pytest.mark.django_db


def test_a_queued_message_is_sent_with_its_id_and_the_time(business):
    message = OutboundMessageFactory(business=business, status=OutboundMessage.Status.QUEUED, error_title="timeout")
    now = timezone.now()

    record_sent(message_id=message.pk, wa_message_id="wamid.SENT1", now=now)

    message.refresh_from_db()
    assert (message.status, message.status_at, message.wa_message_id) == ("sent", now, "wamid.SENT1")
    assert (message.attempts, message.error_title, message.error_code) == (1, "", None)


def test_a_status_webhook_that_came_first_is_kept(business):
    delivered_at = timezone.now() - timedelta(seconds=1)
    message = OutboundMessageFactory(business=business, status=OutboundMessage.Status.DELIVERED,
                                     status_at=delivered_at)

    record_sent(message_id=message.pk, wa_message_id="wamid.SENT2", now=timezone.now())

    message.refresh_from_db()
    assert (message.status, message.status_at, message.wa_message_id) == ("delivered", delivered_at, "wamid.SENT2")
