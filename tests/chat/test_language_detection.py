"""Which language a customer writes in (chat.language) and how the engine uses it."""
import pytest

from chat import language
from chat.engine import respond
from support.models import Ticket

pytestmark = pytest.mark.django_db


def text(body):
    return {"from": "15550001234", "id": "wamid.X", "type": "text", "text": {"body": body}}


@pytest.mark.parametrize(("body", "code"), [
    ("Hallo", "de"), ("Guten Tag!", "de"), ("Ciao", "it"), ("Buongiorno", "it"), ("Salve", "it"), ("Hola", "es"),
    ("Buenos días", "es"), ("Olá", "pt-br"), ("Oi", "pt-br"), ("Bom dia", "pt-br"), ("नमस्ते", "hi"),
    ("Hello", "en"), ("Hilfe", "de"), ("aiuto", "it"), ("assistenza", "it"), ("ayuda", "es"), ("ajuda", "pt-br"),
    ("मदद", "hi"), ("Ciao, ho bisogno di aiuto", "it"), ("Ich möchte gerne zwei Äpfel bestellen", "de"),
    ("Quiero comprar una camiseta azul", "es"), ("Vorrei ordinare due tazze bianche", "it"),
    ("I would like to order two white mugs", "en"), ("मुझे दो कप चाहिए", "hi"),
])
def test_the_language_of_a_message_is_recognised(body, code):
    assert language.detect(body) == code


@pytest.mark.parametrize("body", ["hi", "Hi!", "ok", "menu", "namaste", "mug", "Assam tea", "", "👍"])
def test_words_used_everywhere_and_product_names_decide_nothing(body):
    assert language.detect(body) is None


@pytest.mark.parametrize("body", ["help", "Hilfe", "aiuto", "assistenza", "ayuda", "ajuda", "मदद",
                                  "ich brauche hilfe", "preciso de ajuda", "necesito ayuda"])
def test_help_words_of_every_language_ask_for_help(body):
    assert language.asks_for_help(language.words_of(body))


@pytest.mark.parametrize(("body", "ticket_reply"), [
    ("Hilfe", "Danke! Wir haben das Ticket"), ("aiuto", "Grazie! Abbiamo aperto il ticket"),
    ("ayuda", "¡Gracias! Abrimos el ticket"), ("ajuda", "Obrigado! Abrimos o chamado"),
    ("मदद", "धन्यवाद! हमने टिकट"),
])
def test_a_help_word_opens_a_ticket_answered_in_its_language(wa_config, customer, body, ticket_reply):
    (reply,) = respond(config=wa_config, customer=customer, message=text(body))
    assert reply.body["text"]["body"].startswith(ticket_reply)
    assert Ticket.objects.filter(customer=customer).count() == 1


@pytest.mark.parametrize(("body", "greeting"), [
    ("Guten Tag", "Hallo! Willkommen in unserem Shop."), ("Buongiorno", "Ciao! Benvenuto nel nostro negozio."),
    ("Hola", "¡Hola! Bienvenido a nuestra tienda."), ("Olá", "Oi! Boas-vindas à nossa loja."),
    ("नमस्ते", "नमस्ते! हमारी दुकान में आपका स्वागत है।"),
])
def test_a_greeting_of_any_language_gets_the_greeting_in_that_language(wa_config, business, customer, products,
                                                                       body, greeting):
    business.greeting = business._meta.get_field("greeting").default
    replies = respond(config=wa_config, customer=customer, message=text(body))
    assert replies[0].body["text"]["body"].startswith(greeting)


def test_the_first_messages_language_is_saved(wa_config, customer, products):
    respond(config=wa_config, customer=customer, message=text("Buongiorno"))
    customer.refresh_from_db()
    assert customer.locale == "it"


def test_a_saved_choice_is_not_overridden_by_the_messages_language(wa_config, customer, products):
    customer.locale = "de_DE"
    customer.save(update_fields=["locale"])
    respond(config=wa_config, customer=customer, message=text("Hola"))
    customer.refresh_from_db()
    assert customer.locale == "de_DE"


def test_without_a_saved_choice_or_a_telling_message_the_numbers_country_decides(wa_config, products):
    from tests.factories import CustomerFactory

    german_number = CustomerFactory(business=wa_config.business, wa_id="4915112345678")
    (reply,) = respond(config=wa_config, customer=german_number, message=text("zzzqqq"))
    assert reply.body["interactive"]["action"]["buttons"][0]["reply"]["title"] == "Katalog ansehen"
    german_number.refresh_from_db()
    assert german_number.locale == ""  # nothing was chosen: nothing saved


def test_the_business_default_language_answers_unknown_numbers(wa_config, products):
    from tests.factories import CustomerFactory

    wa_config.business.language = "it"
    french_number = CustomerFactory(business=wa_config.business, wa_id="33612345678")
    (reply,) = respond(config=wa_config, customer=french_number, message=text("zzzqqq"))
    assert reply.body["interactive"]["action"]["buttons"][0]["reply"]["title"] == "Vedi catalogo"


@pytest.mark.parametrize("word", ["language", "Sprache", "lingua", "idioma", "língua", "भाषा"])
def test_the_word_for_language_in_any_language_opens_the_language_menu(wa_config, customer, word):
    (reply,) = respond(config=wa_config, customer=customer, message=text(word))
    rows = reply.body["interactive"]["action"]["sections"][0]["rows"]
    assert [r["title"] for r in rows] == ["English", "Deutsch", "Italiano", "Español", "Português", "हिन्दी"]
