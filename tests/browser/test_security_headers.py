"""The back office under its Content-Security-Policy in Chromium: the theme's Alpine.js runs, a
confirmation that used to be an inline `onclick` still asks, and the import page's poller (a
static script) updates its counters. (Every browser test also fails on any CSP refusal: see conftest.)"""
import pytest

from catalog.models import ImportJob
from tests.browser.conftest import login
from tests.factories import BusinessFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-pass-123"


@pytest.fixture
def owner():
    shop = BusinessFactory(name="Chai Corner")
    user = UserFactory(username="owner@shop.example", password=PASSWORD)
    MembershipFactory(user=user, business=shop, role="owner")
    return shop


def test_the_back_office_theme_runs_under_the_policy(page, owner):
    login(page, "owner@shop.example", PASSWORD)
    page.goto("/admin/")
    page.wait_for_function("() => window.Alpine !== undefined && document.querySelector('[x-data]')._x_dataStack")


def test_rotating_the_feed_url_still_asks_first(page, owner):
    login(page, "owner@shop.example", PASSWORD)
    page.goto("/admin/catalog/product/feed/")
    before = page.locator("code").first.inner_text()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("input[data-confirm]")
    page.wait_for_timeout(300)
    assert asked and "stop working" in asked[0]
    assert page.locator("code").first.inner_text() == before


def test_the_import_pages_poller_updates_its_counters(page, owner):
    job = ImportJob.objects.create(business=owner, file="x.csv", filename="big.csv", total_rows=40,
                                   processed_rows=4)
    login(page, "owner@shop.example", PASSWORD)
    page.goto(f"/admin/catalog/importjob/{job.pk}/change/")
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=30)
    page.wait_for_function("() => document.getElementById('import-processed').textContent.trim() === '30'")
