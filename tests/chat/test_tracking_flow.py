"""Order tracking in the chat (#18), through signed webhooks and the fake Cloud API: "where is my
order" (in any of the six languages) or the shipped update's "Track order" button answers the
latest order's status, carrier and tracking link; another customer's order is never told."""
import pytest

from orders import services as orders
from orders.models import Order
from payments import services as payments
from payments.models import Payment
from tests.chat.chatting import button_ids, exchange, text_of
from tests.chat.conftest import button_payload, fund_wallet, text_payload
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def shipped(customer, place_order, carrier="DHL", tracking="JD014600006281"):
    fund_wallet(customer, 100_000)
    order = place_order(SKU_TEA_250G=2)
    payments.pay_order(order=order, method=Payment.Method.WALLET)
    return orders.ship_order(order=Order.objects.get(pk=order.pk), carrier=carrier, tracking_number=tracking)


def test_where_is_my_order_answers_the_shipped_orders_carrier_and_tracking_link(
        client, wa_config, fake_cloud, customer, place_order):
    order = shipped(customer, place_order)
    (reply,) = exchange(client, fake_cloud, text_payload("Where is my order?", "wamid.TRACK_TEXT"))
    assert reply["text"]["body"] == (
        f"Order {order.number}: shipped.\nCarrier: DHL\nTracking number: JD014600006281\n"
        "Follow your parcel here: https://www.dhl.com/en/express/tracking.html?AWB=JD014600006281")


def test_the_shipped_update_carries_a_track_order_button(client, wa_config, fake_cloud, customer, place_order):
    order = shipped(customer, place_order)
    assert fake_cloud.wait_for(2)  # the payment confirmation, then the shipping update
    update = fake_cloud.sent[1]
    assert text_of(update).startswith(f"Good news: order {order.number} has shipped.")
    assert button_ids(update) == [f"track:{order.number}"]


def test_track_order_button_answers_the_carrier_and_tracking_link(client, wa_config, fake_cloud, customer,
                                                                  place_order):
    order = shipped(customer, place_order)
    (reply,) = exchange(client, fake_cloud,
                        button_payload(f"track:{order.number}", "Track order", "wamid.TRACK_TAP"))
    body = reply["text"]["body"]
    assert body.startswith(f"Order {order.number}: shipped.\nCarrier: DHL")
    assert "https://www.dhl.com/en/express/tracking.html?AWB=JD014600006281" in body


def test_another_customers_order_number_is_answered_like_an_unknown_one(client, wa_config, fake_cloud, customer,
                                                                       business, products):
    other = CustomerFactory(business=business, wa_id="15550009999", name="Ravi")
    theirs = orders.place_order(business=business, customer=other,
                                items=[{"retailer_id": "SKU-TEA-250G", "quantity": 1}])
    Order.objects.filter(pk=theirs.pk).update(carrier="DHL", tracking_number="SECRET123")
    (reply,) = exchange(client, fake_cloud,
                        button_payload(f"track:{theirs.number}", "Track order", "wamid.TRACK_OTHER"))
    assert reply["text"]["body"] == f"I could not find order {theirs.number}."


def test_the_most_recent_of_several_open_orders_is_tracked(client, wa_config, fake_cloud, customer, place_order):
    place_order(SKU_TEA_250G=1)
    latest = place_order(SKU_MUG_WHITE=1)
    (reply,) = exchange(client, fake_cloud, text_payload("track", "wamid.TRACK_LATEST"))
    assert text_of(reply) == f"Order {latest.number}: waiting for payment."
    assert button_ids(reply)[0] == f"pay_wallet:{latest.number}"


def test_tracking_without_any_order_says_there_is_none_yet(client, wa_config, fake_cloud, customer):
    (reply,) = exchange(client, fake_cloud, text_payload("order status", "wamid.TRACK_NONE"))
    assert text_of(reply) == "You have no order with us yet. Browse the catalog to place one."


@pytest.mark.parametrize("words, locale, answer", [
    ("Wo ist meine Bestellung?", "de", "Bestellung {number}: versandt."),
    ("Dov'è il mio ordine?", "it", "Ordine {number}: spedito."),
    ("¿Dónde está mi pedido?", "es", "Pedido {number}: enviado."),
    ("Onde está meu pedido?", "pt_BR", "Pedido {number}: enviado."),
    ("मेरा ऑर्डर कहाँ है?", "hi", "ऑर्डर {number}: भेज दिया गया।"),
])
def test_where_is_my_order_is_understood_and_answered_in_each_language(
        client, wa_config, fake_cloud, customer, place_order, words, locale, answer):
    customer.locale = locale
    customer.save(update_fields=["locale"])
    order = shipped(customer, place_order)
    (reply,) = exchange(client, fake_cloud, text_payload(words, "wamid.TRACK_LANG"))
    assert reply["text"]["body"].startswith(answer.format(number=order.number))
