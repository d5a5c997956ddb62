"""Catalog back office: tenancy of products, collections and imports; a changelist whose
query count does not grow with the rows; prices edited in the major unit; bulk actions;
upload -> import page with progress, counts and an error CSV."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Collection, CollectionProduct, ImportJob, Product
from tests.catalog.conftest import feed_row, make_feed
from tests.conftest import staff_client
from tests.factories import CollectionFactory, ProductFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/catalog/product/"


def test_owner_lists_only_own_products(owner_client, business, other_business):
    ProductFactory(business=business, title="Our rice")
    ProductFactory(business=other_business, title="Their rice")
    page = owner_client.get(CHANGELIST).content.decode()
    assert "Our rice" in page and "Their rice" not in page


def test_owner_cannot_open_or_change_another_business_product(owner_client, other_business):
    theirs = ProductFactory(business=other_business, title="Their rice")
    response = owner_client.get(f"{CHANGELIST}{theirs.pk}/change/")
    assert response.status_code in (302, 404)
    assert "Their rice" not in response.content.decode()
    owner_client.post(CHANGELIST, {"action": "deactivate", "_selected_action": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.is_active


def test_owner_lists_only_own_collections(owner_client, business, other_business):
    CollectionFactory(business=business, name="Our aisle")
    theirs = CollectionFactory(business=other_business, name="Their aisle")
    page = owner_client.get("/admin/catalog/collection/").content.decode()
    assert "Our aisle" in page and "Their aisle" not in page
    assert owner_client.get(f"/admin/catalog/collection/{theirs.pk}/change/").status_code in (302, 404)


def test_collection_cannot_hold_another_business_product(owner_client, business, other_business):
    collection = CollectionFactory(business=business, slug="aisle")
    theirs = ProductFactory(business=other_business)
    owner_client.post(f"/admin/catalog/collection/{collection.pk}/change/", {
        "business": business.pk, "name": collection.name, "slug": "aisle", "position": 0, "is_active": "on",
        "entries-TOTAL_FORMS": 1, "entries-INITIAL_FORMS": 0, "entries-0-product": theirs.pk,
        "entries-0-position": 0,
    })
    assert not CollectionProduct.objects.filter(collection=collection).exists()


def test_product_autocomplete_offers_only_own_products(owner_client, business, other_business):
    ProductFactory(business=business, title="Basmati ours")
    ProductFactory(business=other_business, title="Basmati theirs")
    response = owner_client.get("/admin/autocomplete/", {
        "term": "basm", "app_label": "catalog", "model_name": "collectionproduct", "field_name": "product"})
    titles = [r["text"] for r in response.json()["results"]]
    assert len(titles) == 1 and "ours" in titles[0]


def test_agent_reads_the_catalog_but_cannot_change_it(business):
    agent = staff_client(business, "agent")
    product = ProductFactory(business=business, title="Rice")
    assert agent.get(CHANGELIST).status_code == 200
    agent.post(CHANGELIST, {"action": "deactivate", "_selected_action": [product.pk]})
    product.refresh_from_db()
    assert product.is_active
    assert agent.get("/admin/catalog/importjob/add/").status_code == 403


def _changelist_queries(client, url=CHANGELIST):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [CHANGELIST, CHANGELIST + "?q=product", CHANGELIST + "?stock=low"])
def test_changelist_query_count_does_not_grow_with_products(owner_client, business, url):
    ProductFactory(business=business, image_link="https://cdn.example/1.jpg", stock_quantity=3)
    CollectionFactory(business=business)
    owner_client.get(url)
    one = _changelist_queries(owner_client, url)
    ProductFactory.create_batch(60, business=business, image_link="https://cdn.example/x.jpg", stock_quantity=2)
    assert _changelist_queries(owner_client, url) == one


def test_changelist_search_uses_catalog_search_and_exact_ids(owner_client, business):
    ProductFactory(business=business, retailer_id="SKU-7", title="Basmati Rice")
    ProductFactory(business=business, retailer_id="SKU-8", title="Assam Tea")
    page = owner_client.get(CHANGELIST, {"q": "basm"}).content.decode()
    assert "Basmati Rice" in page and "Assam Tea" not in page
    assert "Assam Tea" in owner_client.get(CHANGELIST, {"q": "SKU-8"}).content.decode()


def test_low_stock_filter(owner_client, business):
    ProductFactory(business=business, title="Nearly gone", stock_quantity=6, reserved_quantity=3)
    ProductFactory(business=business, title="Plenty", stock_quantity=100)
    ProductFactory(business=business, title="Sold out", stock_quantity=2, reserved_quantity=2)
    page = owner_client.get(CHANGELIST, {"stock": "low"}).content.decode()
    assert "Nearly gone" in page and "Plenty" not in page and "Sold out" not in page


def test_price_and_stock_are_edited_in_the_list_in_the_major_unit(owner_client, business):
    product = ProductFactory(business=business, price_minor=1250, stock_quantity=5)
    page = owner_client.get(CHANGELIST).content.decode()
    assert 'value="12.50"' in page
    response = owner_client.post(CHANGELIST, {
        "form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 1, "form-0-id": product.pk,
        "form-0-price_minor": "14.75", "form-0-stock_quantity": 9, "_save": "Save"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.price_minor, product.stock_quantity) == (1475, 9)


def test_stock_cannot_be_set_below_units_held_by_orders(owner_client, business):
    product = ProductFactory(business=business, price_minor=1250, stock_quantity=5, reserved_quantity=4)
    owner_client.post(CHANGELIST, {
        "form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 1, "form-0-id": product.pk,
        "form-0-price_minor": "12.50", "form-0-stock_quantity": 2, "_save": "Save"})
    product.refresh_from_db()
    assert product.stock_quantity == 5


def test_bulk_actions_deactivate_activate_and_mark_out_of_stock(owner_client, business):
    a, b = ProductFactory(business=business), ProductFactory(business=business)
    owner_client.post(CHANGELIST, {"action": "deactivate", "_selected_action": [a.pk, b.pk]})
    assert not Product.objects.filter(pk__in=[a.pk, b.pk], is_active=True).exists()
    owner_client.post(CHANGELIST, {"action": "activate", "_selected_action": [a.pk]})
    owner_client.post(CHANGELIST, {"action": "mark_out_of_stock", "_selected_action": [b.pk]})
    a.refresh_from_db(), b.refresh_from_db()
    assert a.is_active and b.availability == "out of stock"


def test_export_action_downloads_a_feed(owner_client, business):
    product = ProductFactory(business=business, retailer_id="SKU-1", price_minor=1250)
    response = owner_client.post(CHANGELIST, {"action": "export_feed", "_selected_action": [product.pk]})
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[1].startswith("SKU-1,") and "12.50 INR" in body


def test_upload_runs_the_import_and_shows_progress_counts_and_errors(
        owner_client, business, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("feed.csv", make_feed([feed_row(1), feed_row(2, price="")]).getvalue())
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/admin/catalog/importjob/add/", {"business": business.pk, "file": upload})
    job = ImportJob.objects.get(business=business)
    assert response.status_code == 302 and response.url.endswith(f"/{job.pk}/change/")
    assert (job.status, job.created_count, job.rejected_count) == ("done", 1, 1)
    page = owner_client.get(response.url).content.decode()
    assert "import-bar" in page and "price is missing" in page
    status = owner_client.get(f"/admin/catalog/importjob/{job.pk}/status/").json()
    assert (status["status"], status["percent"], status["created"], status["rejected"]) == ("done", 100, 1, 1)
    csv_body = owner_client.get(f"/admin/catalog/importjob/{job.pk}/errors.csv").content.decode()
    assert csv_body.splitlines() == ["row,column,reason", "2,price,price is missing"]


def test_upload_of_a_file_that_is_not_a_feed_fails_with_its_reason(
        owner_client, business, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("photo.csv", b"\x89PNG\x00\x00binary")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/admin/catalog/importjob/add/", {"business": business.pk, "file": upload})
    job = ImportJob.objects.get(business=business)
    assert job.status == "failed" and "binary" in job.message
    assert not Product.objects.filter(business=business).exists()


def test_import_status_and_errors_of_another_business_answer_404(owner_client, other_business):
    job = ImportJob.objects.create(business=other_business, file="x.csv", errors=[[1, "price", "secret"]])
    assert owner_client.get(f"/admin/catalog/importjob/{job.pk}/status/").status_code == 404
    assert owner_client.get(f"/admin/catalog/importjob/{job.pk}/errors.csv").status_code == 404


def test_owner_cannot_upload_into_another_business(owner_client, other_business):
    upload = SimpleUploadedFile("feed.csv", make_feed([feed_row(1)]).getvalue())
    owner_client.post("/admin/catalog/importjob/add/", {"business": other_business.pk, "file": upload})
    assert not ImportJob.objects.filter(business=other_business).exists()


def test_import_task_run_twice_imports_once(business):
    from django.core.files.base import ContentFile

    from catalog.tasks import run_import

    job = ImportJob(business=business)
    job.file.save("feed.csv", ContentFile(make_feed([feed_row(1)]).getvalue()), save=True)
    run_import(job.pk)
    run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.unchanged_count) == ("done", 1, 0)


def test_feed_page_shows_the_secret_url_and_rotates_it(owner_client, business):
    old = business.feed_token
    page = owner_client.get("/admin/catalog/product/feed/").content.decode()
    assert f"/feeds/{business.slug}/{old}.csv" in page
    owner_client.post("/admin/catalog/product/feed/", {"business": business.pk})
    business.refresh_from_db()
    assert business.feed_token != old


def test_agent_cannot_see_or_rotate_the_feed_url(business):
    agent = staff_client(business, "agent")
    old = business.feed_token
    assert agent.get("/admin/catalog/product/feed/").status_code == 403
    agent.post("/admin/catalog/product/feed/", {"business": business.pk})
    business.refresh_from_db()
    assert business.feed_token == old


def test_collection_changelist_counts_products(owner_client, business):
    collection = CollectionFactory(business=business, name="Rice aisle")
    for _ in range(3):
        CollectionProduct.objects.create(collection=collection, product=ProductFactory(business=business))
    page = owner_client.get("/admin/catalog/collection/").content.decode()
    assert "Rice aisle" in page
    assert Collection.objects.filter(business=business).count() == 1


def test_owner_adds_a_product_with_prices_in_the_major_unit(owner_client, business):
    response = owner_client.post(f"{CHANGELIST}add/", {
        "business": business.pk, "retailer_id": "NEW-1", "title": "Basmati 1 kg", "description": "",
        "brand": "Kisan", "product_type": "", "price_minor": "120.50", "sale_price_minor": "99.00",
        "availability": "in stock", "condition": "new", "stock_quantity": 4, "is_active": "on",
        "link": "", "image_link": "https://cdn.example/r.jpg"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    product = Product.objects.get(business=business, retailer_id="NEW-1")
    assert (product.price_minor, product.sale_price_minor) == (12050, 9900)


def test_product_form_refuses_a_sale_price_above_the_price(owner_client, business):
    response = owner_client.post(f"{CHANGELIST}add/", {
        "business": business.pk, "retailer_id": "NEW-2", "title": "Tea", "price_minor": "10.00",
        "sale_price_minor": "12.00", "availability": "in stock", "condition": "new", "is_active": "on"})
    assert response.status_code == 200
    assert "The sale price must be below the price." in response.content.decode()
    assert not Product.objects.filter(retailer_id="NEW-2").exists()


def test_old_import_files_are_purged_but_the_record_stays(business):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from catalog.tasks import purge_import_files

    old, recent = ImportJob(business=business), ImportJob(business=business)
    for job, age in ((old, 40), (recent, 2)):
        job.file.save("feed.csv", ContentFile(b"id,title,price\n"), save=False)
        job.finished_at = timezone.now() - timedelta(days=age)
        job.errors = [[1, "price", "price is missing"]]
        job.save()
    old_name = old.file.name
    assert purge_import_files() == 1
    old.refresh_from_db(), recent.refresh_from_db()
    assert not old.file and old.errors and recent.file
    assert not ImportJob._meta.get_field("file").storage.exists(old_name)


def test_product_page_shows_prices_in_the_major_unit(owner_client, business):
    product = ProductFactory(business=business, price_minor=124950, sale_price_minor=99900)
    page = owner_client.get(f"{CHANGELIST}{product.pk}/change/").content.decode()
    assert 'value="1249.50"' in page and 'value="999.00"' in page


def test_pending_import_page_polls_its_status(owner_client, business):
    job = ImportJob.objects.create(business=business, file="x.csv", filename="big.csv", total_rows=50000,
                                   processed_rows=12000)
    page = owner_client.get(f"/admin/catalog/importjob/{job.pk}/change/").content.decode()
    assert f'data-status-url="/admin/catalog/importjob/{job.pk}/status/"' in page
    assert 'aria-valuenow="24"' in page


def test_id_and_business_of_an_existing_product_cannot_be_changed(owner_client, business):
    product = ProductFactory(business=business, retailer_id="SKU-1", price_minor=1000)
    owner_client.post(f"{CHANGELIST}{product.pk}/change/", {
        "retailer_id": "SKU-CHANGED", "title": "Renamed", "price_minor": "10.00", "availability": "in stock",
        "condition": "new", "is_active": "on"})
    product.refresh_from_db()
    assert (product.retailer_id, product.title) == ("SKU-1", "Renamed")


@pytest.mark.parametrize("term", ["DG-0000", "g-00004", "ghe", "Cow gh"])
def test_product_search_finds_partial_ids_and_titles(owner_client, business, term):
    wanted = ProductFactory(business=business, retailer_id="DG-000042", title="Cow ghee 1 l")
    other = ProductFactory(business=business, retailer_id="XY-9", title="Basmati rice")
    page = owner_client.get("/admin/catalog/product/", {"q": term}).content.decode()
    assert wanted.title in page and other.title not in page
