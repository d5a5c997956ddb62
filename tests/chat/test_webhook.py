"""/webhooks/whatsapp/: verification, signatures, storage, de-duplication, dead letters."""
import json
from unittest import mock

import pytest

from chat import services
from chat.models import DeadLetter, InboundMessage, OutboundMessage
from chat.services import configure_whatsapp
from shopchat.models import Customer
from tests.chat.conftest import (
    CUSTOMER_WA_ID,
    PHONE_NUMBER_ID,
    payload,
    post_webhook,
    raw_payload,
    text_payload,
)
from tests.factories import BusinessFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_verification_answers_the_challenge(client, wa_config):
    response = client.get("/webhooks/whatsapp/", {"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                                   "hub.challenge": "1158201444"})
    assert response.status_code == 200 and response.content == b"1158201444"


def test_verification_with_a_wrong_token_is_refused(client, wa_config):
    response = client.get("/webhooks/whatsapp/", {"hub.mode": "subscribe", "hub.verify_token": "nope",
                                                   "hub.challenge": "1158201444"})
    assert response.status_code == 403


def test_missing_signature_is_refused_and_nothing_stored(client, wa_config, fake_cloud):
    response = post_webhook(client, raw_payload("inbound_text_hi.json"), signature="")
    assert response.status_code == 403
    assert not InboundMessage.objects.exists() and fake_cloud.requests == []


def test_wrong_signature_is_refused_and_nothing_stored(client, wa_config, fake_cloud):
    response = post_webhook(client, raw_payload("inbound_text_hi.json"), secret="not-the-app-secret")
    assert response.status_code == 403
    assert not InboundMessage.objects.exists() and not DeadLetter.objects.exists()


def test_documented_signed_body_is_accepted(client, wa_config, fake_cloud):
    from tests.chat.test_signature import VECTOR

    response = post_webhook(client, raw_payload("inbound_text_hi.json"), signature=VECTOR)
    assert response.status_code == 200
    assert InboundMessage.objects.get().wa_message_id == "wamid.TEST_IN_TEXT_0001"


def test_hi_gets_the_greeting_and_the_catalog(client, wa_config, fake_cloud, products):
    assert post_webhook(client, raw_payload("inbound_text_hi.json")).status_code == 200
    assert fake_cloud.wait_for(2)
    greeting, catalog = fake_cloud.sent
    assert greeting["to"] == CUSTOMER_WA_ID and greeting["text"]["body"] == "Hi! Welcome to Chai Corner."
    assert catalog["interactive"]["type"] == "list"
    customer = Customer.objects.get(wa_id=CUSTOMER_WA_ID)
    assert customer.name == "Asha Test" and customer.last_inbound_at is not None
    assert InboundMessage.objects.get().processed_at is not None
    assert list(OutboundMessage.objects.values_list("status", flat=True)) == ["sent", "sent"]


def test_same_message_delivered_five_times_gets_one_reply(client, wa_config, fake_cloud, products):
    for _ in range(5):
        assert post_webhook(client, raw_payload("inbound_text_hi.json")).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert len(fake_cloud.requests) == 2  # greeting + catalog, once


def test_malformed_json_is_kept_as_a_dead_letter_and_answered_200(client, wa_config, fake_cloud):
    body = b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"metadata": ' \
           b'{"phone_number_id": "100000000000002"}, "messages": [ '
    response = post_webhook(client, body)
    assert response.status_code == 200
    letter = DeadLetter.objects.get()
    assert letter.business == wa_config.business and letter.reason.startswith("not JSON")
    assert not InboundMessage.objects.exists()


def test_malformed_json_with_a_bad_signature_is_refused(client, wa_config):
    assert post_webhook(client, b"{not json", secret="wrong").status_code == 403
    assert not DeadLetter.objects.exists()


def test_unexpected_shape_is_kept_as_a_dead_letter(client, wa_config):
    body = {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages",
            "value": {"metadata": {"phone_number_id": PHONE_NUMBER_ID}, "messages": [{"id": 42}]}}]}]}
    assert post_webhook(client, body).status_code == 200
    assert DeadLetter.objects.get().reason == "message without id, from or type"
    body = {"object": "whatsapp_business_account", "entry": {"oops": PHONE_NUMBER_ID}, "x": PHONE_NUMBER_ID}
    raw = json.dumps(body).replace('"x"', '"phone_number_id"').encode()
    assert post_webhook(client, raw).status_code == 200
    assert DeadLetter.objects.count() == 2


def test_unknown_phone_number_id_is_ignored(client, wa_config, fake_cloud):
    body = payload("inbound_text_hi.json")
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999999999999"
    assert post_webhook(client, body).status_code == 200
    assert not InboundMessage.objects.exists() and fake_cloud.requests == []


def test_batch_of_entries_of_two_numbers_reaches_both_businesses(client, wa_config, fake_cloud, products):
    other = BusinessFactory()
    configure_whatsapp(business=other, phone_number_id="100000000000003", access_token="t2",
                       app_secret="test_app_secret", verify_token="v2", base_url=fake_cloud.url)
    assert post_webhook(client, raw_payload("batch_two_numbers.json")).status_code == 200
    assert InboundMessage.objects.filter(business=wa_config.business).count() == 2
    assert InboundMessage.objects.filter(business=other).count() == 1
    assert fake_cloud.wait_for(5)  # two customers of the first shop (greeting + catalog), one of the second
    paths = {r["path"] for r in fake_cloud.requests}
    assert paths == {"/v23.0/100000000000002/messages", "/v23.0/100000000000003/messages"}


def test_entry_of_a_number_with_another_app_secret_is_not_trusted(client, wa_config, fake_cloud):
    other = BusinessFactory()
    configure_whatsapp(business=other, phone_number_id="100000000000003", access_token="t2",
                       app_secret="another_app_secret", verify_token="v2", base_url=fake_cloud.url)
    assert post_webhook(client, raw_payload("batch_two_numbers.json")).status_code == 200
    assert InboundMessage.objects.filter(business=wa_config.business).count() == 2
    assert not InboundMessage.objects.filter(business=other).exists()


def test_message_stored_while_the_broker_is_down_is_answered_by_the_sweep(client, wa_config, fake_cloud, products):
    with mock.patch("chat.tasks.process_inbound.apply_async", side_effect=ConnectionError("down")):
        assert post_webhook(client, raw_payload("inbound_text_hi.json")).status_code == 200
    assert InboundMessage.objects.get().processed_at is None and fake_cloud.requests == []
    assert services.sweep_inbound(grace_seconds=-1) == 1
    assert InboundMessage.objects.get().processed_at is not None
    assert fake_cloud.wait_for(2)


def test_webhook_stores_a_batch_in_a_constant_number_of_queries(client, wa_config, django_assert_max_num_queries):
    body = text_payload("hi", "wamid.BULK0")
    messages = body["entry"][0]["changes"][0]["value"]["messages"]
    messages[:] = [dict(messages[0], id=f"wamid.BULK{i}") for i in range(50)]
    with mock.patch("chat.services.enqueue_processing"):
        with django_assert_max_num_queries(6):
            assert post_webhook(client, body).status_code == 200
    assert InboundMessage.objects.count() == 50


def test_first_message_of_a_new_customer_gets_the_greeting_whatever_it_says(client, wa_config, fake_cloud, products):
    assert post_webhook(client, text_payload("do you sell mugs?", "wamid.NEW1")).status_code == 200
    assert fake_cloud.wait_for(2)
    assert fake_cloud.sent[0]["text"]["body"] == "Hi! Welcome to Chai Corner."


def test_returning_customers_text_is_a_search(client, wa_config, fake_cloud, products, customer):
    assert post_webhook(client, text_payload("mug", "wamid.OLD1")).status_code == 200
    assert fake_cloud.wait_for(1)
    rows = fake_cloud.sent[0]["interactive"]["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == ["product:SKU-MUG-WHITE"]


def test_a_customers_messages_are_processed_together_in_order(client, wa_config):
    body = text_payload("hi", "wamid.A0")
    value = body["entry"][0]["changes"][0]["value"]
    first = value["messages"][0]
    value["messages"] = [dict(first, id=f"wamid.{who}{i}", **{"from": wa_id})
                         for i in range(3) for who, wa_id in (("A", "15550001234"), ("B", "15550005678"))]
    with mock.patch("chat.services.enqueue_processing") as enqueue:
        assert post_webhook(client, body).status_code == 200
    batches = [call.args[1] for call in enqueue.call_args_list]
    a_batch = next(b for b in batches if "wamid.A0" in b)
    assert [k for k in a_batch if k.startswith("wamid.A")] == ["wamid.A0", "wamid.A1", "wamid.A2"]
    assert sorted(k for b in batches for k in b) == sorted(m["id"] for m in value["messages"])


def test_one_broken_message_does_not_cost_the_rest_of_the_batch(client, wa_config, fake_cloud, products, customer):
    body = text_payload("tea", "wamid.GOOD1")
    value = body["entry"][0]["changes"][0]["value"]
    value["messages"].append({"id": "wamid.BROKEN", "type": "text"})  # no sender
    assert post_webhook(client, body).status_code == 200
    assert list(InboundMessage.objects.values_list("wa_message_id", flat=True)) == ["wamid.GOOD1"]
    assert DeadLetter.objects.get().reason == "message without id, from or type"
    assert fake_cloud.wait_for(1)


def test_other_webhook_fields_are_ignored(client, wa_config):
    body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "message_template_status_update", "value": {"event": "APPROVED", "message_template_id": 1}}]}]}
    raw = json.dumps(body).encode()
    # No phone-number id in the body: the signature is checked against the configured numbers' secrets.
    assert post_webhook(client, raw).status_code == 200
    assert not InboundMessage.objects.exists() and not DeadLetter.objects.exists()


def test_a_message_whose_processing_fails_is_kept_and_retried(client, wa_config, fake_cloud, products, customer):
    with mock.patch("chat.engine.respond", side_effect=RuntimeError("engine bug")):
        assert post_webhook(client, text_payload("tea", "wamid.FAIL1")).status_code == 200
    row = InboundMessage.objects.get()
    assert row.processed_at is None and row.attempts == 1 and "engine bug" in row.error
    assert not OutboundMessage.objects.exists()
    assert services.sweep_inbound(grace_seconds=-1) == 1
    assert InboundMessage.objects.get().processed_at is not None
    assert fake_cloud.wait_for(1)


def test_the_sweep_gives_up_on_a_message_after_five_attempts(client, wa_config):
    post_webhook(client, payload("status_delivered.json"))  # a status for a message we never sent
    for _ in range(10):
        services.sweep_inbound(grace_seconds=-1)
    row = InboundMessage.objects.get()
    assert row.attempts == services.MAX_ATTEMPTS and row.processed_at is not None
