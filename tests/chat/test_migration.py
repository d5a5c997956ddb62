"""The WhatsApp adapter's rows survive its move from the kernel to the chat app.

The database is taken back to before the move (shopchat 0003, no chat migration), rows are
written through the models as they were then, and the migrations run forward: the rows read
back through the chat app's models, and permissions granted on them stay attached. No database
marker: this runs on SQLite and on PostgreSQL alike.
"""
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_THE_MOVE = ("shopchat", "0003_idempotency_business_index_covered_by_unique")


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader sees what is applied now


def write_rows_before_the_move(old_apps) -> dict:
    Business = old_apps.get_model("shopchat", "Business")
    Customer = old_apps.get_model("shopchat", "Customer")
    WhatsAppConfig = old_apps.get_model("shopchat", "WhatsAppConfig")
    InboundMessage = old_apps.get_model("shopchat", "InboundMessage")
    OutboundMessage = old_apps.get_model("shopchat", "OutboundMessage")
    DeadLetter = old_apps.get_model("shopchat", "DeadLetter")

    business = Business.objects.create(name="Chai Corner", slug="chai-corner-before-the-move", currency="INR")
    customer = Customer.objects.create(business=business, wa_id="15550001234", name="Asha")
    config = WhatsAppConfig.objects.create(business=business, phone_number_id="100000000000009",
                                           access_token="EAA-token", app_secret="secret", verify_token="verify")
    inbound = InboundMessage.objects.create(business=business, customer=customer, wa_message_id="wamid.IN1",
                                            wa_id="15550001234", type="text", payload={"text": {"body": "Hi"}})
    outbound = OutboundMessage.objects.create(
        business=business, customer=customer, kind="text", body={"type": "text", "text": {"body": "Hello"}},
        wa_message_id="wamid.OUT1", status="failed", error_code=131047, error_title="Re-engagement message",
        order_number="SC-1042", in_reply_to=inbound, status_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    )
    dead = DeadLetter.objects.create(business=business, reason="not JSON", body="{oops")
    # contenttypes and auth are not part of the move: their current models write these rows
    ContentType.objects.clear_cache()
    content_type, _ = ContentType.objects.get_or_create(app_label="shopchat", model="whatsappconfig")
    permission, _ = Permission.objects.get_or_create(content_type=content_type, codename="view_whatsappconfig",
                                                     defaults={"name": "Can view WhatsApp settings"})
    Group.objects.create(name="WhatsApp readers").permissions.add(permission)
    return {"business": business.pk, "config": config.pk, "inbound": inbound.pk, "outbound": outbound.pk,
            "dead": dead.pk, "content_type": content_type.pk, "permission": permission.pk}


@pytest.mark.django_db(transaction=True)
def test_whatsapp_rows_written_before_the_move_read_through_the_chat_models():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        executor = migrate([BEFORE_THE_MOVE, ("chat", None)])
        assert ("chat", "0001_initial") not in executor.loader.applied_migrations
        before = write_rows_before_the_move(executor.loader.project_state(BEFORE_THE_MOVE).apps)

        migrate(latest)
        ContentType.objects.clear_cache()
        from chat.models import Conversation, DeadLetter, InboundMessage, OutboundMessage, WhatsAppConfig

        config = WhatsAppConfig.objects.select_related("business").get(pk=before["config"])
        assert (config.business.slug, config.phone_number_id, config.access_token) == (
            "chai-corner-before-the-move", "100000000000009", "EAA-token")
        assert config.messages_url == "https://graph.facebook.com/v23.0/100000000000009/messages"
        inbound = InboundMessage.objects.get(pk=before["inbound"])
        assert (inbound.wa_message_id, inbound.summary, inbound.customer.name) == ("wamid.IN1", "Hi", "Asha")
        outbound = OutboundMessage.objects.get(pk=before["outbound"])
        assert outbound.in_reply_to == inbound and outbound.summary == "Hello"
        assert (outbound.status, outbound.error_code, outbound.order_number) == (
            OutboundMessage.Status.FAILED, 131047, "SC-1042")
        assert DeadLetter.objects.get(pk=before["dead"]).body == "{oops"
        assert Conversation.objects.filter(business_id=before["business"]).get().wa_id == "15550001234"

        content_type = ContentType.objects.get_for_model(WhatsAppConfig)
        assert (content_type.pk, content_type.app_label) == (before["content_type"], "chat")
        [permission] = Group.objects.get(name="WhatsApp readers").permissions.all()
        assert permission.pk == before["permission"] and permission.content_type == content_type
    finally:
        migrate(latest)
        ContentType.objects.clear_cache()
