"""The engine answers the shop page's "Order on WhatsApp" text with the product it names."""
import pytest

from chat import links
from chat.engine import respond

pytestmark = pytest.mark.django_db


def text(body):
    return {"from": "15550001234", "id": "wamid.X", "type": "text", "text": {"body": body}}


def test_the_prefilled_order_text_is_answered_with_that_product(wa_config, customer, products):
    body = links.order_text(title="White Mug", retailer_id="SKU-MUG-WHITE")
    [reply] = respond(config=wa_config, customer=customer, message=text(body), first_contact=True)
    sheet = reply.body["interactive"]
    assert "White Mug" in sheet["body"]["text"]
    assert sheet["action"]["buttons"][0]["reply"]["id"] == "buy:SKU-MUG-WHITE"


def test_a_reference_to_no_product_of_the_shop_is_read_as_ordinary_text(wa_config, customer, products):
    replies = respond(config=wa_config, customer=customer, message=text("Hi! I would like to order it (#NOPE)"),
                      first_contact=True)
    assert replies[0].body["text"]["body"] == "Hi! Welcome to Chai Corner."  # first contact: the greeting


def test_the_reference_survives_any_language_of_the_words_around_it():
    assert links.product_reference("Hallo! Ich möchte Weißer Becher bestellen (#SKU-MUG-WHITE)") == "SKU-MUG-WHITE"
    assert links.product_reference("a mug (#) please") == ""
