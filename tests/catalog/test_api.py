"""Catalog API: collections, product list and sheet, filters, tenancy, constant query counts,
and the integration key's writes (PUT / PATCH / DELETE, batch)."""
import pytest

from catalog.models import Product
from tests.factories import CollectionFactory, CollectionProductFactory, ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/catalog/products/"


def retailer_ids(response):
    return [p["retailer_id"] for p in response.json()["results"]]


def test_product_sheet_shows_money_as_decimal_strings_with_currency(api, business):
    ProductFactory(business=business, retailer_id="SKU-1", price_minor=124950, sale_price_minor=99900,
                   stock_quantity=10, reserved_quantity=3)
    body = api.get(f"{PRODUCTS}SKU-1/").json()
    assert (body["price"], body["sale_price"], body["currency"]) == ("1249.50", "999.00", "INR")
    assert (body["stock_quantity"], body["available_quantity"]) == (10, 7)


def test_another_business_product_answers_404(api, other_business):
    ProductFactory(business=other_business, retailer_id="THEIRS")
    response = api.get(f"{PRODUCTS}THEIRS/")
    assert response.status_code == 404
    assert "THEIRS" not in response.content.decode()


def test_inactive_products_are_invisible(api, business):
    ProductFactory(business=business, retailer_id="OFF", is_active=False)
    ProductFactory(business=business, retailer_id="ON")
    assert api.get(f"{PRODUCTS}OFF/").status_code == 404
    assert retailer_ids(api.get(PRODUCTS)) == ["ON"]


def test_list_shows_only_own_products(api, business, other_business):
    ProductFactory(business=business, retailer_id="MINE")
    ProductFactory(business=other_business, retailer_id="THEIRS")
    assert retailer_ids(api.get(PRODUCTS)) == ["MINE"]


def test_search_parameter_ranks_title_hits_first(api, business):
    ProductFactory(business=business, retailer_id="D", title="Pulao Mix", description="made with basmati")
    ProductFactory(business=business, retailer_id="T", title="Basmati Rice 5 kg")
    ProductFactory(business=business, retailer_id="N", title="Assam Tea")
    assert retailer_ids(api.get(PRODUCTS, {"q": "basm"})) == ["T", "D"]


def test_search_results_page_with_cursors_without_repeats(api, business):
    for n in range(7):
        ProductFactory(business=business, retailer_id=f"R{n}", title=f"Rice {n}",
                       description="rice " * (n % 3))
    seen, url, params = [], PRODUCTS, {"q": "rice", "page_size": 3}
    while url:
        body = api.get(url, params).json()
        seen += [p["retailer_id"] for p in body["results"]]
        url, params = body["next"], None
    assert sorted(seen) == [f"R{n}" for n in range(7)]


def test_filters_by_collection_stock_and_price(api, business):
    rice = CollectionFactory(business=business, slug="rice")
    a = ProductFactory(business=business, retailer_id="A", price_minor=5000, stock_quantity=5)
    ProductFactory(business=business, retailer_id="B", price_minor=20000, sale_price_minor=9000, stock_quantity=0)
    ProductFactory(business=business, retailer_id="C", price_minor=30000, stock_quantity=None)
    CollectionProductFactory(collection=rice, product=a)
    assert retailer_ids(api.get(PRODUCTS, {"collection": "rice"})) == ["A"]
    assert retailer_ids(api.get(PRODUCTS, {"in_stock": "true"})) == ["A", "C"]
    assert retailer_ids(api.get(PRODUCTS, {"in_stock": "false"})) == ["B"]
    assert retailer_ids(api.get(PRODUCTS, {"min_price": "60", "max_price": "100.00"})) == ["B"]


def test_bad_filter_values_answer_400_naming_the_parameter(api):
    response = api.get(PRODUCTS, {"min_price": "cheap"})
    assert response.status_code == 400
    assert "min_price" in response.json()["error"]["fields"]


def test_collections_list_counts_active_products(api, business, other_business):
    rice = CollectionFactory(business=business, name="Rice", slug="rice")
    CollectionProductFactory(collection=rice)
    CollectionProductFactory(collection=rice, product__is_active=False)
    CollectionFactory(business=business, slug="hidden", is_active=False)
    CollectionFactory(business=other_business, slug="theirs")
    assert api.get("/api/v1/catalog/collections/").json()["results"] == [
        {"slug": "rice", "name": "Rice", "position": 0, "product_count": 1}]


def _queries_for_list(api, django_assert_num_queries, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [PRODUCTS + "?page_size=100", PRODUCTS + "?q=product&page_size=100",
                                 "/api/v1/catalog/collections/?page_size=100"])
def test_query_count_is_the_same_for_1_and_100_rows(api, business, django_assert_num_queries, url):
    ProductFactory(business=business, title="Product one")
    CollectionProductFactory(collection__business=business)
    api.get(url)  # warm up: the key's last_used_at is written on the first call only
    one = _queries_for_list(api, django_assert_num_queries, url)
    ProductFactory.create_batch(100, business=business)
    for _ in range(30):
        CollectionProductFactory(collection__business=business)
    assert _queries_for_list(api, django_assert_num_queries, url) == one


# --- writes --------------------------------------------------------------------------------

def test_gateway_key_cannot_write(api, business):
    ProductFactory(business=business, retailer_id="SKU-1")
    assert api.put(f"{PRODUCTS}SKU-1/", {"title": "X", "price": "1.00"}, format="json").status_code == 403
    assert api.patch(f"{PRODUCTS}SKU-1/", {"price": "1.00"}, format="json").status_code == 403
    assert api.delete(f"{PRODUCTS}SKU-1/").status_code == 403
    response = api.post(f"{PRODUCTS}batch/", {"requests": []}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "scope_missing"


def test_put_creates_then_replaces(integration_api, business):
    body = {"title": "Basmati 5 kg", "price": "450.00", "sale_price": "399.00", "stock_quantity": 12,
            "availability": "in stock", "brand": "Kisan"}
    created = integration_api.put(f"{PRODUCTS}RICE-5/", body, format="json")
    assert created.status_code == 201
    assert (created.json()["price"], created.json()["sale_price"]) == ("450.00", "399.00")
    replaced = integration_api.put(f"{PRODUCTS}RICE-5/", {"title": "Basmati 5 kg", "price": "460.00"},
                                   format="json")
    assert replaced.status_code == 200
    product = Product.objects.get(business=business, retailer_id="RICE-5")
    assert (product.price_minor, product.sale_price_minor, product.brand, product.stock_quantity) == (
        46000, None, "", None)


@pytest.mark.parametrize("body,field", [
    ({"price": "1.00"}, "title"),
    ({"title": "X"}, "price"),
    ({"title": "X", "price": 1.5}, "price"),
    ({"title": "X", "price": "1.001"}, "price"),
    ({"title": "X", "price": "-1"}, "price"),
    ({"title": "X", "price": "1.00", "currency": "EUR"}, "currency"),
    ({"title": "X", "price": "1.00", "sale_price": "2.00"}, "sale_price"),
    ({"title": "X", "price": "1.00", "link": "javascript:alert(1)"}, "link"),
    ({"title": "X", "price": "1.00", "stock_quantity": -1}, "stock_quantity"),
    ({"title": "X", "price": "1.00", "availability": "maybe"}, "availability"),
])
def test_put_with_bad_fields_answers_400_naming_them_and_writes_nothing(integration_api, business, body, field):
    response = integration_api.put(f"{PRODUCTS}NEW-1/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Product.objects.filter(business=business).exists()


def test_put_with_a_bad_retailer_id_answers_400(integration_api):
    response = integration_api.put(f"{PRODUCTS}{'x' * 101}/", {"title": "X", "price": "1.00"}, format="json")
    assert response.status_code == 400
    assert "retailer_id" in response.json()["error"]["fields"]


def test_put_keeps_stock_held_by_orders_and_refuses_less(integration_api, business):
    ProductFactory(business=business, retailer_id="SKU-1", stock_quantity=10, reserved_quantity=4)
    response = integration_api.put(f"{PRODUCTS}SKU-1/", {"title": "X", "price": "1.00", "stock_quantity": 3},
                                   format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stock_below_reserved"
    ok = integration_api.put(f"{PRODUCTS}SKU-1/", {"title": "X", "price": "1.00", "stock_quantity": 6},
                             format="json")
    assert ok.json()["available_quantity"] == 2


def test_patch_changes_price_and_stock(integration_api, business):
    ProductFactory(business=business, retailer_id="SKU-1", title="Keep me", price_minor=1000)
    response = integration_api.patch(f"{PRODUCTS}SKU-1/", {"price": "12.00", "stock_quantity": 3}, format="json")
    assert response.status_code == 200
    product = Product.objects.get(business=business, retailer_id="SKU-1")
    assert (product.title, product.price_minor, product.stock_quantity) == ("Keep me", 1200, 3)


def test_patch_refuses_fields_it_does_not_change(integration_api, business):
    ProductFactory(business=business, retailer_id="SKU-1")
    response = integration_api.patch(f"{PRODUCTS}SKU-1/", {"title": "New"}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()["error"]["fields"]


def test_patch_refuses_a_price_below_the_sale_price(integration_api, business):
    ProductFactory(business=business, retailer_id="SKU-1", price_minor=1000, sale_price_minor=800)
    response = integration_api.patch(f"{PRODUCTS}SKU-1/", {"price": "7.00"}, format="json")
    assert response.status_code == 400
    assert "sale_price" in response.json()["error"]["fields"]


def test_delete_deactivates(integration_api, business):
    ProductFactory(business=business, retailer_id="SKU-1")
    assert integration_api.delete(f"{PRODUCTS}SKU-1/").status_code == 204
    assert not Product.objects.get(business=business, retailer_id="SKU-1").is_active
    assert integration_api.get(f"{PRODUCTS}SKU-1/").status_code == 404
    assert integration_api.patch(f"{PRODUCTS}SKU-1/", {"is_active": True}, format="json").status_code == 200
    assert integration_api.get(f"{PRODUCTS}SKU-1/").status_code == 200


def test_writes_to_another_business_product_answer_404(integration_api, other_business):
    theirs = ProductFactory(business=other_business, retailer_id="THEIRS", price_minor=1000)
    assert integration_api.patch(f"{PRODUCTS}THEIRS/", {"price": "1.00"}, format="json").status_code == 404
    assert integration_api.delete(f"{PRODUCTS}THEIRS/").status_code == 404
    theirs.refresh_from_db()
    assert (theirs.price_minor, theirs.is_active) == (1000, True)


def test_batch_applies_each_item_and_reports_each_result(integration_api, business):
    ProductFactory(business=business, retailer_id="OLD", price_minor=1000, title="Old")
    ProductFactory(business=business, retailer_id="GONE")
    requests = [
        {"method": "CREATE", "retailer_id": "NEW", "data": {"title": "New", "price": "5.00"}},
        {"method": "UPDATE", "retailer_id": "OLD", "data": {"price": "12.00"}},
        {"method": "DELETE", "retailer_id": "GONE"},
        {"method": "UPDATE", "retailer_id": "MISSING", "data": {"price": "1.00"}},
        {"method": "CREATE", "retailer_id": "BAD", "data": {"title": "", "price": "x"}},
        {"method": "CREATE", "retailer_id": "NEW", "data": {"title": "Twice", "price": "5.00"}},
    ]
    response = integration_api.post(f"{PRODUCTS}batch/", {"requests": requests}, format="json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "updated", "deleted", "error", "error", "error"]
    assert set(results[4]["errors"]) == {"title", "price"}
    assert Product.objects.get(business=business, retailer_id="OLD").price_minor == 1200
    assert Product.objects.get(business=business, retailer_id="OLD").title == "Old"
    assert not Product.objects.get(business=business, retailer_id="GONE").is_active
    assert Product.objects.get(business=business, retailer_id="NEW").title == "New"


def test_batch_query_count_does_not_grow_with_items(integration_api, business, django_assert_max_num_queries):
    requests = [{"method": "CREATE", "retailer_id": f"N{n}", "data": {"title": f"N{n}", "price": "1.00"}}
                for n in range(300)]
    # PostgreSQL writes the rows with one COPY; SQLite's upsert is cut into statements of at most
    # 999 parameters (seven for 300 rows of the feed's 23 fields)
    from django.db import connection

    with django_assert_max_num_queries(12 if connection.vendor == "postgresql" else 13):
        response = integration_api.post(f"{PRODUCTS}batch/", {"requests": requests}, format="json")
    assert [r["status"] for r in response.json()["results"]] == ["created"] * 300


def test_batch_refuses_more_than_5000_items(integration_api):
    requests = [{"method": "DELETE", "retailer_id": f"N{n}"} for n in range(5001)]
    response = integration_api.post(f"{PRODUCTS}batch/", {"requests": requests}, format="json")
    assert response.status_code == 400
    assert "requests" in response.json()["error"]["fields"]


def test_batch_does_not_touch_another_business(integration_api, other_business):
    ProductFactory(business=other_business, retailer_id="THEIRS")
    response = integration_api.post(f"{PRODUCTS}batch/", {"requests": [
        {"method": "DELETE", "retailer_id": "THEIRS"}]}, format="json")
    assert response.json()["results"][0]["status"] == "error"
    assert Product.objects.get(retailer_id="THEIRS").is_active


def test_batch_item_errors_name_the_item_and_field(integration_api):
    response = integration_api.post(f"{PRODUCTS}batch/", {"requests": [{"method": "CREATE", "data": {}}]},
                                    format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"requests[0].retailer_id": ["This field is required."]}
