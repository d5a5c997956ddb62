"""The chat in six languages end to end: signed webhooks, the real services and the fake Cloud API
(a real Celery worker on PostgreSQL + Redis, eager tasks otherwise)."""
import copy

import pytest
from django.conf import settings

from orders.models import Order
from shopchat.models import Customer
from support import services as support_services
from support.models import Ticket
from tests.chat.conftest import button_payload, fund_wallet, payload, post_webhook, text_payload

pytestmark = pytest.mark.django_db(transaction=True)

NBSP = "\xa0"


@pytest.fixture
def tasks_run(request):
    if settings.IS_POSTGRES and settings.REDIS_URL:
        return request.getfixturevalue("real_celery")
    return None


@pytest.fixture
def euro_shop(wa_config, business):
    """A shop in Germany selling in euros, with the greeting it started with (told translated)."""
    business.currency = "EUR"
    business.country = "DE"
    business.greeting = business._meta.get_field("greeting").default
    business.save(update_fields=["currency", "country", "greeting"])
    return wa_config


def euro_cart(message_id: str) -> dict:
    """inbound_order_3_items.json priced in euros: 2 x 120.00 + 249.50 + 3 x 45.00 = 624.50 EUR."""
    data = copy.deepcopy(payload("inbound_order_3_items.json"))
    message = data["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"] = message_id
    for item in message["order"]["product_items"]:
        item["currency"] = "EUR"
    return data


def texts(fake_cloud, start: int = 0) -> list[str]:
    """What the customer read: text bodies and interactive bodies, buttons and list buttons."""
    seen = []
    for body in fake_cloud.sent[start:]:
        if body["type"] == "text":
            seen.append(body["text"]["body"])
            continue
        interactive = body["interactive"]
        seen.append(interactive.get("body", {}).get("text", ""))
        action = interactive["action"]
        seen += [b["reply"]["title"] for b in action.get("buttons", [])]
        if "button" in action:
            seen.append(action["button"])
    return seen


def test_a_german_customer_shops_from_hallo_to_the_payment_confirmation_in_german(
        client, euro_shop, fake_cloud, customer, products, tasks_run):
    fund_wallet(customer, 100_000)
    assert post_webhook(client, text_payload("Hallo", "wamid.DE_1")).status_code == 200
    assert fake_cloud.wait_for(2)
    assert texts(fake_cloud)[:1] == ["Hallo! Willkommen in unserem Shop. Hier ist unser Katalog."]
    assert "Produkte ansehen" in texts(fake_cloud) and "Tippen Sie auf ein Produkt" in texts(fake_cloud)[1]
    assert Customer.objects.get(pk=customer.pk).locale == "de"  # the first message's language, saved

    assert post_webhook(client, euro_cart("wamid.DE_2")).status_code == 200
    assert fake_cloud.wait_for(3)
    order = Order.objects.get(customer=customer)
    request, *buttons = texts(fake_cloud, 2)
    assert request.startswith(f"Bestellung {order.number} ist aufgegeben:\n2 x Assam Tea 250g - 240,00{NBSP}€")
    assert f"Gesamt: 624,50{NBSP}€\nWie möchten Sie bezahlen?" in request
    assert buttons == ["Mit Wallet zahlen", "Mit Karte zahlen", "Stornieren"]

    tap = button_payload(f"pay_wallet:{order.number}", "Mit Wallet zahlen", "wamid.DE_3")
    assert post_webhook(client, tap).status_code == 200
    assert fake_cloud.wait_for(4)
    assert texts(fake_cloud, 3) == [
        f"Zahlung für Bestellung {order.number} erhalten (624,50{NBSP}€). Danke! Wir bereiten sie vor."]


def test_an_italian_asking_for_help_gets_a_ticket_and_italian_replies(
        client, wa_config, fake_cloud, customer, tasks_run):
    assert post_webhook(client, text_payload("Ciao, ho bisogno di aiuto", "wamid.IT_1")).status_code == 200
    assert fake_cloud.wait_for(1)
    ticket = Ticket.objects.get(customer=customer)
    assert texts(fake_cloud) == [
        f"Grazie! Abbiamo aperto il ticket #{ticket.number}. Un operatore ti risponderà qui in chat."]
    support_services.reply_to_ticket(ticket=ticket, author=None, body="Certo, come posso aiutarti?")
    assert fake_cloud.wait_for(2)
    assert texts(fake_cloud, 1) == [f"Assistenza (ticket #{ticket.number}):\nCerto, come posso aiutarti?"]


def test_a_hindi_speaker_gets_hindi(client, wa_config, fake_cloud, customer, products, tasks_run):
    assert post_webhook(client, text_payload("नमस्ते", "wamid.HI_1")).status_code == 200
    assert fake_cloud.wait_for(2)
    seen = texts(fake_cloud)
    assert seen[0] == "Hi! Welcome to Chai Corner."  # the merchant's own greeting, given in English only
    assert seen[1:] == ["देखने और ऑर्डर करने के लिए किसी प्रोडक्ट पर टैप करें।", "प्रोडक्ट देखें"]
    assert Customer.objects.get(pk=customer.pk).locale == "hi"


def test_a_customer_switches_language_mid_chat(client, wa_config, fake_cloud, customer, products, tasks_run):
    assert post_webhook(client, text_payload("zzzqqq", "wamid.SW_1")).status_code == 200  # English so far
    assert fake_cloud.wait_for(1)
    assert texts(fake_cloud)[1:] == ["Browse catalog", "Talk to us", "Language"]

    assert post_webhook(client, button_payload("language", "Language", "wamid.SW_2")).status_code == 200
    assert fake_cloud.wait_for(2)
    menu = fake_cloud.sent[1]["interactive"]
    assert [r["id"] for r in menu["action"]["sections"][0]["rows"]] == [
        "language:en", "language:de", "language:it", "language:es", "language:pt-br", "language:hi"]

    list_reply = copy.deepcopy(payload("inbound_interactive_list_reply.json"))
    message = list_reply["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"] = "wamid.SW_3"
    message["from"] = customer.wa_id
    message["interactive"] = {"type": "list_reply", "list_reply": {"id": "language:es", "title": "Español"}}
    assert post_webhook(client, list_reply).status_code == 200
    assert fake_cloud.wait_for(3)
    assert texts(fake_cloud, 2) == ["De acuerdo, a partir de ahora te escribo en español.", "Ver catálogo",
                                    "Hablar con nosotros"]
    assert Customer.objects.get(pk=customer.pk).locale == "es"

    assert post_webhook(client, text_payload("Sprache", "wamid.SW_4")).status_code == 200  # any language's word
    assert fake_cloud.wait_for(4)
    assert texts(fake_cloud, 3) == ["¿En qué idioma quieres que te escriba?", "Idiomas"]
    assert post_webhook(client, text_payload("Deutsch", "wamid.SW_5")).status_code == 200  # or a language's name
    assert fake_cloud.wait_for(5)
    assert texts(fake_cloud, 4)[0] == "Alles klar, ab jetzt schreibe ich Ihnen auf Deutsch."
    assert Customer.objects.get(pk=customer.pk).locale == "de"
