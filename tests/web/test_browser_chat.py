"""The chat in the browser: the same engine and services as WhatsApp through the web-chat
channel, from "Hi" to the payment confirmation, with its visitors marked by channel."""
import re

import pytest
from django.test import override_settings

from chat.models import WebChatMessage, WebChatVisitor
from orders.models import Order
from shopchat.models import Business, Customer, OutboxEvent
from tests.factories import (
    BusinessFactory,
    CollectionFactory,
    CollectionProductFactory,
    MembershipFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    business = BusinessFactory(name="Chai Corner", slug="chai-corner", greeting="Hi! Welcome to Chai Corner.")
    tea = CollectionFactory(business=business, name="Tea", slug="tea")
    CollectionProductFactory(collection=tea, product=ProductFactory(business=business, retailer_id="TEA-1",
                                                                    title="Assam Tea 250g", price_minor=12000))
    return business


def say(client, text, slug="chai-corner"):
    return client.post(f"/shop/{slug}/chat/send/", {"text": text})


def tap(client, reply_id, kind="button", slug="chai-corner"):
    return client.post(f"/shop/{slug}/chat/send/", {"reply_id": reply_id, "reply_title": reply_id, "reply_kind": kind})


def test_hi_gets_the_greeting_and_the_catalog(client, shop):
    response = say(client, "Hi")
    assert response.status_code == 200
    html = response.json()["html"]
    assert "Hi! Welcome to Chai Corner." in html and "Assam Tea 250g" in html
    assert 'data-reply-id="product:TEA-1"' in html
    assert client.get("/shop/chai-corner/chat/").status_code == 200  # the page shows the conversation again
    assert "Hi! Welcome to Chai Corner." in client.get("/shop/chai-corner/chat/").content.decode()


def test_visitors_are_chat_customers_marked_by_channel_and_never_sent_on_whatsapp(client, shop):
    say(client, "Hi")
    visitor = WebChatVisitor.objects.get()
    assert visitor.customer.wa_id.startswith("999") and len(visitor.customer.wa_id) == 15
    assert not visitor.is_test and not visitor.customer.is_test
    assert WebChatMessage.objects.filter(customer=visitor.customer, direction="in").count() == 1


def test_from_hi_to_the_payment_confirmation(client, shop, django_capture_on_commit_callbacks):
    say(client, "Hi")
    assert "Order one" in tap(client, "product:TEA-1", kind="list").json()["html"]
    html = tap(client, "buy:TEA-1").json()["html"]
    order = Order.objects.get()
    assert order.customer.wa_id.startswith("999") and f"pay_card:{order.number}" in html
    html = tap(client, f"pay_card:{order.number}").json()["html"]
    link = re.search(r'href="https?://[^/"]+(/pay/[^"]+/)"', html).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(link, {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2030})
    assert "Paid" in page.content.decode()
    order.refresh_from_db()
    assert order.status == "paid"
    last = WebChatMessage.objects.order_by("id").first().pk
    poll = client.get("/shop/chai-corner/chat/messages/", {"after": last}).json()
    assert f"Payment received for order {order.number}" in poll["html"]
    assert OutboxEvent.objects.filter(channel="webchat", event_type="order.paid", status="delivered").count() == 1
    assert not OutboxEvent.objects.filter(channel="whatsapp").exists()


def test_the_order_on_whatsapp_text_works_in_the_browser_chat_too(client, shop):
    html = say(client, "Hi! I would like to order Assam Tea 250g (#TEA-1)").json()["html"]
    assert 'data-reply-id="buy:TEA-1"' in html


def test_polling_answers_only_what_is_new(client, shop):
    say(client, "Hi")
    last = WebChatMessage.objects.order_by("-id").first().pk
    assert client.get("/shop/chai-corner/chat/messages/", {"after": last}).json() == {"html": "", "last": last}


def test_a_stranger_without_the_cookie_sees_nothing_of_another_visitors_chat(client, shop):
    say(client, "Hi")
    client.cookies.clear()
    assert client.get("/shop/chai-corner/chat/messages/", {"after": 0}).json()["html"] == ""


def test_a_visitors_cookie_of_one_shop_opens_nothing_in_another(client, shop):
    say(client, "Hi")
    other = BusinessFactory(slug="other-shop")
    token = client.cookies[f"shopchat_chat_{shop.pk}"].value
    client.cookies[f"shopchat_chat_{other.pk}"] = token
    assert client.get("/shop/other-shop/chat/messages/", {"after": 0}).json()["html"] == ""


def test_an_empty_or_too_long_message_is_a_400_naming_the_field(client, shop):
    response = client.post("/shop/chai-corner/chat/send/", {"text": "  "})
    assert response.status_code == 400 and response.json()["error"]["fields"] == {"text": ["Type a message."]}
    assert client.post("/shop/chai-corner/chat/send/", {"text": "x" * 1001}).status_code == 400
    assert client.get("/shop/chai-corner/chat/messages/", {"after": "x"}).status_code == 400
    assert not WebChatMessage.objects.exists()


@override_settings(WEB_CHAT_RATE_PER_MINUTE=3)
def test_each_visitor_is_rate_limited(client, shop):
    for _ in range(3):
        assert say(client, "tea").status_code == 200
    response = say(client, "tea")
    assert response.status_code == 429 and response.json()["error"]["code"] == "rate_limited"


def test_a_business_can_turn_the_public_web_chat_off(client, shop):
    Business.objects.filter(pk=shop.pk).update(web_chat_enabled=False)
    assert client.get("/shop/chai-corner/chat/").status_code == 404
    assert say(client, "Hi").status_code == 404
    assert "/chat/" not in client.get("/shop/chai-corner/").content.decode()
    assert not Customer.objects.exists()


def test_try_your_shop_opens_a_test_chat_even_with_the_public_chat_off(client, shop):
    Business.objects.filter(pk=shop.pk).update(web_chat_enabled=False)
    owner = UserFactory()
    MembershipFactory(user=owner, business=shop)
    client.force_login(owner)
    assert client.get("/shop/chai-corner/chat/try/").status_code == 302
    page = client.get("/shop/chai-corner/chat/").content.decode()
    assert "Test chat" in page
    assert say(client, "Hi").status_code == 200
    assert Customer.objects.get().is_test and WebChatVisitor.objects.get().is_test


def test_try_your_shop_is_for_the_shops_own_staff(client, shop):
    stranger = UserFactory()
    MembershipFactory(user=stranger, business=BusinessFactory())
    client.force_login(stranger)
    assert client.get("/shop/chai-corner/chat/try/").status_code == 404
    client.logout()
    assert client.get("/shop/chai-corner/chat/try/").status_code == 302  # to the login page
    assert not WebChatVisitor.objects.exists()


@pytest.mark.parametrize("status", [Business.Status.PENDING, Business.Status.SUSPENDED])
def test_the_chat_of_a_pending_or_suspended_shop_answers_404(client, shop, status):
    Business.objects.filter(pk=shop.pk).update(status=status)
    assert client.get("/shop/chai-corner/chat/").status_code == 404
    assert say(client, "Hi").status_code == 404


def test_the_page_has_no_inline_script(client, shop):
    html = client.get("/shop/chai-corner/chat/").content.decode()
    assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", html))
