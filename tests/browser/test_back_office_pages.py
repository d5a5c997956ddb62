"""The back office's remaining pages in Chromium: the dashboard as a manager and as an agent,
every list on a 390 px phone as a manager and as an agent, the order timeline with its chat
messages, the customer page's export, erasure and message, the feed import's live counters, and
the ticket list's columns at 1366 px."""
from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import ImportJob
from chat.models import InboundMessage, OutboundMessage
from payments.models import Dispute, Payment
from support import services as support_services
from support.models import Ticket
from tests.browser.conftest import login, screenshot, scrolls_sideways
from tests.browser.test_back_office import PASSWORD, shop, staff  # noqa: F401 (the shop fixture)
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    PaymentProviderConfigFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_import_page_shows_no_empty_error_box_and_its_counters_move(page, shop):  # noqa: F811
    staff(shop, "owner")
    job = ImportJob.objects.create(business=shop, file="x.csv", filename="teas.csv", total_rows=300)
    login(page, "owner@shop.example", PASSWORD)
    page.goto(f"/admin/catalog/importjob/{job.pk}/change/")
    assert page.locator("#import-status").inner_text() == "Waiting"
    assert page.locator(".errornote:visible").count() == 0
    ImportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=120, created_count=100,
                                               updated_count=20)
    page.locator("#import-processed", has_text="120").wait_for(timeout=5_000)  # no reload
    assert page.locator("#import-status").inner_text() == "Importing"
    assert page.locator("#import-created").inner_text() == "100"
    ImportJob.objects.filter(pk=job.pk).update(status="done", processed_rows=300, total_rows=300, created_count=280,
                                               updated_count=19, rejected_count=1, finished_at=timezone.now(),
                                               errors=[[7, "price", "price is missing"]])
    page.locator("#import-errors", has_text="price is missing").wait_for(timeout=5_000)
    assert page.locator("#import-status").inner_text() == "Done"
    assert page.locator("#import-created").inner_text() == "280"
    assert page.locator(".errornote:visible").count() == 0
    screenshot(page, "import")


def test_the_manager_dashboard_has_sales_and_the_agents_has_tickets_without_money(page, shop):  # noqa: F811
    from tests.browser.test_back_office import paid_order

    staff(shop, "manager")
    staff(shop, "agent")
    order = paid_order(shop, 40_000)
    support_services.open_ticket(business=shop, customer=order.customer, subject="Late", message="Where?")
    login(page, "manager@shop.example", PASSWORD)
    page.goto("/admin/")
    assert "₹ 400.00" in page.locator("#sales-tiles a", has_text="Revenue today").inner_text()
    page.locator("canvas.chart").first.wait_for()
    page.context.clear_cookies()
    login(page, "agent@shop.example", PASSWORD)
    page.goto("/admin/")
    tickets = page.locator("#dashboard-tiles a", has_text="Open tickets")
    assert tickets.locator(".sc-tile-value").inner_text() == "1"
    assert "₹ 400.00" in page.locator("#sales-tiles a", has_text="Revenue today").inner_text()  # agents read orders
    assert page.locator("a.sc-tile", has_text="Refunds").count() == 0
    assert page.locator("a.sc-tile", has_text="Notifications that failed").count() == 0
    tickets.click()
    page.wait_for_load_state()
    assert "queue=open" in page.url and page.locator("#result_list tbody tr").count() == 1


PHONE_LISTS = {
    "manager": ["/admin/", "/admin/orders/order/", "/admin/catalog/product/", "/admin/shopchat/customer/",
                "/admin/payments/payment/", "/admin/payments/refund/", "/admin/support/ticket/",
                "/admin/chat/conversation/", "/admin/catalog/importjob/", "/admin/support/cannedreply/",
                "/admin/payments/dispute/", "/admin/payments/paymentproviderconfig/"],
    "agent": ["/admin/", "/admin/support/ticket/", "/admin/chat/conversation/", "/admin/orders/order/",
              "/admin/shopchat/customer/", "/admin/catalog/product/"],
}


@pytest.mark.parametrize("role", ["manager", "agent"])
def test_every_list_reads_on_a_phone(phone, shop, role):  # noqa: F811
    from tests.browser.test_back_office import paid_order

    staff(shop, role)
    order = paid_order(shop)
    support_services.open_ticket(business=shop, customer=order.customer, subject="A rather long subject about tea",
                                 message="Where?")
    ProductFactory(business=shop, retailer_id="TEA-ASSAM-500G", title="Assam tea, second flush, 500 g tin")
    InboundMessage.objects.create(business=shop, customer=order.customer, wa_id=order.customer.wa_id,
                                  wa_message_id="w.1", type="text", payload={"type": "text", "text": {"body": "Hi"}})
    PaymentProviderConfigFactory(business=shop, provider="stripe", payout_destination="acct_1A2b3C4d5E6f7G8h")
    Dispute.objects.create(business=shop, payment=Payment.objects.get(order=order), provider="stripe",
                           provider_dispute_id="dp_1NqYv2LkdIwHu7ix3Qn8", amount_minor=order.total_minor,
                           currency=shop.currency, reason="product_not_received")
    login(phone, f"{role}@shop.example", PASSWORD)
    for url in PHONE_LISTS[role]:
        response = phone.goto(url)
        assert response is not None and response.status == 200, url
        assert not scrolls_sideways(phone), url
        rows = phone.locator("#result_list tbody tr")
        if url != "/admin/" and rows.count():
            assert rows.first.is_visible(), url


@pytest.mark.parametrize("role", ["manager", "agent"])
def test_the_ticket_list_shows_sla_and_updated_within_1366_px(page, shop, role):  # noqa: F811
    from tests.browser.test_back_office import paid_order

    staff(shop, role)
    agent = UserFactory(username="priyanka.venkataraman@chai-corner.example", first_name="Priyanka",
                        last_name="Venkataraman")
    MembershipFactory(user=agent, business=shop, role="agent")
    now = timezone.now()
    for n in range(3):
        order = paid_order(shop, name=f"Customer with a rather long name {n}")
        ticket = support_services.open_ticket(
            business=shop, customer=order.customer, priority="urgent" if n else "normal",
            subject=f"My order of Assam tea has not arrived yet and I have been waiting for a week {n}",
            message="Where?")
        Ticket.objects.filter(pk=ticket.pk).update(assignee=agent, next_sla_due_at=now + timedelta(hours=n - 1))
    login(page, f"{role}@shop.example", PASSWORD)
    page.goto("/admin/support/ticket/")
    assert not scrolls_sideways(page)
    width = page.viewport_size["width"]
    assert "overdue" in page.locator("#result_list").inner_text()
    for column in ["column-sla_due", "column-updated", "column-state", "column-assigned", "column-ticket"]:
        header = page.locator(f"#result_list th.{column}")
        box = header.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, column
    cell = page.locator("#result_list tbody tr").first.locator("td.field-updated").first
    box = cell.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    if role == "manager":
        screenshot(page, "ticket-list")


def test_the_order_timeline_shows_the_chat_messages(page, shop):  # noqa: F811
    from tests.browser.test_back_office import paid_order

    staff(shop, "agent")
    order = paid_order(shop, name="Asha")
    InboundMessage.objects.create(business=shop, customer=order.customer, wa_id=order.customer.wa_id,
                                  wa_message_id="w.t1", type="text",
                                  payload={"type": "text", "text": {"body": "Two tins of Assam, please"}})
    OutboundMessage.objects.create(business=shop, customer=order.customer, kind="interactive",
                                   order_number=order.number, body={"type": "interactive", "interactive": {
                                       "type": "button", "body": {"text": "Your order is on its way"},
                                       "action": {"buttons": [{"type": "reply", "reply": {"id": "t",
                                                                                           "title": "Track it"}}]}}})
    login(page, "agent@shop.example", PASSWORD)
    page.goto(f"/admin/orders/order/{order.pk}/change/")
    timeline = page.locator("#timeline")
    timeline.locator(".sc-bubble", has_text="Two tins of Assam, please").wait_for()
    mine = timeline.locator(".sc-bubble.sc-mine", has_text="Your order is on its way")
    assert mine.is_visible() and "Track it" in mine.inner_text()
    assert "Customer wrote" in timeline.inner_text() and "Shop wrote" in timeline.inner_text()


def test_the_customer_page_exports_erases_and_writes_as_an_owner_not_as_an_agent(page, shop):  # noqa: F811
    from chat.services import configure_whatsapp

    staff(shop, "owner")
    staff(shop, "agent")
    customer = CustomerFactory(business=shop, name="Meera", last_inbound_at=timezone.now())
    InboundMessage.objects.create(business=shop, customer=customer, wa_id=customer.wa_id, wa_message_id="w.c1",
                                  type="text", payload={"type": "text", "text": {"body": "Do you have green tea?"}})
    url = f"/admin/shopchat/customer/{customer.pk}/change/"
    login(page, "agent@shop.example", PASSWORD)
    page.goto(url)
    page.locator("#customer-conversation", has_text="Do you have green tea?").wait_for()
    assert page.locator("#customer-privacy").count() == 0
    assert "no WhatsApp number set up" in page.locator("#customer-cannot-send").inner_text()  # honest
    page.context.clear_cookies()

    configure_whatsapp(business=shop, phone_number_id="100200300", access_token="EAAtest", app_secret="s",
                       verify_token="v", base_url="http://127.0.0.1:9")
    login(page, "owner@shop.example", PASSWORD)
    page.goto(url)
    page.fill("#customer-message-body", "Yes, Darjeeling green")
    page.click("#customer-message-form button[type=submit]")
    page.wait_for_url(f"**{url}")
    assert "Queued for WhatsApp" in page.content()
    assert OutboundMessage.objects.get(customer=customer).body["text"]["body"] == "Yes, Darjeeling green"
    page.set_viewport_size({"width": 1366, "height": 1000})  # the privacy card in the picture too
    screenshot(page, "customer")
    page.set_viewport_size({"width": 1366, "height": 800})
    with page.expect_download() as download:
        page.click("#customer-export button[type=submit]")
    assert download.value.suggested_filename == f"customer-{customer.pk}-export.json"
    page.click("#customer-erase button[type=submit]")
    page.fill("#id_reason", "asked by phone")
    page.click("input[type=submit][value='Yes, erase']")
    page.wait_for_load_state()
    assert page.get_by_text("Personal data of 1 customer(s) erased.").is_visible()
    customer.refresh_from_db()
    assert customer.erased_at is not None and customer.name != "Meera"


def test_the_customer_and_import_pages_read_on_a_phone(phone, shop):  # noqa: F811
    from tests.browser.test_back_office import paid_order

    staff(shop, "manager")
    order = paid_order(shop, name="Asha")
    InboundMessage.objects.create(business=shop, customer=order.customer, wa_id=order.customer.wa_id,
                                  wa_message_id="w.p1", type="text",
                                  payload={"type": "text", "text": {"body": "Is my tea coming?"}})
    job = ImportJob.objects.create(business=shop, file="x.csv", filename="teas.csv", status="done", total_rows=3,
                                   processed_rows=3, created_count=2, rejected_count=1,
                                   errors=[[3, "price", "price is missing"]])
    login(phone, "manager@shop.example", PASSWORD)
    for url in [f"/admin/shopchat/customer/{order.customer.pk}/change/", f"/admin/catalog/importjob/{job.pk}/change/",
                f"/admin/orders/order/{order.pk}/change/"]:
        phone.goto(url)
        assert not scrolls_sideways(phone), url
    phone.goto(f"/admin/shopchat/customer/{order.customer.pk}/change/")
    erase = phone.locator("#customer-erase button")
    erase.scroll_into_view_if_needed()
    assert erase.is_visible()
