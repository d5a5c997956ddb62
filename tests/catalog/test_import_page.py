"""The feed import's page: the error box only when there is an error, the counters in one live
box (polled by the static back-office script, no inline script), final counts rendered by the
server once the job is done."""
import pytest

from catalog.models import ImportJob

pytestmark = pytest.mark.django_db


def page_of(client, job) -> str:
    response = client.get(f"/admin/catalog/importjob/{job.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_running_import_has_no_error_box_and_no_inline_script(owner_client, business):
    job = ImportJob.objects.create(business=business, file="x.csv", status="running", total_rows=100,
                                   processed_rows=40, created_count=40)
    page = page_of(owner_client, job)
    assert 'id="import-progress"' in page and 'data-status="running"' in page
    assert "errornote" not in page.split('id="import-progress"')[1].split("</form>")[0]
    assert "<script>" not in page and "fetch(" not in page


def test_status_and_counters_are_shown_once_in_the_live_box(owner_client, business):
    job = ImportJob.objects.create(business=business, file="x.csv", total_rows=10)
    page = page_of(owner_client, job)
    assert page.count("Waiting") == 1 and 'id="import-status"' in page
    assert "field-created_count" not in page and "field-status" not in page


def test_a_done_import_renders_its_final_counts(owner_client, business):
    job = ImportJob.objects.create(business=business, file="x.csv", status="done", total_rows=3, processed_rows=3,
                                   created_count=2, rejected_count=1, errors=[[3, "price", "price is missing"]])
    page = page_of(owner_client, job)
    assert 'data-status="done"' in page and 'value="100"' in page
    assert '<dd id="import-created">2</dd>' in page and '<dd id="import-rejected">1</dd>' in page
    assert "price is missing" in page and "errornote" not in page.split('id="import-progress"')[1].split("</form>")[0]


def test_a_refused_file_shows_its_reason_in_the_error_box(owner_client, business):
    job = ImportJob.objects.create(business=business, file="x.csv", status="failed", message="not a feed: binary")
    page = page_of(owner_client, job)
    assert '<p id="import-message" class="errornote">not a feed: binary</p>' in page


def test_the_status_answer_has_every_counter_the_box_shows(owner_client, business):
    job = ImportJob.objects.create(business=business, file="x.csv", deactivate_missing=True, deactivated_count=4)
    status = owner_client.get(f"/admin/catalog/importjob/{job.pk}/status/").json()
    assert {"status", "status_display", "percent", "processed", "total", "created", "updated", "unchanged",
            "rejected", "deactivated"} <= set(status) and status["deactivated"] == 4
