"""The chat app plugs into the kernel by registration: its outbox channel, the rule that copies
customer-facing events into the chat, the relation that rule reads, its undelivered messages,
and its Celery tasks (found by autodiscovery, not imported by the kernel)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from chat import sender
from chat.models import OutboundMessage
from shopchat import channels
from shopchat.api.auth import _load_key, split_key
from shopchat.services import create_api_key
from tests.chat.conftest import CUSTOMER_WA_ID

pytestmark = pytest.mark.django_db

CUSTOMER = {"customer": {"wa_id": CUSTOMER_WA_ID, "name": "Asha"}}


def test_the_whatsapp_channel_is_registered():
    channel = channels.get("whatsapp")
    assert channel.deliver is sender.send_message
    assert channel.label == "WhatsApp message"
    assert channel.business_relations == ("whatsapp_config",)
    assert [name for name, _ in channels.choices()] == ["webhook", "email", "whatsapp", "webchat", "wa_media"]


def test_a_customer_event_is_copied_into_the_chat_of_a_business_serving_its_number(wa_config):
    assert channels.copies_of(wa_config.business, "order.shipped", CUSTOMER) == ["whatsapp"]


def test_no_copy_without_a_number_or_with_a_disabled_one(business, wa_config, other_business):
    assert channels.copies_of(other_business, "order.shipped", CUSTOMER) == []
    wa_config.enabled = False
    wa_config.save()
    business.refresh_from_db()
    assert channels.copies_of(business, "order.shipped", CUSTOMER) == []


def test_no_copy_of_events_the_chat_does_not_tell_or_without_a_customer(wa_config):
    assert channels.copies_of(wa_config.business, "order.placed", CUSTOMER) == []
    assert channels.copies_of(wa_config.business, "order.shipped", {"number": "SC-1"}) == []


def test_the_api_key_brings_what_the_rule_reads(wa_config, django_assert_num_queries):
    _, raw = create_api_key(business=wa_config.business, name="gateway", scopes=["gateway"])
    prefix, _ = split_key(raw)
    key = _load_key(prefix)
    with django_assert_num_queries(0):
        assert channels.copies_of(key.business, "order.shipped", CUSTOMER) == ["whatsapp"]


def test_messages_the_chat_did_not_deliver_reach_the_back_office_through_the_registry(wa_config, customer):
    at = timezone.now()
    OutboundMessage.objects.create(business=wa_config.business, customer=customer, kind="text", body={},
                                   status=OutboundMessage.Status.FAILED, error_code=131047, error_title="Re-engagement",
                                   order_number="SC-1", status_at=at)
    OutboundMessage.objects.create(business=wa_config.business, customer=customer, kind="text", body={},
                                   ticket_id="7", status=OutboundMessage.Status.FAILED)
    [message] = channels.undelivered_messages(business=wa_config.business, order_number="SC-1")
    assert message == channels.UndeliveredMessage(status_at=at, kind="text", error_code=131047,
                                                  error_title="Re-engagement")
    assert [m.error_code for m in channels.undelivered_messages(business=wa_config.business, ticket_id="7")] == [None]
    assert channels.undelivered_messages(business=wa_config.business) == []


def test_a_worker_finds_the_chat_tasks_by_autodiscovery():
    """What `celery -A shopchat worker` registers, asked in a fresh process (this one may have
    imported chat.tasks already)."""
    script = (
        "import json\n"
        "from shopchat.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print(json.dumps({'tasks': sorted(app.tasks),\n"
        "                  'queue': app.amqp.router.route({}, 'chat.tasks.process_inbound')['queue'].name}))\n"
    )
    env = {"DJANGO_SETTINGS_MODULE": "shopchat.settings", "PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite://:memory:"}
    result = subprocess.run([sys.executable, "-c", script], cwd=Path(settings.BASE_DIR), env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"chat.tasks.process_inbound", "chat.tasks.sweep_inbound"} <= set(found["tasks"])
    assert found["queue"] == "notifications"
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} <= set(found["tasks"])
