"""Variants in the chat (#18): a product of a variant group asks for the size (then the colour
when both vary) as buttons or a list within WhatsApp's limits, leaves out what is sold out, then
puts the chosen variant in the cart; "Place order" places the cart. Lists show a group once."""
import pytest

from catalog.models import Collection, CollectionProduct, Product
from chat import messages as wa
from chat.engine import respond
from orders.models import CartItem, Order
from tests.chat.test_engine import CATALOG_ID, bodies, tap, text

pytestmark = pytest.mark.django_db


def tee(business, size, color="Navy", price=49900, stock=5, **fields):
    return Product.objects.create(business=business, retailer_id=f"TEE-{size}-{color[:3].upper()}",
                                  title="Classic T-shirt", description="Soft cotton.", item_group_id="TEE",
                                  size=size, color=color, price_minor=price, stock_quantity=stock, **fields)


@pytest.fixture
def sizes(business):
    """The T-shirt in S, M, L (one colour, one price), and L sold out."""
    return {size: tee(business, size, stock=0 if size == "L" else 5) for size in ("S", "M", "L")}


def say(wa_config, customer, message):
    (reply,) = bodies(respond(config=wa_config, customer=customer, message=message))
    return reply["interactive"] if reply["type"] == "interactive" else reply


def buttons(interactive):
    return [(b["reply"]["id"], b["reply"]["title"]) for b in interactive["action"]["buttons"]]


def rows(interactive):
    return [(r["id"], r["title"], r.get("description")) for s in interactive["action"]["sections"] for r in s["rows"]]


def test_a_product_with_sizes_asks_the_size_leaving_out_what_is_sold_out(wa_config, customer, sizes):
    question = say(wa_config, customer, tap("product:TEE-M-NAV"))
    assert question["body"]["text"] == ("*Classic T-shirt*\n₹499.00\n\nSoft cotton.\n\nWhich size would you like?\n"
                                        "Sold out: L")
    assert buttons(question) == [("add:TEE-S-NAV", "S"), ("add:TEE-M-NAV", "M")]


def test_choosing_a_size_puts_that_variant_in_the_cart_and_place_order_orders_it(wa_config, customer, sizes):
    added = say(wa_config, customer, tap("add:TEE-M-NAV", "M"))
    assert added["body"]["text"] == ("Added to your cart: Classic T-shirt (M, Navy).\n\nYour cart:\n"
                                     "1 x Classic T-shirt (M, Navy) - ₹499.00\nTotal: ₹499.00")
    assert [b[0] for b in buttons(added)] == ["checkout", "catalog", "cart_empty"]
    again = say(wa_config, customer, tap("add:TEE-M-NAV", "M"))
    assert "2 x Classic T-shirt (M, Navy) - ₹998.00" in again["body"]["text"]
    request = say(wa_config, customer, tap("checkout", "Place order"))
    order = Order.objects.get(customer=customer)
    assert request["body"]["text"].startswith(f"Order {order.number} is placed:\n2 x Classic T-shirt (M, Navy)")
    line = order.lines.get()
    assert (line.retailer_id, line.quantity, line.title) == ("TEE-M-NAV", 2, "Classic T-shirt (M, Navy)")
    assert not CartItem.objects.filter(cart__customer=customer).exists()
    sizes["M"].refresh_from_db()
    assert sizes["M"].reserved_quantity == 2


def test_place_order_with_an_empty_cart_says_so(wa_config, customer):
    reply = say(wa_config, customer, tap("checkout", "Place order"))
    assert reply["body"]["text"] == "Your cart is empty. Browse the catalog and add what you like."


def test_empty_cart_empties_it(wa_config, customer, sizes):
    say(wa_config, customer, tap("add:TEE-S-NAV", "S"))
    assert say(wa_config, customer, tap("cart_empty"))["body"]["text"] == "Your cart is empty now."
    assert not CartItem.objects.filter(cart__customer=customer).exists()


def test_a_sold_out_variant_tapped_late_asks_again(wa_config, customer, sizes):
    reply = say(wa_config, customer, tap("add:TEE-L-NAV", "L"))
    assert reply["body"]["text"].startswith("Sorry, Classic T-shirt (L, Navy) is sold out.\n*Classic T-shirt*")
    assert [b[0] for b in buttons(reply)] == ["add:TEE-S-NAV", "add:TEE-M-NAV"]
    assert not CartItem.objects.filter(cart__customer=customer).exists()


def test_more_than_a_stock_holds_is_refused_naming_what_is_left(wa_config, customer, business):
    tee(business, "S", stock=1)
    tee(business, "M")
    say(wa_config, customer, tap("add:TEE-S-NAV"))
    reply = say(wa_config, customer, tap("add:TEE-S-NAV"))
    assert "Classic T-shirt (S, Navy): you asked for 2, we have 1" in reply["text"]["body"]


def test_size_then_colour_when_both_vary(wa_config, customer, business):
    for size in ("S", "M"):
        for color in ("Navy", "White", "Red"):
            tee(business, size, color, stock=0 if (size, color) == ("M", "Red") else 5)
    first = say(wa_config, customer, tap("product:TEE-S-RED"))
    assert first["body"]["text"].endswith("Which size would you like?")
    assert buttons(first) == [("pick:TEE-S-NAV:1", "S"), ("pick:TEE-M-NAV:1", "M")]
    second = say(wa_config, customer, tap("pick:TEE-M-NAV:1", "M"))
    assert second["body"]["text"] == "*Classic T-shirt (M)*\n₹499.00\n\nWhich colour would you like?\nSold out: Red"
    assert buttons(second) == [("add:TEE-M-NAV", "Navy"), ("add:TEE-M-WHI", "White")]


def test_many_sizes_or_different_prices_are_a_list_with_prices_within_the_limits(wa_config, customer, business):
    for n, size in enumerate(("XS", "S", "M", "L", "XL", "Extra extra large and then some")):
        tee(business, size, price=49900 + 5000 * (n // 3))
    question = say(wa_config, customer, tap("product:TEE-S-NAV"))
    assert question["type"] == "list"
    assert question["action"]["button"] == "Choose a size"
    assert question["body"]["text"].startswith("*Classic T-shirt*\nfrom ₹499.00\n")
    listed = rows(question)
    assert [r[0] for r in listed][:2] == ["add:TEE-XS-NAV", "add:TEE-S-NAV"]
    assert [r[2] for r in listed][2:4] == ["₹499.00", "₹549.00"]
    assert all(len(r[1]) <= wa.MAX_ROW_TITLE for r in listed)
    assert listed[-1][1] == "Extra extra large and t…"


def test_a_group_sold_out_everywhere_says_so(wa_config, customer, business):
    tee(business, "S", stock=0)
    tee(business, "M", availability="out of stock")
    reply = say(wa_config, customer, tap("product:TEE-S-NAV"))
    assert reply["body"]["text"] == "Sorry, Classic T-shirt is sold out right now."


def test_with_a_whatsapp_catalog_the_chosen_variant_is_sent_to_add_to_whatsapp_s_cart(wa_config, customer, sizes):
    wa_config.catalog_id = CATALOG_ID
    question = say(wa_config, customer, tap("product:TEE-S-NAV"))
    assert [b[0] for b in buttons(question)] == ["add:TEE-S-NAV", "add:TEE-M-NAV"]
    product = say(wa_config, customer, tap("add:TEE-M-NAV"))
    assert product["type"] == "product"
    assert product["action"] == {"catalog_id": CATALOG_ID, "product_retailer_id": "TEE-M-NAV"}
    assert product["body"]["text"] == "Classic T-shirt (M, Navy) - ₹499.00. Add it to your cart, then send the cart."
    assert not CartItem.objects.filter(cart__customer=customer).exists()


def test_search_and_the_catalog_list_show_a_group_once(wa_config, customer, business, sizes):
    Product.objects.create(business=business, retailer_id="TOTE", title="Classic Tote", price_minor=19900)
    results = say(wa_config, customer, text("classic"))
    assert [r[0] for r in rows(results)] == ["product:TEE-S-NAV", "product:TOTE"]
    shirts = Collection.objects.create(business=business, name="Shirts", slug="shirts")
    for n, product in enumerate(sizes.values()):
        CollectionProduct.objects.create(collection=shirts, product=product, position=n)
    catalog = say(wa_config, customer, tap("catalog"))
    assert [r[0] for r in rows(catalog)] == ["product:TEE-S-NAV"]


def test_a_plain_product_sheet_offers_order_one_and_add_to_cart(wa_config, customer, products):
    sheet = say(wa_config, customer, tap("product:SKU-MUG-WHITE"))
    assert [b[0] for b in buttons(sheet)] == ["buy:SKU-MUG-WHITE", "add:SKU-MUG-WHITE", "catalog"]
    added = say(wa_config, customer, tap("add:SKU-MUG-WHITE"))
    assert added["body"]["text"].startswith("Added to your cart: White Mug.")


def test_a_shop_link_or_a_referred_variant_shows_that_variant(wa_config, customer, sizes):
    from chat import links

    sheet = say(wa_config, customer, text(links.order_text(title="Classic T-shirt", retailer_id="TEE-M-NAV")))
    assert sheet["body"]["text"].startswith("*Classic T-shirt (M, Navy)*\n₹499.00\n5 in stock")


@pytest.mark.parametrize("locale, question, sold_out", [
    ("de", "Welche Größe möchten Sie?", "Ausverkauft: L"),
    ("it", "Quale taglia desideri?", "Esaurito: L"),
    ("es", "¿Qué talla quieres?", "Agotado: L"),
    ("pt_BR", "Qual tamanho você quer?", "Esgotado: L"),
    ("hi", "आपको कौन-सा साइज़ चाहिए?", "बिक गया: L"),
])
def test_the_size_question_in_the_customer_s_language(wa_config, customer, sizes, locale, question, sold_out):
    customer.locale = locale
    customer.save(update_fields=["locale"])
    text_ = say(wa_config, customer, tap("product:TEE-S-NAV"))["body"]["text"]
    assert question in text_ and sold_out in text_
