"""Back office pages render whatever was stored: payloads of any shape and depth (the inbound
list, a conversation transcript, an outbound message's detail, an outbox event)."""
import pytest

from chat.models import InboundMessage, OutboundMessage, summarize
from shopchat.models import OutboxEvent
from shopchat.payloads import MAX_DEPTH, dig, pretty_json, text_of
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def nested(depth):
    value: object = "bottom"
    for _ in range(depth):
        value = {"a": value}
    return value


ODD_INBOUND = [
    ("order", {"order": {"product_items": 5}}),
    ("order", {"order": "x"}),
    ("order", {"order": {"product_items": [5, None, {"quantity": {"n": 1}}]}}),
    ("text", {"text": {"body": {"nested": "dict"}}}),
    ("text", {"text": "plain"}),
    ("text", [1, 2]),
    ("interactive", {"interactive": {"button_reply": "yes"}}),
    ("interactive", {"interactive": 7}),
    ("button", {"button": 5}),
    ("status", {"status": {"x": 1}}),
    ("template", {"template": ["x"]}),
]


@pytest.mark.parametrize(("kind", "payload"), ODD_INBOUND)
def test_summaries_of_odd_payloads_are_lines_of_text(kind, payload):
    assert isinstance(summarize(kind, payload), str)


def test_safe_helpers_take_any_value():
    assert dig({"a": [{"b": 1}]}, "a", 0, "b") == 1 and dig({"a": 5}, "a", "b") is None
    assert text_of({"k": "v"}) == '{"k": "v"}' and text_of(None) == "" and len(text_of("x" * 900)) == 500
    deep = pretty_json(nested(900))
    assert deep.count('"a"') == MAX_DEPTH and "…" in deep


def test_the_inbound_list_renders_an_order_whose_product_items_is_a_number(admin_client, business):
    customer = CustomerFactory(business=business)
    for i, (kind, payload) in enumerate(ODD_INBOUND):
        InboundMessage.objects.create(business=business, customer=customer, wa_message_id=f"wamid.ODD{i}",
                                      wa_id=customer.wa_id, type=kind, payload=payload)
    assert admin_client.get("/admin/chat/inboundmessage/").status_code == 200
    row = InboundMessage.objects.first()
    assert admin_client.get(f"/admin/chat/inboundmessage/{row.pk}/change/").status_code == 200


def test_a_transcript_with_a_dict_where_text_was_expected_renders(admin_client, business):
    customer = CustomerFactory(business=business)
    InboundMessage.objects.create(business=business, customer=customer, wa_message_id="wamid.DICT",
                                  wa_id=customer.wa_id, type="text", payload={"text": {"body": {"x": "y"}}})
    OutboundMessage.objects.create(business=business, customer=customer, kind="text",
                                   body={"type": "text", "text": {"body": ["not", "a", "string"]}})
    response = admin_client.get(f"/admin/chat/conversation/{customer.pk}/change/")
    assert response.status_code == 200 and "wamid" not in response.content.decode()[:0]


def test_an_outbound_message_900_levels_deep_renders(admin_client, business):
    customer = CustomerFactory(business=business)
    message = OutboundMessage.objects.create(business=business, customer=customer, kind="text", body=nested(900))
    assert admin_client.get("/admin/chat/outboundmessage/").status_code == 200
    response = admin_client.get(f"/admin/chat/outboundmessage/{message.pk}/change/")
    assert response.status_code == 200  # the page renders (the stored value loads as a short note)
    assert admin_client.get(f"/admin/chat/conversation/{customer.pk}/change/").status_code == 200


def test_an_outbox_event_900_levels_deep_renders(admin_client, business):
    event = OutboxEvent.objects.create(business=business, event_type="x", payload=nested(900),
                                       next_attempt_at="2026-01-01T00:00:00Z")
    assert admin_client.get(f"/admin/shopchat/outboxevent/{event.pk}/change/").status_code == 200
