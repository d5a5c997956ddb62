"""Choosing how to receive a chat order: saved address, WhatsApp's address form (IN), the
guided dialog elsewhere, a location pin, pickup in store, then the shipping options serving the
address with their price, before the payment request."""
import json

import pytest

from chat import messages as wa
from chat.engine import respond
from chat.models import CheckoutStep
from orders.models import CustomerAddress, Order, ShippingOption, ShippingZone
from orders.services.addresses import clean_address, save_address
from tests.chat.conftest import order_message

pytestmark = pytest.mark.django_db

BENGALURU = {"line1": "17 MG Road", "city": "Bengaluru", "postcode": "560001", "region": "Karnataka",
             "country": "IN"}


def tap(button_id):
    return {"from": "15550001234", "id": "wamid.X", "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": button_id, "title": "Tap"}}}


def text(body):
    return {"from": "15550001234", "id": "wamid.X", "type": "text", "text": {"body": body}}


def address_form_reply(values):
    return {"from": "15550001234", "id": "wamid.X", "type": "interactive", "interactive": {
        "type": "nfm_reply", "nfm_reply": {"name": "address_message", "body": "Address sent",
                                           "response_json": json.dumps({"values": values})}}}


def location(**pin):
    return {"from": "15550001234", "id": "wamid.X", "type": "location", "location": pin}


def say(wa_config, customer, message):
    replies = respond(config=wa_config, customer=customer, message=message)
    for reply in replies:
        wa.validate(reply.body)
    return [r.body for r in replies]


def ids(body):
    interactive = body["interactive"]
    if interactive["type"] == "button":
        return [b["reply"]["id"] for b in interactive["action"]["buttons"]]
    return [row["id"] for s in interactive["action"]["sections"] for row in s["rows"]]


def cart(wa_config, customer):
    (question,) = say(wa_config, customer, {"from": customer.wa_id, "id": "wamid.C", "type": "order",
                                            "order": order_message()["order"]})
    return Order.objects.get(customer=customer), question


def test_without_shipping_options_the_cart_gets_the_payment_request_at_once(wa_config, customer, products):
    order, reply = cart(wa_config, customer)
    assert ids(reply)[0] == f"pay_wallet:{order.number}" and order.fulfilment == "delivery"


def test_with_shipping_options_the_cart_asks_how_to_receive_it(wa_config, customer, products, shipping):
    order, question = cart(wa_config, customer)
    assert order.fulfilment == "undecided"
    assert ids(question) == [f"addr_new:{order.number}", f"ship:{order.number}:pickup"]


def test_a_saved_address_is_offered_first(wa_config, business, customer, products, shipping):
    save_address(business=business, customer=customer, label="home",
                 address=clean_address(BENGALURU, customer=customer))
    order, question = cart(wa_config, customer)
    assert question["interactive"]["body"]["text"].endswith("Deliver to 17 MG Road, Bengaluru?")
    assert ids(question) == [f"addr:{order.number}:home", f"addr_new:{order.number}", f"ship:{order.number}:pickup"]
    (options,) = say(wa_config, customer, tap(f"addr:{order.number}:home"))
    rows = options["interactive"]["action"]["sections"][0]["rows"]
    # INR 624.50 of goods: standard INR 40, express in its INR 500+ band (INR 100), not the rest-of-India option
    assert [(r["id"], r["description"]) for r in rows] == [
        (f"ship:{order.number}:standard", "₹40.00 · 2-4 days"),
        (f"ship:{order.number}:express", "₹100.00 · Tomorrow")]
    (payment,) = say(wa_config, customer, tap(f"ship:{order.number}:express"))
    assert ids(payment)[0] == f"pay_wallet:{order.number}"
    order.refresh_from_db()
    assert (order.shipping_minor, order.total_minor, order.shipping_method) == (10000, 72450, "Express")
    assert order.fulfilment == "delivery" and order.delivery_address["postcode"] == "560001"
    assert not CheckoutStep.objects.exists()


def test_whatsapps_address_form_in_india_gives_the_address(wa_config, customer, products, shipping):
    order, _ = cart(wa_config, customer)
    (form,) = say(wa_config, customer, tap(f"addr_new:{order.number}"))
    assert form["interactive"]["type"] == "address_message"
    assert form["interactive"]["action"]["parameters"]["country"] == "IN"
    assert form["interactive"]["action"]["parameters"]["values"]["name"] == "Asha"
    (options,) = say(wa_config, customer, address_form_reply({
        "name": "Asha Rao", "phone_number": "+91 98765 43210", "in_pin_code": "560001", "house_number": "17",
        "address": "MG Road", "landmark_area": "near the metro", "city": "Bengaluru", "state": "Karnataka"}))
    assert ids(options) == [f"ship:{order.number}:standard", f"ship:{order.number}:express"]
    say(wa_config, customer, tap(f"ship:{order.number}:standard"))
    order.refresh_from_db()
    assert order.delivery_address["line1"] == "17, MG Road" and order.delivery_address["line2"] == "near the metro"
    assert order.delivery_address["phone"] == "919876543210" and order.shipping_minor == 4000
    assert CustomerAddress.objects.get(customer=customer).postcode == "560001"  # kept for next time


def test_a_wrong_pin_code_in_the_form_sends_it_again_naming_the_field(wa_config, customer, products, shipping):
    order, _ = cart(wa_config, customer)
    say(wa_config, customer, tap(f"addr_new:{order.number}"))
    (again,) = say(wa_config, customer, address_form_reply({
        "name": "Asha", "in_pin_code": "56000", "address": "MG Road", "city": "Bengaluru", "state": "Karnataka"}))
    params = again["interactive"]["action"]["parameters"]
    assert again["interactive"]["type"] == "address_message" and list(params["validation_errors"]) == ["in_pin_code"]
    assert params["values"]["address"] == "MG Road"


def test_an_address_outside_every_zone_is_told(wa_config, business, customer, products, shipping):
    ShippingOption.objects.filter(code="india").delete()
    order, _ = cart(wa_config, customer)
    say(wa_config, customer, tap(f"addr_new:{order.number}"))
    (sorry,) = say(wa_config, customer, address_form_reply({
        "name": "Asha", "in_pin_code": "110001", "address": "1 Janpath", "city": "New Delhi", "state": "Delhi"}))
    assert "do not deliver" in sorry["interactive"]["body"]["text"]
    assert ids(sorry) == [f"addr_new:{order.number}"]


def test_one_option_serving_the_address_is_taken_without_asking(wa_config, customer, products, shipping):
    order, _ = cart(wa_config, customer)
    say(wa_config, customer, tap(f"addr_new:{order.number}"))
    (payment,) = say(wa_config, customer, address_form_reply({
        "name": "Asha", "in_pin_code": "110001", "address": "1 Janpath", "city": "New Delhi", "state": "Delhi"}))
    assert ids(payment)[0] == f"pay_wallet:{order.number}"
    order.refresh_from_db()
    assert order.shipping_minor == 8000 and order.shipping_method == "Standard India"


def test_pickup_in_store_has_no_shipping_and_no_address(wa_config, business, customer, products, shipping):
    business.shipping_fee_minor = 5000
    business.save(update_fields=["shipping_fee_minor"])
    order, _ = cart(wa_config, customer)
    (payment,) = say(wa_config, customer, tap(f"ship:{order.number}:pickup"))
    assert ids(payment)[0] == f"pay_wallet:{order.number}"
    order.refresh_from_db()
    assert (order.fulfilment, order.shipping_minor, order.delivery_address) == ("pickup", 0, None)
    assert order.total_minor == 62450


def test_paying_before_choosing_asks_how_to_receive_it_first(wa_config, customer, products, shipping):
    order, _ = cart(wa_config, customer)
    (question,) = say(wa_config, customer, tap(f"pay_wallet:{order.number}"))
    assert f"addr_new:{order.number}" in ids(question)


def test_the_choice_is_made_once(wa_config, customer, products, shipping):
    order, _ = cart(wa_config, customer)
    say(wa_config, customer, tap(f"ship:{order.number}:pickup"))
    (payment,) = say(wa_config, customer, tap(f"ship:{order.number}:pickup"))  # a second tap: the payment request
    assert ids(payment)[0] == f"pay_wallet:{order.number}"
    assert Order.objects.get(pk=order.pk).total_minor == 62450


# --- elsewhere: the guided dialog -------------------------------------------------------------

@pytest.fixture
def german_shop(business, shipping):
    business.country = "DE"
    business.save(update_fields=["country"])
    berlin = ShippingZone.objects.create(business=business, name="Berlin", country="DE", postcode_prefixes="10")
    ShippingOption.objects.create(business=business, code="berlin", name="Kurier", zone=berlin, price_minor=500)


def test_elsewhere_a_short_dialog_asks_street_postcode_and_city(wa_config, customer, products, german_shop):
    order, _ = cart(wa_config, customer)
    (street,) = say(wa_config, customer, tap(f"addr_new:{order.number}"))
    assert street["text"]["body"].startswith("Please type the street")
    (postcode,) = say(wa_config, customer, text("Unter den Linden 5"))  # German: the chat answers in German
    assert postcode["text"]["body"] == "Und die Postleitzahl?"
    (city,) = say(wa_config, customer, text("10117"))
    assert city["text"]["body"] == "Welcher Ort?"
    (payment,) = say(wa_config, customer, text("Berlin"))  # one option serves 10117: taken
    assert ids(payment)[0] == f"pay_wallet:{order.number}"
    order.refresh_from_db()
    assert order.delivery_address["line1"] == "Unter den Linden 5" and order.delivery_address["country"] == "DE"
    assert order.shipping_minor == 500


def test_a_postcode_that_cannot_exist_is_asked_again(wa_config, customer, products, german_shop):
    order, _ = cart(wa_config, customer)
    say(wa_config, customer, tap(f"addr_new:{order.number}"))
    say(wa_config, customer, text("Unter den Linden 5"))
    say(wa_config, customer, text("1011"))
    (again,) = say(wa_config, customer, text("Berlin"))
    assert again["text"]["body"] == ("Diese Postleitzahl gibt es in diesem Land oder dieser Region nicht. "
                                     "Und die Postleitzahl?")
    (payment,) = say(wa_config, customer, text("10117"))
    assert ids(payment)[0] == f"pay_wallet:{order.number}"


def test_a_location_pin_becomes_the_address_and_keeps_its_coordinates(wa_config, customer, products, german_shop):
    order, _ = cart(wa_config, customer)
    say(wa_config, customer, tap(f"addr_new:{order.number}"))
    (postcode,) = say(wa_config, customer, location(latitude=52.517036, longitude=13.38886, name="Haus 5",
                                                    address="Unter den Linden 5"))
    assert postcode["text"]["body"] == "And the postcode?"
    say(wa_config, customer, text("10117"))
    say(wa_config, customer, text("Berlin"))
    order.refresh_from_db()
    snapshot = order.delivery_address
    assert snapshot["line1"] == "Haus 5, Unter den Linden 5"
    assert (snapshot["latitude"], snapshot["longitude"]) == ("52.517036", "13.388860")
    assert CustomerAddress.objects.get(customer=customer).latitude is not None


def test_a_greeting_leaves_the_dialog(wa_config, customer, products, german_shop):
    order, _ = cart(wa_config, customer)
    say(wa_config, customer, tap(f"addr_new:{order.number}"))
    greeting = say(wa_config, customer, text("hi"))
    assert greeting[0]["text"]["body"] == "Hi! Welcome to Chai Corner."


# --- coupons typed in the chat ---------------------------------------------------------------

def test_a_coupon_typed_in_the_chat_comes_off_the_next_order(wa_config, business, customer, products):
    from decimal import Decimal

    from orders.models import Discount

    Discount.objects.create(business=business, code="SAVE10", name="10% off", kind="percent", percent=Decimal("10"))
    (saved,) = say(wa_config, customer, text("save10"))
    assert saved["text"]["body"].startswith("Coupon SAVE10 (10% off) is saved")
    order, _ = cart(wa_config, customer)
    assert (order.discount_minor, order.discount_label) == (6245, "SAVE10")


def test_an_expired_coupon_typed_in_the_chat_is_answered_naming_why(wa_config, business, customer, products):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from orders.models import Discount

    Discount.objects.create(business=business, code="SUMMER", name="Summer", kind="percent", percent=Decimal("10"),
                            starts_at=timezone.now() - timedelta(days=30), ends_at=timezone.now() - timedelta(days=1))
    (answer,) = say(wa_config, customer, text("SUMMER"))
    assert answer["text"]["body"].startswith("Coupon SUMMER expired on")
