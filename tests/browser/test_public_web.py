"""The public web as merchants and customers meet it, in Debian's Chromium: sign up, approval by
platform staff, the shop page and its search, the QR code's target, a purchase in the browser
chat from "Hi" to the payment confirmation, and the order, payment and ledger in the back
office; axe-core finds no serious accessibility violation on the shop page and the chat."""
import re
from pathlib import Path

import pytest
import segno

from shopchat.models import Business
from tests.browser.conftest import login, screenshot, scrolls_sideways
from tests.factories import (
    BusinessFactory,
    CollectionFactory,
    CollectionProductFactory,
    MembershipFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "kettle-saffron-42-orbit"


@pytest.fixture(autouse=True)
def _public_web(settings, live_server):
    settings.SITE_URL = live_server.url  # links sent into the chat (payment link) point at the test server
    settings.SIGNUP_MIN_SECONDS = 0


@pytest.fixture
def shop():
    business = BusinessFactory(name="Chai Corner", slug="chai-corner", greeting="Hi! Welcome to Chai Corner.",
                               description="Fresh tea from Assam and Darjeeling.", payout_account="")
    owner = UserFactory(username="owner@chai.example", password="a-long-pass-123")
    MembershipFactory(user=owner, business=business, role="owner")
    tea = CollectionFactory(business=business, name="Tea", slug="tea")
    for rid, title, price in (("TEA-ASSAM", "Assam Tea 250g", 12000), ("TEA-DARJ", "Darjeeling Tea 100g", 18000)):
        CollectionProductFactory(collection=tea, product=ProductFactory(
            business=business, retailer_id=rid, title=title, price_minor=price, stock_quantity=20))
    ProductFactory(business=business, retailer_id="MUG-1", title="White Mug", price_minor=24950)
    return business


def serious_violations(page) -> list[str]:
    # The test's own tool, not the page's: evaluated through the DevTools protocol, which the page's
    # Content-Security-Policy does not govern (a <script> tag would be refused, rightly).
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} - {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v.get("impact") in ("serious", "critical")]


def test_a_merchant_signs_up_and_platform_staff_approve_the_shop(page, live_server):
    page.goto("/signup/")
    screenshot(page, "signup")
    page.fill("#id_business_name", "Meera's Sweets")
    page.select_option("#id_country", "IN")
    page.select_option("#id_currency", "INR")
    page.fill("#id_owner_name", "Meera Rao")
    page.fill("#id_email", "meera@sweets.example")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/signup/done/")
    assert "Thank you for signing up" in page.inner_text("h1")
    business = Business.objects.get(name="Meera's Sweets")
    assert business.status == Business.Status.PENDING
    assert page.goto(f"/shop/{business.slug}/").status == 404

    UserFactory(username="platform@shopchat.example", password="platform-pass-123", is_superuser=True)
    page.context.clear_cookies()
    login(page, "platform@shopchat.example", "platform-pass-123")
    page.goto("/admin/shopchat/business/?status__exact=pending")
    page.check(f"input[name=_selected_action][value='{business.pk}']")
    page.select_option("select[name=action]", "approve")
    page.click("button[name=index]")
    page.wait_for_load_state("networkidle")
    assert "1 business(es) approved." in page.inner_text("body")
    business.refresh_from_db()
    assert business.status == Business.Status.ACTIVE
    assert page.goto(f"/shop/{business.slug}/").status == 200
    assert "Meera's Sweets" in page.inner_text("h1")


def test_the_shop_page_searches_and_its_qr_code_leads_to_the_chat(page, shop, live_server):
    page.goto("/shop/chai-corner/")
    assert "Fresh tea from Assam" in page.inner_text("body")
    screenshot(page, "shop-page")
    page.fill("#q", "darjeeling")
    page.click("form.search button")
    page.wait_for_load_state("networkidle")
    titles = page.locator(".product-card .title").all_inner_texts()
    assert titles == ["Darjeeling Tea 100g"]
    page.click("text=Darjeeling Tea 100g")
    page.wait_for_url("**/p/TEA-DARJ/")
    assert page.locator("script[type='application/ld+json']").count() == 1
    screenshot(page, "product-page")

    # The QR code encodes the shop's chat link; without a WhatsApp number that is the browser chat.
    target = f"{live_server.url}/shop/chai-corner/chat/"
    served = page.request.get("/shop/chai-corner/qr.svg").body()
    expected = segno.make(target, error="m", micro=False)
    import io
    out = io.BytesIO()
    expected.save(out, kind="svg", scale=8, border=4, title="QR code", xmldecl=True)
    assert served == out.getvalue()
    page.goto(target)
    assert "Chat with Chai Corner" in page.title()


def test_a_customer_buys_in_the_browser_chat_and_the_back_office_shows_it(page, shop):
    page.goto("/shop/chai-corner/chat/")
    page.fill("#text", "Hi")
    page.press("#text", "Enter")
    page.wait_for_selector("text=Hi! Welcome to Chai Corner.")
    page.click(".b-list summary")
    page.click("button.row:has-text('Assam Tea 250g')")
    page.wait_for_selector("button.reply:has-text('Order one')")
    page.click("button.reply:has-text('Order one')")
    page.wait_for_selector("button.reply:has-text('Pay by card link')")
    screenshot(page, "browser-chat")
    page.click("button.reply:has-text('Pay by card link')")
    link = page.wait_for_selector(".b-text a[href*='/pay/']")
    pay_url = link.get_attribute("href")
    page.goto(pay_url)
    page.fill("input[name=card_number]", "4242424242424242")
    page.fill("input[name=exp_month]", "12")
    page.fill("input[name=exp_year]", "2030")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Paid")
    page.goto("/shop/chai-corner/chat/")
    page.wait_for_selector("text=Payment received for order")
    number = re.search(r"Payment received for order (\S+)", page.inner_text("#messages")).group(1)

    page.context.clear_cookies()
    login(page, "owner@chai.example", "a-long-pass-123")
    page.goto("/admin/orders/order/")
    assert number in page.inner_text("#result_list")
    page.goto("/admin/payments/payment/")
    assert "captured" in page.inner_text("#result_list").lower()
    page.goto("/admin/payments/ledgertransaction/")
    ledger = page.inner_text("#result_list").lower()
    assert "payment" in ledger


def test_new_messages_arrive_without_reload(page, shop):
    from chat.models import WebChatVisitor
    from shopchat import outbox

    page.goto("/shop/chai-corner/chat/")
    page.fill("#text", "Hi")
    page.press("#text", "Enter")
    page.wait_for_selector("text=Hi! Welcome to Chai Corner.")
    customer = WebChatVisitor.objects.get().customer
    outbox.emit_event(business=shop, event_type="order.shipped",
                      data={"number": "SC-1", "customer": outbox.customer_ref(customer)})
    page.wait_for_selector("text=Good news: order SC-1 has shipped.", timeout=10_000)


def test_the_shop_page_and_the_chat_have_no_serious_accessibility_violations(page, shop):
    page.goto("/shop/chai-corner/")
    assert serious_violations(page) == []
    page.goto("/shop/chai-corner/p/TEA-ASSAM/")
    assert serious_violations(page) == []
    page.goto("/shop/chai-corner/chat/")
    page.fill("#text", "Hi")
    page.press("#text", "Enter")
    page.wait_for_selector("text=Hi! Welcome to Chai Corner.")
    page.click(".b-list summary")
    assert serious_violations(page) == []
    page.goto("/signup/")
    assert serious_violations(page) == []


def test_the_shop_page_and_the_chat_fit_a_phone(phone, shop):
    phone.goto("/shop/chai-corner/")
    assert not scrolls_sideways(phone)
    screenshot(phone, "shop-page-phone")
    phone.goto("/shop/chai-corner/chat/")
    phone.fill("#text", "Hi")
    phone.press("#text", "Enter")
    phone.wait_for_selector("text=Hi! Welcome to Chai Corner.")
    phone.click(".b-list summary")
    assert not scrolls_sideways(phone)
    assert phone.locator("#composer button").is_visible()
    screenshot(phone, "browser-chat-phone")
