"""The back office in Chromium as its users meet it: the owner's dashboard with today's revenue
and the sales chart, a manager's partial refund (the timeline and the ledger agree) and a
shipment, an agent's canned reply with its placeholders filled, a customer's message arriving in
the inbox without a reload and answered, a first-time customer on top of the inbox list without a
reload, and the main lists on a 390 px phone."""
import pytest
from django.utils import timezone

from chat.models import InboundMessage, OutboundMessage
from orders.models import Order
from payments import services as payment_services
from support import services as support_services
from support.models import CannedReply
from tests.browser.conftest import login, screenshot, scrolls_sideways
from tests.factories import BusinessFactory, CustomerFactory, MembershipFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-pass-123"


@pytest.fixture
def shop():
    return BusinessFactory(name="Chai Corner", payout_account="chai@okbank", order_prefix="CC")


def staff(shop, role):
    user = UserFactory(username=f"{role}@shop.example", password=PASSWORD)
    MembershipFactory(user=user, business=shop, role=role)
    return user


def paid_order(shop, total=50_000, name="Asha"):
    customer = CustomerFactory(business=shop, name=name, last_inbound_at=timezone.now())
    order = OrderFactory(business=shop, customer=customer, subtotal_minor=total)
    card = payment_services.add_funding_source(customer=customer, card_number="4242424242424242", exp_month=12,
                                               exp_year=2030)
    payment_services.pay_order(order=order, method="card", funding_source=card)
    order.refresh_from_db()
    return order


def test_the_owner_sees_todays_revenue_and_the_sales_chart(page, shop):
    staff(shop, "owner")
    paid_order(shop, 40_000)
    paid_order(shop, 2_550, name="Ravi")
    login(page, "owner@shop.example", PASSWORD)
    page.goto("/admin/")
    tile = page.locator("#sales-tiles a", has_text="Revenue today")
    assert "₹ 425.50" in tile.inner_text()
    chart = page.locator("canvas.chart").first
    chart.wait_for()
    page.wait_for_function("() => { const c = document.querySelector('canvas.chart');"
                           " return c && c.width > 0 && window.Chart && Chart.getChart(c); }")
    screenshot(page, "dashboard")
    tile.click()
    page.wait_for_load_state()
    assert "paid_in=today" in page.url and page.locator("#result_list tbody tr").count() == 2


def test_a_manager_refunds_part_of_an_order_then_ships_it(page, shop):
    staff(shop, "manager")
    order = paid_order(shop, 50_000)
    login(page, "manager@shop.example", PASSWORD)
    page.goto(f"/admin/orders/order/{order.pk}/change/")
    page.fill("#id_refund-amount", "120.50")
    page.fill("#id_refund-reason", "One tin was dented")
    page.click("#action-refund button[type=submit]")
    assert "₹ 120.50" in page.locator("#confirm-amount").inner_text()
    page.locator("#confirm-refund").dblclick()  # a double click refunds once
    page.wait_for_url(f"**/admin/orders/order/{order.pk}/change/")
    timeline = page.locator("#timeline").inner_text()
    ledger = page.locator("#order-ledger").inner_text()
    assert "Refunded ₹ 120.50" in timeline and "One tin was dented" in timeline
    assert "-₹ 120.50" in ledger
    assert order.payments.get().refunds.count() == 1
    screenshot(page, "order-workspace")
    page.fill("#id_ship-carrier", "BlueDart")
    page.fill("#id_ship-tracking_number", "AWB123")
    page.click("#action-ship button[type=submit]")
    page.wait_for_selector("#order-tracking")
    assert "BlueDart AWB123" in page.locator("#order-tracking").inner_text()
    assert "Shipped" in page.locator("#order-status").inner_text()
    order.refresh_from_db()
    assert (order.status, order.refunded_minor) == (Order.Status.SHIPPED, 12_050)


def test_an_agent_sends_a_canned_reply_with_its_placeholders_filled(page, shop):
    staff(shop, "agent")
    order = paid_order(shop, name="Asha")
    order.carrier, order.tracking_number = "India Post", "EE1IN"
    order.save(update_fields=["carrier", "tracking_number"])
    ticket = support_services.open_ticket(business=shop, customer=order.customer, subject="Where is it?",
                                          message="Has my tea shipped?")
    CannedReply.objects.create(business=shop, title="On its way",
                               body="Hi {customer_name}, order {order_number} is on its way: {tracking_link}")
    login(page, "agent@shop.example", PASSWORD)
    page.goto(f"/admin/support/ticket/{ticket.pk}/change/")
    page.select_option("#canned-reply", "On its way")
    expected = f"Hi Asha, order {order.number} is on its way: India Post EE1IN"
    assert page.input_value("#reply-body") == expected
    page.click("#reply-form input[type=submit], #reply-form button[type=submit]")
    page.wait_for_load_state()
    page.locator("#ticket-messages", has_text=expected).wait_for()
    screenshot(page, "ticket")


def test_a_customer_message_appears_in_the_inbox_without_reload_and_is_answered(page, shop):
    from chat.services import configure_whatsapp
    from tests.chat.fake_cloud import FakeCloudAPI

    staff(shop, "agent")
    customer = CustomerFactory(business=shop, name="Meera", last_inbound_at=timezone.now())
    InboundMessage.objects.create(business=shop, customer=customer, wa_id=customer.wa_id, wa_message_id="w.1",
                                  type="text", payload={"type": "text", "text": {"body": "Hello!"}})
    with FakeCloudAPI() as cloud:
        configure_whatsapp(business=shop, phone_number_id="100200300", access_token="EAAtest", app_secret="s",
                           verify_token="v", base_url=cloud.url)
        login(page, "agent@shop.example", PASSWORD)
        page.goto("/admin/chat/conversation/")
        page.click("text=Meera")
        page.locator("#chat-log", has_text="Hello!").wait_for()
        InboundMessage.objects.create(business=shop, customer=customer, wa_id=customer.wa_id, wa_message_id="w.2",
                                      type="text", payload={"type": "text", "text": {"body": "Is my tea coming?"}})
        page.locator("#chat-log", has_text="Is my tea coming?").wait_for(timeout=5_000)  # no reload
        page.fill("#chat-body", "Yes, today by 6 pm")
        page.click("#chat-reply button[type=submit]")
        page.locator("#chat-log", has_text="Yes, today by 6 pm").wait_for()
        screenshot(page, "inbox")
        assert OutboundMessage.objects.get(customer=customer).body["text"]["body"] == "Yes, today by 6 pm"


def test_a_first_time_customer_appears_on_top_of_the_inbox_list_without_reload(page, shop):
    staff(shop, "agent")
    regular = CustomerFactory(business=shop, name="Meera", last_inbound_at=timezone.now())
    InboundMessage.objects.create(business=shop, customer=regular, wa_id=regular.wa_id, wa_message_id="w.1",
                                  type="text", payload={"type": "text", "text": {"body": "Hello!"}})
    login(page, "agent@shop.example", PASSWORD)
    page.goto("/admin/chat/conversation/")
    page.locator("#sc-conversations", has_text="Meera").wait_for()
    newcomer = CustomerFactory(business=shop, name="Farah", last_inbound_at=timezone.now())
    InboundMessage.objects.create(business=shop, customer=newcomer, wa_id=newcomer.wa_id, wa_message_id="w.9",
                                  type="text", payload={"type": "text", "text": {"body": "Do you deliver?"}})
    page.locator("#sc-conversations", has_text="Farah").wait_for(timeout=5_000)  # no reload
    names = page.locator("#sc-conversations tbody th").all_inner_texts()
    assert names[0].strip() == "Farah" and "Meera" in names[1]
    screenshot(page, "inbox-list")


def test_every_main_list_reads_on_a_phone(phone, shop):
    staff(shop, "owner")
    paid_order(shop)
    login(phone, "owner@shop.example", PASSWORD)
    for url in ["/admin/", "/admin/orders/order/", "/admin/catalog/product/", "/admin/shopchat/customer/",
                "/admin/payments/payment/", "/admin/support/ticket/", "/admin/chat/conversation/",
                "/admin/payments/settlement/"]:
        phone.goto(url)
        assert not scrolls_sideways(phone), url
    phone.goto("/admin/orders/order/")
    screenshot(phone, "orders-phone")
