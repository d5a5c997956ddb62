"""The number's templates synced from Meta's `message_templates` (the fake Graph API), page after
page; the back office lists them per number with the event each tells, and another business's
templates are not there (404)."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from chat import template_sync
from chat.errors import TemplateSyncFailed
from chat.models import MessageTemplate, WhatsAppConfig
from tests.chat.fake_cloud import cloud_error, meta_template

pytestmark = pytest.mark.django_db
WABA_ID = "200000000000001"


@pytest.fixture
def config(wa_config):
    WhatsAppConfig.objects.filter(pk=wa_config.pk).update(waba_id=WABA_ID)
    return WhatsAppConfig.objects.get(pk=wa_config.pk)


@pytest.fixture
def three_templates(fake_cloud):
    fake_cloud.templates = [
        meta_template("order_shipped", "en_US", "Order {{1}} shipped with {{2}}: {{3}}"),
        meta_template("order_shipped", "de", "Bestellung {{1}} ist unterwegs ({{2}}, {{3}})"),
        meta_template("weekly_offers", "en_US", "Hi {{first_name}}, new offers!", category="MARKETING",
                      status="PENDING", parameter_format="NAMED"),
    ]
    return fake_cloud


def test_sync_reads_every_page_with_the_numbers_token(config, three_templates, monkeypatch):
    monkeypatch.setattr(template_sync, "TEMPLATE_PAGE_SIZE", 2)
    result = template_sync.sync_message_templates(config=config)
    assert (result.listed, result.created, result.updated, result.removed) == (3, 3, 0, 0)
    first, second = three_templates.requests
    assert first["method"] == "GET" and first["headers"]["Authorization"] == "Bearer EAAtest-token"
    assert first["path"] == (f"/v23.0/{WABA_ID}/message_templates"
                             "?fields=name%2Clanguage%2Ccategory%2Cstatus%2Ccomponents&limit=2")
    assert second["path"].startswith(f"/v23.0/{WABA_ID}/message_templates?") and "after=2" in second["path"]
    assert second["headers"]["Authorization"] == "Bearer EAAtest-token"
    rows = {(t.name, t.language): t for t in MessageTemplate.objects.filter(config=config)}
    assert sorted(rows) == [("order_shipped", "de"), ("order_shipped", "en_US"), ("weekly_offers", "en_US")]
    shipped = rows["order_shipped", "en_US"]
    assert (shipped.category, shipped.status, shipped.parameter_format, shipped.parameter_count) == (
        "utility", "approved", "positional", 3)
    assert shipped.components == [{"type": "BODY", "text": "Order {{1}} shipped with {{2}}: {{3}}"}]
    offers = rows["weekly_offers", "en_US"]
    assert (offers.category, offers.status, offers.parameter_names) == ("marketing", "pending", ["first_name"])
    assert shipped.business_id == config.business_id and shipped.synced_at is not None


def test_a_second_sync_updates_keeps_the_event_and_marks_the_vanished(config, three_templates):
    template_sync.sync_message_templates(config=config)
    MessageTemplate.objects.filter(name="order_shipped", language="en_US").update(event="order.shipped")
    three_templates.templates[0]["status"] = "PAUSED"
    del three_templates.templates[1]
    result = template_sync.sync_message_templates(config=config)
    assert (result.listed, result.created, result.updated, result.removed) == (2, 0, 1, 1)
    shipped = MessageTemplate.objects.get(name="order_shipped", language="en_US")
    assert shipped.status == "paused" and shipped.event == "order.shipped" and shipped.removed_at is None
    assert MessageTemplate.objects.get(name="order_shipped", language="de").removed_at is not None


def test_an_error_from_meta_is_a_message_and_changes_nothing(config, three_templates):
    template_sync.sync_message_templates(config=config)
    three_templates.templates = []
    three_templates.responses = [(401, cloud_error(190, "Error validating access token: Session has expired"))]
    with pytest.raises(TemplateSyncFailed) as refused:
        template_sync.sync_message_templates(config=config)
    assert "Meta refused the access token (Error validating access token" in refused.value.message
    assert MessageTemplate.objects.filter(removed_at__isnull=True).count() == 3


def test_a_next_page_on_another_host_is_not_followed(config, fake_cloud, monkeypatch):
    fake_cloud.responses = [(200, {"data": [meta_template("a")], "paging": {"next": "https://evil.example/next"}})]
    with pytest.raises(TemplateSyncFailed) as refused:
        template_sync.sync_message_templates(config=config)
    assert "another host (evil.example)" in refused.value.message
    assert len(fake_cloud.requests) == 1 and not MessageTemplate.objects.exists()


def test_a_number_without_its_account_id_is_told_to_enter_it(wa_config, fake_cloud):
    with pytest.raises(TemplateSyncFailed) as refused:
        template_sync.sync_message_templates(config=wa_config)
    assert "WhatsApp Business Account id" in refused.value.message and fake_cloud.requests == []


def test_the_command_syncs_and_reports_a_refusal(config, three_templates):
    out = StringIO()
    call_command("sync_message_templates", stdout=out)
    assert "3 templates, 3 new" in out.getvalue()
    three_templates.responses = [(500, {})]
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("sync_message_templates", config.business.slug, stdout=StringIO(), stderr=err)
    assert "Meta refused to list the templates (HTTP 500" in err.getvalue()


# --- back office ----------------------------------------------------------------------------

def test_the_sync_action_says_what_meta_refused_without_a_500(owner_client, config, fake_cloud):
    fake_cloud.responses = [(400, cloud_error(100, "Unsupported get request"))]
    response = owner_client.post("/admin/chat/whatsappconfig/", {
        "action": "sync_templates", "_selected_action": [config.pk]}, follow=True)
    assert response.status_code == 200
    assert "Meta refused to list the templates: Unsupported get request (code 100)." in response.content.decode()


def test_the_sync_action_fills_the_numbers_template_list(owner_client, config, three_templates):
    response = owner_client.post("/admin/chat/whatsappconfig/", {
        "action": "sync_templates", "_selected_action": [config.pk]}, follow=True)
    assert "3 templates at Meta, 3 new" in response.content.decode()
    page = owner_client.get(f"/admin/chat/whatsappconfig/{config.pk}/change/").content.decode()
    assert "weekly_offers" in page and "order_shipped" in page
    listed = owner_client.get(f"/admin/chat/messagetemplate/?config__id__exact={config.pk}").content.decode()
    assert "weekly_offers" in listed


def test_the_owner_maps_an_event_and_its_values(owner_client, config, three_templates):
    template_sync.sync_message_templates(config=config)
    shipped = MessageTemplate.objects.get(name="order_shipped", language="en_US")
    response = owner_client.post(f"/admin/chat/messagetemplate/{shipped.pk}/change/", {
        "event": "order.shipped", "values": "order_number, carrier, tracking_link", "name": "hijack"})
    assert response.status_code == 302, response.content.decode()[:3000]
    shipped.refresh_from_db()
    assert shipped.event == "order.shipped" and shipped.parameters == ["order_number", "carrier", "tracking_link"]
    assert shipped.name == "order_shipped"  # Meta's fields are read-only


def test_values_that_do_not_fit_the_body_are_refused(owner_client, config, three_templates):
    template_sync.sync_message_templates(config=config)
    shipped = MessageTemplate.objects.get(name="order_shipped", language="en_US")
    response = owner_client.post(f"/admin/chat/messagetemplate/{shipped.pk}/change/", {
        "event": "order.shipped", "values": "order_number, tracking_number"})
    assert response.status_code == 200
    assert "The body has 3 parameters and 2 values are chosen." in response.content.decode()
    response = owner_client.post(f"/admin/chat/messagetemplate/{shipped.pk}/change/", {
        "event": "order.delivered", "values": "order_number, carrier, pay_link"})
    assert "The event has no value carrier, pay_link" in response.content.decode()
    shipped.refresh_from_db()
    assert shipped.event == "" and shipped.parameters == []


def test_two_templates_of_one_language_cannot_tell_the_same_event(owner_client, config, three_templates):
    template_sync.sync_message_templates(config=config)
    MessageTemplate.objects.filter(name="order_shipped", language="en_US").update(event="order.shipped")
    offers = MessageTemplate.objects.get(name="weekly_offers")
    response = owner_client.post(f"/admin/chat/messagetemplate/{offers.pk}/change/", {
        "event": "order.shipped", "values": "customer_name"})
    assert "Another template of this language already tells this event." in response.content.decode()


def test_another_business_template_is_not_found(config, three_templates, other_business):
    from tests.conftest import staff_client

    template_sync.sync_message_templates(config=config)
    theirs = MessageTemplate.objects.first()
    outsider = staff_client(other_business, "owner")
    assert outsider.get(f"/admin/chat/messagetemplate/{theirs.pk}/change/").status_code == 404
    assert outsider.post(f"/admin/chat/messagetemplate/{theirs.pk}/change/",
                         {"event": "order.shipped"}).status_code == 404
    assert "order_shipped" not in outsider.get("/admin/chat/messagetemplate/").content.decode()


def test_a_manager_reads_the_templates_but_cannot_map_them(manager_client, config, three_templates):
    template_sync.sync_message_templates(config=config)
    shipped = MessageTemplate.objects.get(name="order_shipped", language="en_US")
    assert manager_client.get(f"/admin/chat/messagetemplate/{shipped.pk}/change/").status_code == 200
    manager_client.post(f"/admin/chat/messagetemplate/{shipped.pk}/change/", {"event": "order.shipped"})
    shipped.refresh_from_db()
    assert shipped.event == ""
