"""/webhooks/whatsapp/ under hostile input: the signature is checked on the raw bytes before
anything is parsed; whatever is signed but not Meta's shape (or not storable, or stale) becomes a
dead letter with its reason and Meta gets 200; one bad item never costs the rest of the batch."""
import copy
import json
import time
from unittest import mock

import pytest
from django.test import override_settings

from chat import services, webhook
from chat.models import DeadLetter, InboundMessage
from tests.chat.conftest import PHONE_NUMBER_ID, payload, post_webhook, text_payload

pytestmark = pytest.mark.django_db(transaction=True)

DEEP_5000 = b'{"entry":' + b"[" * 5000 + b"]" * 5000 + b', "phone_number_id": "' + PHONE_NUMBER_ID.encode() + b'"}'
DEEP_100000 = b"[" * 100_000 + b"]" * 100_000
UNSIGNED_BREAKERS = [b'{"entry":5}', b'{"entry":[{"changes":5}]}', DEEP_5000, DEEP_100000,
                     b'{"entry":5, "x": {"phone_number_id": "' + PHONE_NUMBER_ID.encode() + b'"}}']


@pytest.mark.parametrize("body", UNSIGNED_BREAKERS, ids=["entry5", "changes5", "deep5000", "deep100000", "named"])
@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64])
def test_unsigned_or_wrongly_signed_bodies_are_refused_before_parsing(client, wa_config, body, signature):
    with mock.patch.object(webhook, "loads", side_effect=AssertionError("parsed")) as loads:
        response = client.post("/webhooks/whatsapp/", data=body, content_type="application/json",
                               **({"HTTP_X_HUB_SIGNATURE_256": signature} if signature else {}))
    assert response.status_code == 403 and not loads.called
    assert not DeadLetter.objects.exists() and not InboundMessage.objects.exists()


SIGNED_BREAKERS = UNSIGNED_BREAKERS[:4] + [b'{"entry":[{"changes":[5, "x"]}, 7]}', b"[" * 65 + b"]" * 65]


@pytest.mark.parametrize("body", SIGNED_BREAKERS,
                         ids=["entry5", "changes5", "deep5000", "deep100000", "bad_items", "depth65"])
def test_signed_bodies_of_the_wrong_shape_become_dead_letters(client, wa_config, body):
    assert post_webhook(client, body).status_code == 200
    assert DeadLetter.objects.exists() and not InboundMessage.objects.exists()
    if body.startswith(b'{"entry":[') and b"5000" not in body:
        assert DeadLetter.objects.filter(business=wa_config.business).exists()


def a_batch_with(break_it):
    """A signed batch of a good message plus a broken item (changed by `break_it(value)`)."""
    body = text_payload("tea", "wamid.GOOD1")
    value = body["entry"][0]["changes"][0]["value"]
    extra = copy.deepcopy(value)
    extra["messages"][0]["id"] = "wamid.BAD1"
    break_it(extra)
    body["entry"].append({"id": "1", "changes": [{"field": "messages", "value": extra}]})
    return body


def _payment_status(changes):
    status = copy.deepcopy(payload("inbound_payment_status_captured.json")["entry"][0]["changes"][0]["value"]
                           ["statuses"][0])
    status.update(changes)
    return status


BREAKERS = {
    "messages_number": lambda v: v.update(messages=5),
    "contacts_number": lambda v: v.update(contacts=5),
    "statuses_number": lambda v: v.update(statuses=5),
    "profile_string": lambda v: v["contacts"][0].update(profile="Asha"),
    "payment_string": lambda v: v.update(statuses=[_payment_status({"payment": "paid"})]),
    "transaction_number": lambda v: v.update(statuses=[_payment_status(
        {"payment": {"reference_id": "ORD-1", "transaction": 5}})]),
    "nul": lambda v: v["messages"][0].update(text={"body": "tea\u0000"}),
    "nul_in_name": lambda v: v["contacts"][0].update(profile={"name": "A\u0000sha"}),
    "lone_surrogate": lambda v: v["messages"][0].update(text={"body": "tea \ud800"}),
    "huge_number": lambda v: v["messages"][0].update(text={"body": "tea", "n": 1e999}),
}


@pytest.mark.parametrize("name", list(BREAKERS))
def test_one_bad_item_is_a_dead_letter_and_the_rest_of_the_batch_is_stored(client, wa_config, name):
    raw = json.dumps(a_batch_with(BREAKERS[name])).encode()  # 1e999 is written as Infinity: make it 1e999
    raw = raw.replace(b"Infinity", b"1e999")
    assert post_webhook(client, raw).status_code == 200
    stored = set(InboundMessage.objects.values_list("wa_message_id", flat=True))
    assert "wamid.GOOD1" in stored
    if name not in ("contacts_number", "profile_string", "nul_in_name"):  # those keep the message, nameless
        assert DeadLetter.objects.filter(business=wa_config.business).exists()
    else:
        assert InboundMessage.objects.get(wa_message_id="wamid.BAD1").profile_name == ""


@pytest.mark.parametrize("raw", [b'{"x": "\\u0000', b"\x00\xff\xfe{", b'{"entry": [NaN]}'])
def test_unparsable_bodies_are_stored_so_postgresql_accepts_them(client, wa_config, raw):
    body = raw + b', "phone_number_id": "' + PHONE_NUMBER_ID.encode() + b'"'
    assert post_webhook(client, body).status_code == 200
    letter = DeadLetter.objects.get()
    assert letter.business == wa_config.business and "\x00" not in letter.body
    assert PHONE_NUMBER_ID in letter.body


def stamped(message_id, seconds_ago):
    body = text_payload("tea", message_id)
    body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(int(time.time() - seconds_ago))
    return body


@override_settings(WHATSAPP_WEBHOOK_MAX_AGE_SECONDS=8 * 24 * 3600)
def test_a_message_meta_retries_for_seven_days_is_still_accepted(client, wa_config):
    assert post_webhook(client, stamped("wamid.RETRIED", 7 * 24 * 3600)).status_code == 200
    assert InboundMessage.objects.filter(wa_message_id="wamid.RETRIED").exists()
    assert not DeadLetter.objects.exists()


@override_settings(WHATSAPP_WEBHOOK_MAX_AGE_SECONDS=8 * 24 * 3600)
def test_a_signed_message_from_years_ago_is_recorded_as_a_dead_letter(client, wa_config):
    assert post_webhook(client, stamped("wamid.ANCIENT", 3 * 365 * 24 * 3600)).status_code == 200
    assert not InboundMessage.objects.exists()
    assert DeadLetter.objects.get().reason.startswith("message older than the freshness limit")


def test_a_message_that_crashes_the_engine_is_dead_lettered_after_its_retries(client, wa_config):
    with mock.patch("chat.engine.respond", side_effect=RuntimeError("engine bug")):
        assert post_webhook(client, text_payload("tea", "wamid.CRASH")).status_code == 200
        for _ in range(services.MAX_ATTEMPTS + 2):
            services.sweep_inbound(grace_seconds=-1)
    row = InboundMessage.objects.get()
    assert row.attempts == services.MAX_ATTEMPTS and row.processed_at is not None
    letter = DeadLetter.objects.get()
    assert letter.business == wa_config.business
    assert letter.reason == f"processing failed {services.MAX_ATTEMPTS} times: RuntimeError"
    assert "wamid.CRASH" in letter.body
