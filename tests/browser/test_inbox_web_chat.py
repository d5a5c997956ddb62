"""The live inbox with a browser-chat customer, in two Chromium windows at once: a visitor writes
in the shop's chat, the agent sees the message arrive in the inbox's conversation without a
reload and answers, and the visitor's page shows the answer without a reload (both pages under
the strict Content-Security-Policy: static scripts only)."""
import pytest

from chat.models import OutboundMessage, WebChatMessage, WebChatVisitor
from tests.browser.conftest import _context, _watched, login, screenshot
from tests.factories import BusinessFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-pass-123"


@pytest.fixture
def shop():
    business = BusinessFactory(name="Chai Corner", slug="chai-corner", greeting="Hi! Welcome to Chai Corner.")
    MembershipFactory(user=UserFactory(username="agent@shop.example", password=PASSWORD), business=business,
                      role="agent")
    return business


@pytest.fixture
def agent_page(browser, live_server):
    context = _context(browser, live_server, viewport={"width": 1366, "height": 800})
    watched = _watched(context)
    yield watched
    context.close()
    assert watched.csp_refusals == [], "refused by the Content-Security-Policy"


def test_a_visitor_and_an_agent_talk_through_the_inbox_without_reloading(page, agent_page, shop):
    page.goto("/shop/chai-corner/chat/")
    page.fill("#text", "Hi")
    page.press("#text", "Enter")
    page.wait_for_selector("text=Hi! Welcome to Chai Corner.")
    customer = WebChatVisitor.objects.get(business=shop).customer

    login(agent_page, "agent@shop.example", PASSWORD)
    agent_page.goto("/admin/chat/conversation/")
    agent_page.click(f"text=Browser-chat visitor #{customer.pk}")
    agent_page.locator("#chat-channel", has_text="Browser chat").wait_for()
    agent_page.locator("#chat-log", has_text="Hi! Welcome to Chai Corner.").wait_for()

    page.fill("#text", "Is the Assam tea fresh this week?")
    page.press("#text", "Enter")
    agent_page.locator("#chat-log", has_text="Is the Assam tea fresh this week?").wait_for(timeout=5_000)  # no reload

    agent_page.fill("#chat-body", "Yes, picked in November")
    agent_page.click("#chat-reply button[type=submit]")
    agent_page.get_by_text("Written into the browser chat").wait_for()
    agent_page.locator("#chat-log", has_text="Yes, picked in November").wait_for()
    page.locator("#messages", has_text="Yes, picked in November").wait_for(timeout=5_000)  # the visitor's poll
    screenshot(agent_page, "inbox-browser-chat")

    sent = WebChatMessage.objects.filter(customer=customer, direction=WebChatMessage.Direction.OUT).last()
    assert sent.body["text"]["body"] == "Yes, picked in November"
    assert not OutboundMessage.objects.filter(customer=customer).exists()
