"""A German- (or Italian-) speaking owner runs the back office in their language: the dashboard,
an order's workspace, a ticket's page and a settlement's pages show no English text of ours.

Each page is rendered twice on the demo shop, once for an owner who saved English and once for
one who saved German or Italian; a piece of visible text found in both is English left over
unless it is the shop's own data (products, names, subjects, messages, refund reasons...), a number or amount,
an icon's name, or a word that is the same in both languages (SAME_WORDS)."""
import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from shopchat.backoffice.language import SESSION_KEY, set_staff_language
from shopchat.models import Business, Membership
from tests.factories import UserFactory

# Visible words that are the same in English and the language (loanwords, names, abbreviations).
SAME_WORDS = {
    "de": {"shopchat", "WhatsApp", "SLA", "CSV", "API", "ID", "Id", "Status", "Chat", "Ticket", "Tickets", "Support",
           "System", "Inbox", "Dashboard", "Name", "Tags", "E-Mail", "Normal", "Feed", "Shop", "Start", "Details",
           "Online", "Token", "Sandbox", "esc", "Gateway", "Webhook", "Ledger", "Support-Desk", "Top-ups", "Land",
           "Stripe", "Razorpay", "Provider", "English", "Deutsch", "Italiano"},
    "it": {"shopchat", "WhatsApp", "SLA", "CSV", "API", "ID", "Id", "Chat", "Ticket", "Dashboard", "Tag", "E-mail",
           "Normale", "Feed", "Shop", "Token", "Sandbox", "esc", "Gateway", "Webhook", "Stripe", "Razorpay", "Inbox",
           "Support", "Sistema", "Online", "Provider", "English", "Deutsch", "Italiano"},
}
SKIPPED_TAGS = {"script", "style", "template", "noscript", "svg"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The page's text nodes, without scripts, styles and icon ligatures (material symbols)."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        classes = dict(attrs).get("class") or ""
        hidden = tag in SKIPPED_TAGS or "material-symbols" in classes or "hidden" in dict(attrs)
        self.stack.append((tag, hidden))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not any(hidden for _, hidden in self.stack):
            self.parts.append(text)


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.parts


def shop_data(business) -> set[str]:
    """The merchant's and customers' own words shown on the pages (never translated)."""
    from catalog.models import Product
    from orders.models import Order
    from payments.models import Refund
    from shopchat.models import Customer
    from support.models import CannedReply, Ticket, TicketMessage

    values = {business.name, business.slug}
    values |= set(Product.objects.filter(business=business).values_list("title", flat=True))
    values |= set(Customer.objects.filter(business=business).values_list("name", flat=True))
    values |= set(Ticket.objects.filter(business=business).values_list("subject", flat=True))
    values |= set(TicketMessage.objects.filter(ticket__business=business).values_list("body", flat=True))
    values |= set(CannedReply.objects.filter(business=business).values_list("title", flat=True))
    values |= set(Refund.objects.filter(business=business).values_list("reason", flat=True))  # typed by staff
    for order in Order.objects.filter(business=business):
        values |= {order.number, order.note, order.address, *map(str, (order.delivery_address or {}).values())}
    values |= set(Membership.objects.filter(business=business).values_list("user__email", flat=True))
    return {value for value in values if value and len(value) > 2}


def leftover_english(translated: list[str], english: list[str], language: str, data: set[str]) -> list[str]:
    english_parts = set(english)
    left = []
    for text in dict.fromkeys(translated):
        if text not in english_parts or not re.search(r"[A-Za-z]{2}", text):
            continue  # translated, or no word at all (amounts, numbers, dates, punctuation)
        if any(value in text or text in value for value in data):
            continue
        if text in SAME_WORDS[language] or re.fullmatch(r"[#A-Z]*[-\d.,: ]+[A-Za-z]{0,3}", text):
            continue
        left.append(text)
    return left


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--products", "12", stdout=StringIO())
    return Business.objects.get(slug="demo-grocer")


def owner_in(business, language: str) -> Client:
    """A second owner of the shop who saved `language`, logged in (the choice comes with the login)."""
    user = UserFactory(is_staff=True)
    Membership.objects.create(user=user, business=business, role=Membership.Role.OWNER)
    set_staff_language(user=user, language=language)
    client = Client()
    client.force_login(user)
    assert client.session[SESSION_KEY] == language
    return client


def pages(business) -> list[str]:
    from orders.models import Order
    from payments import services
    from payments.models import Settlement
    from support.models import Ticket

    order = Order.objects.filter(business=business, payments__isnull=False).order_by("-pk").first()
    shipped = Order.objects.filter(business=business, status=Order.Status.PAID).order_by("pk").first()
    ticket = Ticket.objects.filter(business=business, messages__isnull=False).order_by("pk").first()
    settlement = Settlement.objects.filter(business=business).first() or services.settle_business(business=business)
    return ["/admin/", f"/admin/orders/order/{order.pk}/change/", f"/admin/orders/order/{shipped.pk}/change/",
            "/admin/orders/order/", f"/admin/support/ticket/{ticket.pk}/change/", "/admin/support/ticket/",
            "/admin/payments/settlement/", f"/admin/payments/settlement/{settlement.pk}/statement/"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "it"])
def test_the_owners_pages_show_no_english_text_of_ours(demo, language):
    english, translated = owner_in(demo, "en"), owner_in(demo, language)
    data = shop_data(demo)
    left = {}
    for page in pages(demo):
        theirs = translated.get(page)
        assert theirs.status_code == 200, page
        assert theirs["Content-Language"] == language
        found = leftover_english(visible_text(theirs.content.decode()),
                                 visible_text(english.get(page).content.decode()), language, data)
        if found:
            left[page] = found
    assert left == {}


@pytest.mark.django_db
def test_the_saved_language_applies_from_login_and_the_menu_changes_it(demo):
    client = owner_in(demo, "de")
    assert client.get("/admin/")["Content-Language"] == "de"
    response = client.post("/admin/language/", {"language": "it", "next": "/admin/orders/order/"})
    assert response.status_code == 302 and response["Location"] == "/admin/orders/order/"
    assert client.get("/admin/")["Content-Language"] == "it"
    from shopchat.backoffice.language import language_of

    assert language_of(client.session.get("_auth_user_id") and
                       Membership.objects.filter(user_id=client.session["_auth_user_id"]).get().user) == "it"


@pytest.mark.django_db
def test_a_language_not_offered_is_refused_and_an_outside_next_goes_home(demo):
    client = owner_in(demo, "de")
    response = client.post("/admin/language/", {"language": "hi", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session[SESSION_KEY] == "de"
