"""A T-shirt bought in the chat end to end (#18), through signed webhooks, the real services and
the fake Cloud API: the customer types a coupon, finds the T-shirt, chooses size M (a variant with
its own stock), adds it to the cart and places the cart, gives a new address by location pin (then
postcode, city, state), picks express shipping, pays from the wallet, and once the order has
shipped asks where it is and gets the tracking link. The order's totals add up to the minor unit."""
import pytest

from catalog.models import Product
from orders import services as orders
from orders.models import Order
from tests.chat.chatting import button_ids, exchange, text_of
from tests.chat.conftest import button_payload, fund_wallet, text_payload, with_message
from tests.chat.test_flow import eventually

pytestmark = pytest.mark.django_db(transaction=True)


def list_payload(row_id, title, message_id):
    return with_message("inbound_interactive_button_reply.json", id=message_id,
                        interactive={"type": "list_reply", "list_reply": {"id": row_id, "title": title}})


def location_payload(message_id, **pin):
    return with_message("inbound_text_hi.json", id=message_id, type="location", location=pin, text=None)


@pytest.fixture
def tshirts(business):
    return {size: Product.objects.create(
        business=business, retailer_id=f"TEE-{size}", title="Classic T-shirt", item_group_id="TEE", size=size,
        color="Navy", price_minor=49900, stock_quantity=0 if size == "L" else 10) for size in ("S", "M", "L")}


def test_size_m_coupon_location_pin_express_wallet_and_tracking(client, wa_config, fake_cloud, customer, tshirts,
                                                                shipping, save10):
    fund_wallet(customer, 100_000)
    (saved,) = exchange(client, fake_cloud, text_payload("SAVE10", "wamid.T1"))
    assert "Coupon SAVE10" in text_of(saved)

    (results,) = exchange(client, fake_cloud, text_payload("t-shirt", "wamid.T2"))
    rows = results["interactive"]["action"]["sections"][0]["rows"]
    assert [row["id"] for row in rows] == ["product:TEE-S"]  # the group once

    (sizes,) = exchange(client, fake_cloud, list_payload("product:TEE-S", "Classic T-shirt", "wamid.T3"))
    assert text_of(sizes).endswith("Which size would you like?\nSold out: L")
    assert button_ids(sizes) == ["add:TEE-S", "add:TEE-M"]

    (cart,) = exchange(client, fake_cloud, button_payload("add:TEE-M", "M", "wamid.T4"))
    assert text_of(cart).startswith("Added to your cart: Classic T-shirt (M, Navy).")
    assert button_ids(cart)[0] == "checkout"

    (question,) = exchange(client, fake_cloud, button_payload("checkout", "Place order", "wamid.T5"))
    order = Order.objects.get(customer=customer)
    assert button_ids(question) == [f"addr_new:{order.number}", f"ship:{order.number}:pickup"]
    line = order.lines.get()
    assert (line.retailer_id, line.title, line.quantity) == ("TEE-M", "Classic T-shirt (M, Navy)", 1)

    (form,) = exchange(client, fake_cloud, button_payload(f"addr_new:{order.number}", "Enter address", "wamid.T6"))
    assert form["interactive"]["type"] == "address_message"
    (postcode,) = exchange(client, fake_cloud, location_payload("wamid.T7", latitude=12.975526, longitude=77.606201,
                                                                name="17", address="MG Road"))
    assert text_of(postcode) == "And the postcode?"
    for n, answer in enumerate(("560001", "Bengaluru"), start=8):
        exchange(client, fake_cloud, text_payload(answer, f"wamid.T{n}"))
    (options,) = exchange(client, fake_cloud, text_payload("Karnataka", "wamid.T10"))
    assert [row["id"] for row in options["interactive"]["action"]["sections"][0]["rows"]] == [
        f"ship:{order.number}:standard", f"ship:{order.number}:express"]

    (request,) = exchange(client, fake_cloud, button_payload(f"ship:{order.number}:express", "Express", "wamid.T11"))
    assert button_ids(request)[0] == f"pay_wallet:{order.number}"
    order.refresh_from_db()
    # INR 499.00 of goods: SAVE10 takes 49.90 off; express below its INR 500 band costs 150.00
    assert (order.subtotal_minor, order.discount_minor, order.shipping_minor, order.shipping_method) == (
        49900, 4990, 15000, "Express")
    assert order.total_minor == order.subtotal_minor + order.tax_minor + order.shipping_minor - order.discount_minor
    assert order.delivery_address["latitude"] == "12.975526" and order.delivery_address["postcode"] == "560001"
    tshirts["M"].refresh_from_db()
    assert (tshirts["M"].stock_quantity, tshirts["M"].reserved_quantity) == (10, 1)

    before = len(fake_cloud.requests)
    exchange(client, fake_cloud, button_payload(f"pay_wallet:{order.number}", "Pay from wallet", "wamid.T12"))
    assert eventually(lambda: Order.objects.get(pk=order.pk).status == "paid")
    assert fake_cloud.wait_for(before + 1)

    sent = len(fake_cloud.requests)
    orders.ship_order(order=Order.objects.get(pk=order.pk), carrier="DHL", tracking_number="JD014600006281")
    assert fake_cloud.wait_for(sent + 1)  # the shipping update
    assert text_of(fake_cloud.sent[sent]).startswith(f"Good news: order {order.number} has shipped.")
    (where,) = exchange(client, fake_cloud, text_payload("Where is my order?", "wamid.T13"))
    assert text_of(where) == (
        f"Order {order.number}: shipped.\nCarrier: DHL\nTracking number: JD014600006281\n"
        "Follow your parcel here: https://www.dhl.com/en/express/tracking.html?AWB=JD014600006281")
