"""The conversation engine: greeting and catalog, search, referred products, carts, buttons
and support, against the real catalog, orders, payments and support services."""
from decimal import Decimal

import pytest

from catalog.models import Collection, CollectionProduct, Product
from chat import messages as wa
from chat.engine import respond
from orders.models import Order
from payments.models import Payment
from tests.chat.conftest import fund_wallet, order_message, payload

pytestmark = pytest.mark.django_db

CATALOG_ID = "900000000000001"


def text(body, **extra):
    return {"from": "15550001234", "id": "wamid.X", "type": "text", "text": {"body": body}, **extra}


def tap(button_id, title="Tap"):
    return {"from": "15550001234", "id": "wamid.X", "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}}


def bodies(replies):
    for reply in replies:
        wa.validate(reply.body)
    return [r.body for r in replies]


# --- greeting and catalog ------------------------------------------------------------------

def test_first_contact_gets_the_greeting_and_the_catalog_list(wa_config, customer, products):
    greeting, catalog = bodies(respond(config=wa_config, customer=customer, message=text("Is the mug blue?"),
                                       first_contact=True))
    assert greeting["text"]["body"] == "Hi! Welcome to Chai Corner."
    action = catalog["interactive"]["action"]
    assert catalog["interactive"]["type"] == "list"
    assert [s["title"] for s in action["sections"]] == ["Tea", "Snacks & mugs"]
    assert action["sections"][0]["rows"][0] == {"id": "product:SKU-TEA-250G", "title": "Assam Tea 250g",
                                                "description": "₹120.00"}


def test_hi_with_a_catalog_gets_the_catalog_message(wa_config, customer, products):
    wa_config.catalog_id = CATALOG_ID
    _, catalog = bodies(respond(config=wa_config, customer=customer, message=text("Hello!")))
    assert catalog["interactive"]["type"] == "catalog_message"
    assert catalog["interactive"]["action"]["parameters"]["thumbnail_product_retailer_id"] == "SKU-TEA-250G"


def test_browse_button_with_a_catalog_gets_a_product_list_by_collection(wa_config, customer, products):
    wa_config.catalog_id = CATALOG_ID
    (catalog,) = bodies(respond(config=wa_config, customer=customer, message=tap("catalog")))
    assert catalog["interactive"]["type"] == "product_list"
    sections = catalog["interactive"]["action"]["sections"]
    assert [(s["title"], [p["product_retailer_id"] for p in s["product_items"]]) for s in sections] == [
        ("Tea", ["SKU-TEA-250G", "SKU-TEA-MASALA"]), ("Snacks & mugs", ["SKU-BISCUIT-12", "SKU-MUG-WHITE"])]


def test_big_catalog_stays_within_30_products_and_10_sections(wa_config, customer, business):
    wa_config.catalog_id = CATALOG_ID
    for c in range(12):
        collection = Collection.objects.create(business=business, name=f"Collection number {c} with a long name",
                                               slug=f"c{c}", position=c)
        for i in range(8):
            product = Product.objects.create(business=business, retailer_id=f"SKU-{c}-{i}", title=f"P {c} {i}",
                                             price_minor=100)
            CollectionProduct.objects.create(collection=collection, product=product, position=i)
    (catalog,) = bodies(respond(config=wa_config, customer=customer, message=tap("catalog")))
    sections = catalog["interactive"]["action"]["sections"]
    assert len(sections) == 10 and sum(len(s["product_items"]) for s in sections) == 30
    wa_config.catalog_id = ""
    (rows,) = bodies(respond(config=wa_config, customer=customer, message=tap("catalog")))
    assert sum(len(s["rows"]) for s in rows["interactive"]["action"]["sections"]) == 10


# --- search and products -------------------------------------------------------------------

def test_other_text_searches_the_catalog(wa_config, customer, products):
    (results,) = bodies(respond(config=wa_config, customer=customer, message=text("tea")))
    rows = results["interactive"]["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == ["product:SKU-TEA-250G", "product:SKU-TEA-MASALA"]


def test_search_ranks_title_matches_before_brand_and_description_matches(wa_config, customer, products, business):
    Product.objects.create(business=business, retailer_id="SKU-STRAINER", title="Steel Strainer", price_minor=9900,
                           description="Perfect for loose tea leaves")
    Product.objects.create(business=business, retailer_id="SKU-KETTLE", title="Kettle", price_minor=99900,
                           brand="Tea Time")
    (results,) = bodies(respond(config=wa_config, customer=customer, message=text("tea")))
    rows = results["interactive"]["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == ["product:SKU-TEA-250G", "product:SKU-TEA-MASALA", "product:SKU-KETTLE",
                                       "product:SKU-STRAINER"]


def test_search_with_a_catalog_answers_a_product_list(wa_config, customer, products):
    wa_config.catalog_id = CATALOG_ID
    (results,) = bodies(respond(config=wa_config, customer=customer, message=text("masala chai")))
    assert results["interactive"]["type"] == "product_list"
    assert results["interactive"]["action"]["sections"][0]["product_items"] == [
        {"product_retailer_id": "SKU-TEA-MASALA"}]


def test_search_finding_nothing_answers_kindly_with_buttons(wa_config, customer, products):
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=text("bicycle")))
    assert "nothing matches" in reply["interactive"]["body"]["text"]
    assert [b["reply"]["id"] for b in reply["interactive"]["action"]["buttons"]] == ["catalog", "help", "language"]


def test_inactive_products_are_not_found(wa_config, customer, products):
    Product.objects.filter(retailer_id="SKU-MUG-WHITE").update(is_active=False)
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=text("mug")))
    assert "nothing matches" in reply["interactive"]["body"]["text"]


def test_referred_product_is_shown(wa_config, customer, products):
    wa_config.catalog_id = CATALOG_ID
    message = payload("inbound_text_referred_product.json")["entry"][0]["changes"][0]["value"]["messages"][0]
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=message))
    assert reply["interactive"]["type"] == "product"
    assert reply["interactive"]["action"] == {"catalog_id": CATALOG_ID, "product_retailer_id": "SKU-TEA-250G"}


def test_product_row_without_a_catalog_shows_the_product_sheet(wa_config, customer, products):
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=tap("product:SKU-TEA-250G")))
    assert reply["interactive"]["body"]["text"].startswith("*Assam Tea 250g*\n₹120.00\n50 in stock")
    assert reply["interactive"]["action"]["buttons"][0]["reply"]["id"] == "buy:SKU-TEA-250G"


def test_unknown_button_id_is_answered_with_a_way_back(wa_config, customer):
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=tap("confirm-order")))
    assert "not available any more" in reply["interactive"]["body"]["text"]


def test_list_reply_routes_like_a_button(wa_config, customer, products):
    message = {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": {
        "id": "product:SKU-MUG-WHITE", "title": "White Mug"}}}
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=message))
    assert reply["interactive"]["body"]["text"].startswith("*White Mug*")


def test_reactions_get_no_answer(wa_config, customer):
    assert respond(config=wa_config, customer=customer, message={"type": "reaction", "reaction": {}}) == []


# --- carts, orders and payment (the real orders and payments services) -----------------------

def test_cart_becomes_an_order_with_payment_buttons(wa_config, customer, products):
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=order_message()))
    order = Order.objects.get(customer=customer)
    assert order.status == "pending_payment" and order.note == "Please deliver after 6pm"
    assert list(order.lines.values_list("retailer_id", "quantity", "unit_price_minor")) == [
        ("SKU-TEA-250G", 2, 12000), ("SKU-MUG-WHITE", 1, 24950), ("SKU-BISCUIT-12", 3, 4500)]
    assert order.total_minor == 62450
    products["tea"].refresh_from_db()
    assert products["tea"].reserved_quantity == 2
    assert [b["reply"] for b in reply["interactive"]["action"]["buttons"]] == [
        {"id": f"pay_wallet:{order.number}", "title": "Pay from wallet"},
        {"id": f"pay_card:{order.number}", "title": "Pay by card link"},
        {"id": f"cancel:{order.number}", "title": "Cancel"}]
    assert "Total: ₹624.50" in reply["interactive"]["body"]["text"]


@pytest.mark.parametrize("prices_include_tax", [False, True])
def test_cart_with_a_payment_configuration_gets_order_details_that_add_up(wa_config, customer, products,
                                                                          prices_include_tax):
    business = wa_config.business
    business.tax_rate_percent, business.shipping_fee_minor = Decimal("5"), 4000
    business.prices_include_tax = prices_include_tax
    business.save()
    wa_config.payment_configuration = "chai-corner-razorpay"
    wa_config.catalog_id = CATALOG_ID
    (reply,) = respond(config=wa_config, customer=customer, message=order_message())
    order = Order.objects.get(customer=customer)
    params = reply.body["interactive"]["action"]["parameters"]
    assert reply.body["interactive"]["type"] == "order_details" and params["reference_id"] == order.number
    details = params["order"]
    amounts = [details["subtotal"], details["tax"], details["shipping"], params["total_amount"]]
    amounts += [i["amount"] for i in details["items"]]
    assert {a["offset"] for a in amounts} == {100}
    assert details["subtotal"]["value"] == sum(i["amount"]["value"] * i["quantity"] for i in details["items"]) == 62450
    assert params["total_amount"]["value"] == order.total_minor == (
        details["subtotal"]["value"] + details["tax"]["value"] + details["shipping"]["value"]
        - details.get("discount", {}).get("value", 0))
    assert params["payment_settings"][0]["payment_gateway"] == {"type": "razorpay",
                                                                "configuration_name": "chai-corner-razorpay"}


def test_changed_price_is_answered_with_the_current_price_and_nothing_is_ordered(wa_config, customer, products):
    Product.objects.filter(pk=products["tea"].pk).update(price_minor=13000)
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=order_message()))
    assert "Prices have changed" in reply["text"]["body"]
    assert "Assam Tea 250g: now ₹130.00 (your cart said ₹120.00)" in reply["text"]["body"]
    assert not Order.objects.exists()
    assert Product.objects.get(pk=products["tea"].pk).reserved_quantity == 0


def test_short_stock_is_answered_with_what_is_left_and_nothing_is_ordered(wa_config, customer, products):
    Product.objects.filter(pk=products["tea"].pk).update(stock_quantity=1)
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=order_message()))
    assert "not have enough in stock" in reply["text"]["body"]
    assert "Assam Tea 250g: you asked for 2, we have 1" in reply["text"]["body"]
    assert not Order.objects.exists()
    assert Product.objects.get(pk=products["tea"].pk).reserved_quantity == 0


def test_unknown_products_in_the_cart_are_named_and_no_order_is_placed(wa_config, customer, products):
    Product.objects.filter(pk=products["mug"].pk).update(is_active=False)
    message = order_message()
    message["order"]["product_items"].append({"product_retailer_id": "SKU-GONE", "quantity": 1,
                                              "item_price": 10, "currency": "INR"})
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=message))
    assert "SKU-GONE, SKU-MUG-WHITE" in reply["text"]["body"] and "not placed" in reply["text"]["body"]
    assert not Order.objects.exists()
    assert Product.objects.get(pk=products["tea"].pk).reserved_quantity == 0


def test_pay_from_wallet_pays_the_order_and_queues_the_confirmation(wa_config, customer, place_order):
    from chat.notifications import render
    from shopchat.models import OutboxEvent

    fund_wallet(customer, 100_000)
    order = place_order(SKU_TEA_250G=1)
    assert respond(config=wa_config, customer=customer, message=tap(f"pay_wallet:{order.number}")) == []
    order.refresh_from_db()
    assert order.status == "paid"
    assert Payment.objects.get(order=order).status == "captured"
    event = OutboxEvent.objects.get(channel="whatsapp", event_type="order.paid")
    assert event.payload["customer"]["wa_id"] == customer.wa_id
    assert render(event, wa_config).body["text"]["body"] == (
        f"Payment received for order {order.number} (₹120.00). Thank you! We are preparing it.")


def test_pay_from_wallet_with_too_little_is_answered_in_words(wa_config, customer, place_order):
    from chat.notifications import render
    from shopchat.models import OutboxEvent

    fund_wallet(customer, 1000)
    order = place_order(SKU_TEA_250G=1)
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=tap(f"pay_wallet:{order.number}")))
    assert reply["interactive"]["body"]["text"] == (
        f"Your wallet payment for order {order.number} did not go through: your wallet balance is ₹10.00 "
        "and the order comes to ₹120.00.")
    assert [b["reply"]["id"] for b in reply["interactive"]["action"]["buttons"]] == [
        f"pay_card:{order.number}", f"cancel:{order.number}"]
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert Payment.objects.get(order=order).failure_code == "insufficient_funds"
    failed = OutboxEvent.objects.get(channel="whatsapp", event_type="payment.failed")
    assert render(failed, wa_config) is None  # answered above, not twice


def test_pay_by_card_link_button_sends_a_link_to_the_order(wa_config, customer, place_order):
    from payments.services import order_for_payment_link

    order = place_order(SKU_TEA_250G=1)
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=tap(f"pay_card:{order.number}")))
    assert reply["text"]["preview_url"] is True
    link = reply["text"]["body"].split("\n")[-1]
    assert link.startswith("http") and "/pay/" in link
    assert order_for_payment_link(link.rstrip("/").rsplit("/", 1)[-1]) == order


def test_buttons_never_reach_another_customers_order(wa_config, customer, products):
    from orders import services
    from tests.factories import CustomerFactory

    other = CustomerFactory(business=wa_config.business)
    order = services.place_order(business=wa_config.business, customer=other,
                                 items=[{"retailer_id": "SKU-TEA-250G", "quantity": 1}])
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=tap(f"pay_wallet:{order.number}")))
    assert reply["text"]["body"] == f"I could not find order {order.number}."
    assert not Payment.objects.exists()


def test_cancel_button_cancels_the_order_and_releases_its_stock(wa_config, customer, place_order, products):
    order = place_order(SKU_TEA_250G=3)
    assert Product.objects.get(pk=products["tea"].pk).reserved_quantity == 3
    assert respond(config=wa_config, customer=customer, message=tap(f"cancel:{order.number}")) == []
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert Product.objects.get(pk=products["tea"].pk).reserved_quantity == 0


def test_cancelling_a_paid_order_is_refused_in_words_once_shipped(wa_config, customer, place_order):
    from orders import services

    fund_wallet(customer, 100_000)
    order = place_order(SKU_TEA_250G=1)
    respond(config=wa_config, customer=customer, message=tap(f"pay_wallet:{order.number}"))
    services.ship_order(order=Order.objects.get(pk=order.pk), tracking_number="TRK1")
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=tap(f"cancel:{order.number}")))
    assert reply["text"]["body"].startswith(f"Order {order.number} cannot be cancelled")
    assert Order.objects.get(pk=order.pk).status == "shipped"


# --- support -----------------------------------------------------------------------------

def test_help_opens_a_ticket_and_later_messages_join_it(wa_config, customer):
    from support.models import Ticket

    (reply,) = bodies(respond(config=wa_config, customer=customer, message=text("help")))
    ticket = Ticket.objects.get(business=customer.business, customer=customer)
    assert f"ticket #{ticket.number}" in reply["text"]["body"]
    assert respond(config=wa_config, customer=customer, message=text("my tea never arrived")) == []
    assert list(ticket.messages.order_by("created_at", "id").values_list("body", flat=True)) == [
        "help", "my tea never arrived"]


def test_solved_ticket_is_not_joined_by_a_new_help_request(wa_config, customer):
    from support.models import Ticket
    from support.services import change_status

    respond(config=wa_config, customer=customer, message=text("help"))
    change_status(ticket=Ticket.objects.get(customer=customer), status=Ticket.Status.SOLVED)
    respond(config=wa_config, customer=customer, message=text("support please"))
    assert Ticket.objects.filter(customer=customer).count() == 2
