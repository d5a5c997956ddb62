"""The chat in the customer's language: words from the catalogs in locale/, money in their locale."""
import pytest

from chat import messages as wa
from chat import notifications
from chat.engine import respond
from orders import services as order_services
from shopchat.languages import Speech
from tests.chat.conftest import fund_wallet

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


def text(body):
    return {"from": "15550001234", "id": "wamid.X", "type": "text", "text": {"body": body}}


def tap(button_id):
    return {"from": "15550001234", "id": "wamid.X", "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": button_id, "title": "Tap"}}}


def bodies(replies):
    for reply in replies:
        wa.validate(reply.body)
    return [r.body for r in replies]


@pytest.fixture
def euro_shop(wa_config, business):
    business.currency = "EUR"
    business.country = "DE"
    business.greeting = business._meta.get_field("greeting").default  # the starting greeting, translated
    business.save(update_fields=["currency", "country", "greeting"])
    wa_config.business = business
    return wa_config


def saved(customer, locale):
    customer.locale = locale
    customer.save(update_fields=["locale"])
    return customer


def test_a_customer_saved_as_de_DE_gets_the_greeting_and_catalog_in_german(euro_shop, customer, products):
    greeting, catalog = bodies(respond(config=euro_shop, customer=saved(customer, "de_DE"), message=text("hi")))
    assert greeting["text"]["body"] == "Hallo! Willkommen in unserem Shop. Hier ist unser Katalog."
    assert catalog["interactive"]["body"]["text"] == "Tippen Sie auf ein Produkt, um es anzusehen und zu bestellen."
    assert catalog["interactive"]["action"]["button"] == "Produkte ansehen"
    assert catalog["interactive"]["action"]["sections"][0]["rows"][0]["description"] == f"120,00{NBSP}€"


def test_an_order_in_german_tells_its_total_in_euros_for_germany(euro_shop, customer, products):
    (request,) = bodies(respond(config=euro_shop, customer=saved(customer, "de"), message=tap("buy:SKU-MUG-WHITE")))
    body = request["interactive"]["body"]["text"]
    assert "ist aufgegeben:" in body and f"Gesamt: 249,50{NBSP}€" in body and "Wie möchten Sie bezahlen?" in body
    assert [b["reply"]["title"] for b in request["interactive"]["action"]["buttons"]] == [
        "Mit Wallet zahlen", "Mit Karte zahlen", "Stornieren"]


def test_the_merchants_greeting_in_the_customers_language_comes_before_the_default(euro_shop, customer, products):
    euro_shop.business.greeting = "Welcome to Chai Corner!"
    euro_shop.business.greetings = {"it": "Benvenuti da Chai Corner!"}
    assert bodies(respond(config=euro_shop, customer=saved(customer, "it_IT"), message=text("hi")))[0] == (
        wa.text("Benvenuti da Chai Corner!"))
    assert bodies(respond(config=euro_shop, customer=saved(customer, "es"), message=text("hi")))[0] == (
        wa.text("Welcome to Chai Corner!"))


@pytest.mark.parametrize(("locale", "words"), [
    ("hi", "कैटलॉग देखें"), ("pt_BR", "Ver catálogo"), ("es", "Ver catálogo"), ("it", "Vedi catalogo"),
    ("en_IN", "Browse catalog"),
])
def test_a_search_without_results_answers_in_the_saved_language(wa_config, customer, products, locale, words):
    (reply,) = bodies(respond(config=wa_config, customer=saved(customer, locale), message=text("zzzqqq")))
    assert reply["interactive"]["action"]["buttons"][0]["reply"]["title"] == words


def test_a_wallet_too_low_is_told_in_german_with_both_amounts(euro_shop, customer, products):
    customer = saved(customer, "de_DE")
    fund_wallet(customer, 100_000)
    order = order_services.place_order(business=euro_shop.business, customer=customer,
                                       items=[{"retailer_id": "SKU-MUG-WHITE", "quantity": 5}])
    (reply,) = bodies(respond(config=euro_shop, customer=customer, message=tap(f"pay_wallet:{order.number}")))
    assert reply["interactive"]["body"]["text"] == (
        f"Ihre Wallet-Zahlung für Bestellung {order.number} ist nicht durchgegangen: Ihr Wallet-Guthaben beträgt "
        f"1.000,00{NBSP}€, die Bestellung kostet 1.247,50{NBSP}€.")


def test_a_notification_is_rendered_in_the_customers_language(euro_shop, customer):
    from django.utils import translation

    customer = saved(customer, "de_DE")
    speech = Speech.of(customer, euro_shop.business)
    with translation.override(speech.language):
        body = notifications.describe("order.paid", {"order": "SC-1042", "currency": "EUR", "total": "1247.50"},
                                      euro_shop, speech)
    assert body == wa.text(f"Zahlung für Bestellung SC-1042 erhalten (1.247,50{NBSP}€). Danke! Wir bereiten sie vor.")
