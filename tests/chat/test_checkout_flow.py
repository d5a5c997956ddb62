"""Checkout in the chat end to end, through signed webhooks, the real services and the fake
Cloud API: a coupon typed in the chat, the cart, a new address by location pin (then postcode,
city, state), express shipping among the options serving it, payment from the wallet; the
order's totals add up to the minor unit. (With a variant: test_tshirt_flow.py.)"""
import pytest
from django.conf import settings

from chat.models import OutboundMessage
from orders.models import CustomerAddress, Order
from tests.chat.conftest import button_payload, fund_wallet, post_webhook, text_payload, with_message
from tests.chat.test_flow import eventually

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tasks_run(request):
    if settings.IS_POSTGRES and settings.REDIS_URL:
        return request.getfixturevalue("real_celery")
    return None


def location_payload(message_id, **pin):
    return with_message("inbound_text_hi.json", id=message_id, type="location", location=pin, text=None)


def last_sent(fake_cloud, count):
    assert fake_cloud.wait_for(count), fake_cloud.sent
    return fake_cloud.sent[count - 1]


def test_coupon_cart_location_pin_express_shipping_and_wallet_payment(client, wa_config, fake_cloud, customer,
                                                                     products, shipping, save10, tasks_run):
    fund_wallet(customer, 100_000)
    post_webhook(client, text_payload("SAVE10", "wamid.E1"))
    assert "Coupon SAVE10" in last_sent(fake_cloud, 1)["text"]["body"]

    post_webhook(client, with_message("inbound_order_3_items.json", id="wamid.E2"))
    question = last_sent(fake_cloud, 2)["interactive"]
    order = Order.objects.get(customer=customer)
    assert [b["reply"]["id"] for b in question["action"]["buttons"]] == [
        f"addr_new:{order.number}", f"ship:{order.number}:pickup"]

    post_webhook(client, button_payload(f"addr_new:{order.number}", "Enter address", "wamid.E3"))
    assert last_sent(fake_cloud, 3)["interactive"]["type"] == "address_message"  # India: WhatsApp's own form
    post_webhook(client, location_payload("wamid.E4", latitude=12.975526, longitude=77.606201,
                                          name="17", address="MG Road"))
    assert last_sent(fake_cloud, 4)["text"]["body"] == "And the postcode?"
    for n, answer in enumerate(("560001", "Bengaluru", "Karnataka"), start=5):
        post_webhook(client, text_payload(answer, f"wamid.E{n}"))
        last_sent(fake_cloud, n)
    options = fake_cloud.sent[6]["interactive"]["action"]["sections"][0]["rows"]
    assert [row["id"] for row in options] == [f"ship:{order.number}:standard", f"ship:{order.number}:express"]

    post_webhook(client, button_payload(f"ship:{order.number}:express", "Express", "wamid.E8"))
    payment_request = last_sent(fake_cloud, 8)["interactive"]
    assert [b["reply"]["id"] for b in payment_request["action"]["buttons"]][0] == f"pay_wallet:{order.number}"
    order.refresh_from_db()
    # INR 624.50 of goods, SAVE10 takes 62.45 off, express in its INR 500+ band costs 100.00
    assert (order.discount_minor, order.shipping_minor, order.shipping_method) == (6245, 10000, "Express")
    assert order.total_minor == order.subtotal_minor + order.tax_minor + order.shipping_minor - order.discount_minor
    assert order.delivery_address["latitude"] == "12.975526" and order.delivery_address["postcode"] == "560001"
    assert CustomerAddress.objects.filter(customer=customer, postcode="560001").exists()

    post_webhook(client, button_payload(f"pay_wallet:{order.number}", "Pay from wallet", "wamid.E9"))
    assert eventually(lambda: Order.objects.get(pk=order.pk).status == "paid")
    assert eventually(lambda: OutboundMessage.objects.filter(order_number=order.number,
                                                             body__text__body__startswith="Payment received").exists())


def test_a_coupon_created_after_the_worker_cached_no_discounts_is_taken_at_once(client, wa_config, fake_cloud,
                                                                                customer, products, tasks_run):
    """The worker caches that the shop has no coupon codes (a one-word message might be one);
    the merchant then creates SAVE10: the next message with it is a coupon, not a search (the
    flags are forgotten in the cache the worker reads, not only in the writer's)."""
    from decimal import Decimal

    from orders.models import Discount

    post_webhook(client, text_payload("biscuits", "wamid.F1"))
    last_sent(fake_cloud, 1)
    Discount.objects.create(business=customer.business, code="SAVE10", name="10% off", kind="percent",
                            percent=Decimal("10"))
    post_webhook(client, text_payload("SAVE10", "wamid.F2"))
    assert "Coupon SAVE10" in last_sent(fake_cloud, 2)["text"]["body"]
