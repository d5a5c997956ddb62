"""The customer's privacy words in the chat: STOP (in every chat language) opts out of marketing
and is confirmed; "delete my data" opens an erasure request staff confirm in the back office."""
import pytest

from chat.engine import respond
from shopchat import consent
from shopchat.models import ErasureRecord

pytestmark = pytest.mark.django_db


def text(body):
    return {"from": "15550001234", "id": "wamid.X", "type": "text", "text": {"body": body}}


@pytest.mark.parametrize(("word", "confirmed"), [
    ("STOP", "no more offers"), ("Stop.", "no more offers"), ("stopp", "no more offers"),
    ("BASTA", "no more offers"), ("alto", "no more offers"), ("parar", "no more offers"), ("sair", "no more offers"),
    ("रोकें", "ऑफ़र नहीं भेजेगा"), ("बंद", "ऑफ़र नहीं भेजेगा"),  # Devanagari: the customer's language is Hindi
])
def test_stop_in_any_chat_language_opts_out_and_is_confirmed(wa_config, customer, word, confirmed):
    consent.opt_in(customer=customer, source="web")
    (reply,) = respond(config=wa_config, customer=customer, message=text(word))
    assert confirmed in reply.body["text"]["body"]
    customer.refresh_from_db()
    assert customer.marketing_opt_out_source == "chat" and not consent.may_send_marketing(customer)


def test_marketing_needs_an_opt_in_and_a_later_opt_in_wins_over_an_opt_out(customer):
    assert not consent.may_send_marketing(customer)
    consent.opt_in(customer=customer, source="api")
    assert consent.may_send_marketing(customer)
    consent.opt_out(customer=customer, source="chat")
    assert not consent.may_send_marketing(customer)
    consent.opt_in(customer=customer, source="web")
    customer.refresh_from_db()
    assert consent.may_send_marketing(customer) and customer.marketing_opt_in_source == "web"


@pytest.mark.parametrize(("words", "told"), [  # answered in the language the request is written in
    ("delete my data", "within 30 days"), ("Lösche meine Daten", "innerhalb von 30 Tagen"),
    ("cancella i miei dati", "entro 30 giorni"), ("borrar mis datos", "30 días"), ("apagar meus dados", "30 dias"),
])
def test_delete_my_data_opens_one_erasure_request_and_tells_what_happens(wa_config, customer, words, told):
    (reply,) = respond(config=wa_config, customer=customer, message=text(words))
    assert told in reply.body["text"]["body"]
    respond(config=wa_config, customer=customer, message=text(words))
    request = ErasureRecord.objects.get()
    assert (request.status, request.source, request.customer) == ("requested", "chat", customer)
    customer.refresh_from_db()
    assert customer.erased_at is None  # staff confirm it in the back office


def test_erasure_empties_the_browser_chat_and_forgets_its_visitor(business, customer):
    from chat.models import WebChatMessage, WebChatVisitor
    from shopchat.privacy import services as privacy

    WebChatVisitor.objects.create(business=business, customer=customer, token_hash="a" * 64)
    WebChatMessage.objects.create(business=business, customer=customer, direction="in", kind="text",
                                  body={"text": {"body": "my flat is above the bakery"}})
    assert privacy.export_customer(customer=customer)["chat_messages"]["browser_chat"][0]["text"] == (
        "my flat is above the bakery")
    privacy.erase_customer(customer=customer, actor="test")
    assert WebChatMessage.objects.get().body == {"erased": True}
    assert not WebChatVisitor.objects.exists()
