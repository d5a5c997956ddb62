"""Every back-office page in German and Italian: no message of our catalogs shows in English.

A platform staff member (who sees every registered model) saves German or Italian and opens, on
the demo shop, every registered model's list, add page and change page (of its first row), the
custom pages (feed import, reconciliation, settlement statement, satisfaction summary, inbox,
technical-support tickets, the erasure confirmation...). A piece of text on a page that is a
msgid of the project's catalog whose translation differs from it (or is missing) was not
translated where it is shown: the test names it with its page.

Messages only customers read (found only in `CHAT_SOURCES`) are left out: the inbox shows the
chat as the customer saw it, in the customer's language."""
import contextlib
import re
from functools import cache
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse

from shopchat.backoffice.language import SESSION_KEY, set_staff_language
from shopchat.languages import CHAT_SOURCES
from shopchat.models import Business
from tests.core.test_backoffice_german import shop_data
from tests.factories import UserFactory

SKIPPED_TAGS = {"script", "style"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


class PageTexts(HTMLParser):
    """Every text node and shown attribute (title, placeholder, button values) of a page, but
    icon names (material symbols) and the chat drawn as the customer saw it (bubbles, `sc-b`)."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        classes = values.get("class") or ""
        skipped = tag in SKIPPED_TAGS or "material-symbols" in classes or "sc-b" in classes
        if not skipped and not self._skipping():
            for name in SHOWN_ATTRIBUTES:
                self._add(values.get(name))
            if tag == "input" and values.get("type") in ("submit", "button"):
                self._add(values.get("value"))
        if tag not in VOID_TAGS:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self._skipping():
            self._add(data)

    def _skipping(self) -> bool:
        return any(skipped for _, skipped in self.stack)

    def _add(self, text):
        text = " ".join(str(text or "").split())
        if text:
            self.texts.append(text)


@cache
def untranslated_patterns(language: str) -> tuple[frozenset[str], re.Pattern | None]:
    """The msgids of the catalog that read differently in `language` (or have no translation):
    plain ones as a set, those with placeholders as one pattern matching a filled-in message. A
    msgid that is also a translation in `language` ("Wallets" is German for "wallets") is left
    out: it reads as the language."""
    path = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    plain, formatted = set(), set()
    translations = {" ".join(s.split()) for m in catalog if m.id
                    for s in (m.string if isinstance(m.string, tuple) else (m.string,)) if s}
    translations |= {text[:1].upper() + text[1:] for text in translations}  # as a title shows it
    for message in catalog:
        if not message.id or all(location in CHAT_SOURCES for location, _ in message.locations):
            continue
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            msgid = " ".join(msgid.split())
            if msgid in translations:
                continue  # the same word in both languages
            if not re.search(r"[A-Za-z]{3}", PLACEHOLDER.sub("", msgid)):
                continue  # no word of its own
            (formatted if PLACEHOLDER.search(msgid) else plain).add(msgid.replace("%%", "%"))
    parts = ["(?:" + ".+?".join(map(re.escape, PLACEHOLDER.split(m))) + ")" for m in sorted(formatted)]
    return frozenset(plain), re.compile("|".join(parts)) if parts else None


def english_on(html: str, language: str, data: set[str]) -> list[str]:
    plain, formatted = untranslated_patterns(language)
    parser = PageTexts()
    parser.feed(html)
    found = []
    for text in dict.fromkeys(parser.texts):
        if text in data:
            continue
        if text in plain or (formatted is not None and formatted.fullmatch(text)):
            found.append(text)
    return found


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--products", "12", stdout=StringIO())
    business = Business.objects.get(slug="demo-grocer")
    _more_rows(business)
    return business


def _more_rows(business):
    """A row for the lists the demo leaves empty: a technical-support ticket, an erasure request."""
    from shopchat.models import Membership
    from support import services as support

    owner = Membership.objects.filter(business=business, role=Membership.Role.OWNER).first().user
    support.open_platform_ticket(business=business, requester=owner, subject="Webhook keeps failing",
                                 message="Our webhook answers 500 since this morning.")


def more_data() -> set[str]:
    """Words of the merchant's the German test does not need (shipping options' and zones' names,
    collections), and WhatsApp's own names of message types (the Developer section's raw
    messages): not words of ours."""
    from catalog.models import Collection
    from chat.models import InboundMessage, OutboundMessage
    from orders.shipping_models import ShippingOption, ShippingZone

    return (set(InboundMessage.objects.values_list("type", flat=True))
            | set(OutboundMessage.objects.values_list("kind", flat=True))
            | set(ShippingOption.objects.values_list("name", flat=True))
            | set(ShippingZone.objects.values_list("name", flat=True))
            | set(Collection.objects.values_list("name", flat=True)))


def platform_staff_in(language: str) -> Client:
    user = UserFactory(is_staff=True, is_superuser=True)
    set_staff_language(user=user, language=language)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    assert client.session[SESSION_KEY] == language
    return client


def model_pages() -> list[str]:
    """Each registered model's list, add page (where one may add) and its first row's page."""
    urls = []
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        with contextlib.suppress(NoReverseMatch):
            urls.append(reverse(f"{prefix}_add"))
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            urls.append(reverse(f"{prefix}_change", args=[first]))
    return urls


def custom_pages(business) -> list[str]:
    from catalog.models import ImportJob
    from payments.models import Settlement
    from payments.services import settle_business
    from shopchat.models import Customer
    from support.models import Ticket

    settlement = Settlement.objects.filter(business=business).first() or settle_business(business=business)
    ticket = Ticket.objects.filter(business=business, kind=Ticket.Kind.CUSTOMER).order_by("pk").first()
    platform = Ticket.objects.filter(business=business, kind=Ticket.Kind.PLATFORM).order_by("pk").first()
    customer = Customer.objects.filter(business=business).order_by("pk").first()
    urls = ["/admin/", "/admin/catalog/product/feed/", "/admin/payments/settlement/reconcile/",
            f"/admin/payments/settlement/{settlement.pk}/statement/", "/admin/support/ticket/csat/",
            "/admin/chat/conversation/rows/", f"/admin/support/ticket/{ticket.pk}/messages/",
            f"/admin/support/platformticket/{platform.pk}/change/", f"/admin/shopchat/customer/{customer.pk}/change/",
            "/admin/password_change/"]
    if job := ImportJob.objects.filter(business=business).first():
        urls.append(f"/admin/catalog/importjob/{job.pk}/change/")
    return urls


def erase_page(client: Client, business) -> str:
    """The confirmation page of the customer list's erase action."""
    from shopchat.models import Customer

    customer = Customer.objects.filter(business=business).order_by("pk").first()
    response = client.post("/admin/shopchat/customer/", {"action": "erase_data", "_selected_action": [customer.pk]})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "it"])
def test_every_back_office_page_shows_our_messages_translated(demo, language):
    client = platform_staff_in(language)
    data = shop_data(demo) | more_data()
    left, failed = {}, {}
    for url in dict.fromkeys(model_pages() + custom_pages(demo)):
        response = client.get(url)
        if response.status_code in (302, 403):
            continue  # not a page one opens (e.g. an add page of rows only the services write)
        if response.status_code != 200:
            failed[url] = response.status_code
            continue
        assert response["Content-Language"] == language, url
        if found := english_on(response.content.decode(), language, data):
            left[url] = found
    if found := english_on(erase_page(client, demo), language, data):
        left["erase confirmation"] = found
    assert failed == {}
    assert left == {}
