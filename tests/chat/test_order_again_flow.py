"""Order again in the chat (#18), through signed webhooks and the fake Cloud API: the delivered
update's "Order again" button (or the words) places the last order again at today's prices and
stock, through the same path as a WhatsApp cart; what is no longer available is left out and said."""
import pytest

from catalog.models import Product
from orders import services as orders
from orders.models import Order
from payments import services as payments
from payments.models import Payment
from tests.chat.chatting import button_ids, exchange, text_of
from tests.chat.conftest import button_payload, fund_wallet, text_payload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def delivered(customer, place_order):
    fund_wallet(customer, 100_000)
    order = place_order(SKU_TEA_250G=2, SKU_MUG_WHITE=1, SKU_BISCUIT_12=3)
    payments.pay_order(order=order, method=Payment.Method.WALLET)
    orders.ship_order(order=Order.objects.get(pk=order.pk), carrier="DHL", tracking_number="JD1")
    return orders.deliver_order(order=Order.objects.get(pk=order.pk))


def test_the_delivered_update_carries_an_order_again_button(wa_config, fake_cloud, delivered):
    assert fake_cloud.wait_for(3)  # paid, shipped, delivered
    update = fake_cloud.sent[2]
    assert text_of(update).startswith(f"Order {delivered.number} has been delivered.")
    assert button_ids(update) == [f"again:{delivered.number}"]


def test_order_again_with_one_product_out_of_stock_places_the_rest_and_says_so(
        client, wa_config, fake_cloud, customer, products, delivered):
    Product.objects.filter(pk=products["mug"].pk).update(stock_quantity=0)
    Product.objects.filter(pk=products["tea"].pk).update(price_minor=13000)  # priced anew
    told, request = exchange(client, fake_cloud, button_payload(f"again:{delivered.number}", "Order again",
                                                                "wamid.AGAIN_TAP"), replies=2)
    again = Order.objects.filter(customer=customer).exclude(pk=delivered.pk).get()
    assert sorted(again.lines.values_list("retailer_id", "quantity", "unit_price_minor")) == [
        ("SKU-BISCUIT-12", 3, 4500), ("SKU-TEA-250G", 2, 13000)]
    assert told["text"]["body"] == "Not available right now, so left out of your new order:\n- White Mug"
    assert button_ids(request) == [f"pay_wallet:{again.number}", f"pay_card:{again.number}",
                                   f"cancel:{again.number}"]


def test_the_words_order_again_repeat_the_last_order(client, wa_config, fake_cloud, customer, delivered):
    (request,) = exchange(client, fake_cloud, text_payload("order again", "wamid.AGAIN_TEXT"))
    again = Order.objects.filter(customer=customer).exclude(pk=delivered.pk).get()
    assert again.lines.count() == 3 and again.status == "pending_payment"
    assert button_ids(request)[0] == f"pay_wallet:{again.number}"


def test_order_again_when_nothing_is_available_places_nothing(client, wa_config, fake_cloud, customer, delivered):
    Product.objects.filter(business=customer.business).update(is_active=False)
    (reply,) = exchange(client, fake_cloud, button_payload(f"again:{delivered.number}", "Order again",
                                                           "wamid.AGAIN_NONE"))
    assert text_of(reply).startswith(f"Nothing of order {delivered.number} is available right now:")
    assert Order.objects.filter(customer=customer).count() == 1
