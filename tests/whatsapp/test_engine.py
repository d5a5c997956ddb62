"""The conversation engine: greeting and catalog, search, referred products, carts, buttons
and support. Other apps' services are stood in for by small fakes in sys.modules (their real
paths are tested after merging)."""
import sys
import types
from decimal import Decimal

import pytest

from catalog.models import Collection, CollectionProduct, Product
from orders.models import Order, OrderLine
from shopchat.api.errors import ApiError
from shopchat.whatsapp import messages as wa
from shopchat.whatsapp.engine import respond
from tests.whatsapp.conftest import payload

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


def make_order(business, customer, items, number="SC-1"):
    order = Order.objects.create(business=business, customer=customer, number=number, sequence=1, currency="INR")
    subtotal = 0
    for item in items:
        product = Product.objects.get(business=business, retailer_id=item["retailer_id"])
        total = product.price_minor * item["quantity"]
        OrderLine.objects.create(order=order, product=product, retailer_id=product.retailer_id, title=product.title,
                                 unit_price_minor=product.price_minor, quantity=item["quantity"],
                                 line_total_minor=total)
        subtotal += total
    Order.objects.filter(pk=order.pk).update(subtotal_minor=subtotal, shipping_minor=4000, total_minor=subtotal + 4000)
    order.refresh_from_db()
    return order


@pytest.fixture
def fake_orders(monkeypatch):
    module = types.ModuleType("orders.services")
    module.calls = []
    module.error = None

    def place_order(*, business, customer, items, note=""):
        module.calls.append({"items": items, "note": note})
        if module.error:
            raise module.error
        return make_order(business, customer, items)

    def cancel_order(*, order, reason="", actor=None):
        module.calls.append({"cancel": order.number})
        return order

    module.place_order, module.cancel_order = place_order, cancel_order
    monkeypatch.setitem(sys.modules, "orders.services", module)
    return module


@pytest.fixture
def fake_payments(monkeypatch):
    module = types.ModuleType("payments.services")
    module.calls = []

    def pay_order(*, order, method, funding_source=None):
        module.calls.append((order.number, method))
        Order.objects.filter(pk=order.pk).update(status="paid")

    module.pay_order = pay_order
    module.card_payment_link = lambda *, order: f"https://pay.example/{order.number}"
    monkeypatch.setitem(sys.modules, "payments.services", module)
    return module




# --- greeting and catalog ------------------------------------------------------------------

def test_first_contact_gets_the_greeting_and_the_catalog_list(wa_config, customer, products):
    greeting, catalog = bodies(respond(config=wa_config, customer=customer, message=text("Is the mug blue?"),
                                       first_contact=True))
    assert greeting["text"]["body"] == "Hi! Welcome to Chai Corner."
    action = catalog["interactive"]["action"]
    assert catalog["interactive"]["type"] == "list"
    assert [s["title"] for s in action["sections"]] == ["Tea", "Snacks & mugs"]
    assert action["sections"][0]["rows"][0] == {"id": "product:SKU-TEA-250G", "title": "Assam Tea 250g",
                                                "description": "INR 120.00"}


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


def test_search_with_a_catalog_answers_a_product_list(wa_config, customer, products):
    wa_config.catalog_id = CATALOG_ID
    (results,) = bodies(respond(config=wa_config, customer=customer, message=text("masala chai")))
    assert results["interactive"]["type"] == "product_list"
    assert results["interactive"]["action"]["sections"][0]["product_items"] == [
        {"product_retailer_id": "SKU-TEA-MASALA"}]


def test_search_finding_nothing_answers_kindly_with_buttons(wa_config, customer, products):
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=text("bicycle")))
    assert "nothing matches" in reply["interactive"]["body"]["text"]
    assert [b["reply"]["id"] for b in reply["interactive"]["action"]["buttons"]] == ["catalog", "help"]


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
    assert reply["interactive"]["body"]["text"].startswith("*Assam Tea 250g*\nINR 120.00\n50 in stock")
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


# --- carts, orders and payment ---------------------------------------------------------------

def test_cart_becomes_an_order_with_payment_buttons(wa_config, customer, products, fake_orders):
    message = payload("inbound_order_3_items.json")["entry"][0]["changes"][0]["value"]["messages"][0]
    (reply,) = respond(config=wa_config, customer=customer, message=message)
    wa.validate(reply.body)
    assert fake_orders.calls[0]["items"] == [
        {"retailer_id": "SKU-TEA-250G", "quantity": 2, "item_price": Decimal("120"), "currency": "INR"},
        {"retailer_id": "SKU-MUG-WHITE", "quantity": 1, "item_price": Decimal("249.5"), "currency": "INR"},
        {"retailer_id": "SKU-BISCUIT-12", "quantity": 3, "item_price": Decimal("45"), "currency": "INR"},
    ]
    assert fake_orders.calls[0]["note"] == "Please deliver after 6pm"
    assert reply.order_number == "SC-1"
    assert [b["reply"] for b in reply.body["interactive"]["action"]["buttons"]] == [
        {"id": "pay_wallet:SC-1", "title": "Pay from wallet"}, {"id": "pay_card:SC-1", "title": "Pay by card link"},
        {"id": "cancel:SC-1", "title": "Cancel"}]
    assert "Total: INR 664.50" in reply.body["interactive"]["body"]["text"]


def test_cart_with_a_payment_configuration_gets_order_details(wa_config, customer, products, fake_orders):
    wa_config.payment_configuration = "chai-corner-razorpay"
    wa_config.catalog_id = CATALOG_ID
    message = payload("inbound_order_3_items.json")["entry"][0]["changes"][0]["value"]["messages"][0]
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=message))
    params = reply["interactive"]["action"]["parameters"]
    assert reply["interactive"]["type"] == "order_details" and params["reference_id"] == "SC-1"
    assert params["total_amount"] == {"value": 66450, "offset": 100}
    assert params["order"]["subtotal"] == {"value": 62450, "offset": 100}
    assert params["payment_settings"][0]["payment_gateway"] == {"type": "razorpay",
                                                                "configuration_name": "chai-corner-razorpay"}


def test_unknown_products_in_the_cart_are_named(wa_config, customer, fake_orders):
    fake_orders.error = ApiError(409, "unknown_products", "Unknown products.",
                                 extra={"items": [{"retailer_id": "SKU-GONE"}, "SKU-OLD"]})
    message = payload("inbound_order_3_items.json")["entry"][0]["changes"][0]["value"]["messages"][0]
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=message))
    assert "SKU-GONE, SKU-OLD" in reply["text"]["body"] and "not placed" in reply["text"]["body"]


@pytest.mark.parametrize("code, words", [("price_changed", "Prices have changed"),
                                         ("out_of_stock", "not have enough in stock")])
def test_price_and_stock_problems_are_answered_in_words(wa_config, customer, fake_orders, code, words):
    fake_orders.error = ApiError(409, code, "Assam Tea 250g now costs INR 130.00.")
    message = payload("inbound_order_3_items.json")["entry"][0]["changes"][0]["value"]["messages"][0]
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=message))
    assert words in reply["text"]["body"] and "INR 130.00" in reply["text"]["body"]


def test_pay_from_wallet_button_pays_the_customers_order(wa_config, customer, products, fake_payments):
    make_order(wa_config.business, customer, [{"retailer_id": "SKU-TEA-250G", "quantity": 1}], number="SC-7")
    assert respond(config=wa_config, customer=customer, message=tap("pay_wallet:SC-7")) == []
    assert fake_payments.calls == [("SC-7", "wallet")]


def test_pay_by_card_link_button_sends_the_link(wa_config, customer, products, fake_payments):
    make_order(wa_config.business, customer, [{"retailer_id": "SKU-TEA-250G", "quantity": 1}], number="SC-7")
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=tap("pay_card:SC-7")))
    assert "https://pay.example/SC-7" in reply["text"]["body"] and reply["text"]["preview_url"] is True


def test_buttons_never_reach_another_customers_order(wa_config, customer, products, fake_payments):
    from tests.factories import CustomerFactory

    other = CustomerFactory(business=wa_config.business)
    make_order(wa_config.business, other, [{"retailer_id": "SKU-TEA-250G", "quantity": 1}], number="SC-8")
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=tap("pay_wallet:SC-8")))
    assert reply["text"]["body"] == "I could not find order SC-8." and fake_payments.calls == []


def test_cancel_button_cancels_through_the_orders_service(wa_config, customer, products, fake_orders):
    make_order(wa_config.business, customer, [{"retailer_id": "SKU-TEA-250G", "quantity": 1}], number="SC-9")
    assert respond(config=wa_config, customer=customer, message=tap("cancel:SC-9")) == []
    assert fake_orders.calls == [{"cancel": "SC-9"}]


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
