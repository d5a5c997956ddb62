"""Variants in the catalog API (#18): a product sheet names its group and variant attributes; the
group endpoint answers the group with its variants in a constant number of queries; another
business's group is a 404; the integration key writes the attributes by the feed's rules."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/catalog/products/"
GROUPS = "/api/v1/catalog/product-groups/"


def tee(business, size, color="Navy", **fields):
    fields.setdefault("stock_quantity", 5)
    return ProductFactory(business=business, retailer_id=f"TEE-{size}-{color[:3].upper()}", title="Classic T-shirt",
                          item_group_id="TEE", size=size, color=color, material="Cotton", gender="unisex", **fields)


def test_a_product_sheet_shows_its_group_and_variant_attributes(api, business):
    tee(business, "M", price_minor=49900)
    body = api.get(f"{PRODUCTS}TEE-M-NAV/").json()
    assert {k: body[k] for k in ("item_group_id", "size", "color", "material", "pattern", "gender")} == {
        "item_group_id": "TEE", "size": "M", "color": "Navy", "material": "Cotton", "pattern": "", "gender": "unisex"}


def test_the_group_answers_its_active_variants_with_what_varies(api, business):
    tee(business, "L", price_minor=54900)
    tee(business, "S", stock_quantity=0)
    tee(business, "M", color="Red")
    tee(business, "XL", is_active=False)
    ProductFactory(business=business, retailer_id="MUG")
    response = api.get(f"{GROUPS}TEE/")
    assert response.status_code == 200
    body = response.json()
    assert (body["item_group_id"], body["title"], body["varies"]) == ("TEE", "Classic T-shirt", ["size", "color"])
    assert body["options"] == {"size": ["S", "M", "L"], "color": ["Navy", "Red"], "material": ["Cotton"],
                               "gender": ["unisex"]}
    assert [(v["retailer_id"], v["price"], v["available_quantity"]) for v in body["variants"]] == [
        ("TEE-S-NAV", "100.00", 0), ("TEE-M-RED", "100.00", 5), ("TEE-L-NAV", "549.00", 5)]


def test_another_business_group_answers_404(api, business, other_business):
    tee(other_business, "M")
    response = api.get(f"{GROUPS}TEE/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api.get(f"{GROUPS}NO-SUCH-GROUP/").status_code == 404


def test_a_group_whose_variants_are_all_inactive_answers_404(api, business):
    tee(business, "M", is_active=False)
    assert api.get(f"{GROUPS}TEE/").status_code == 404


def _queries(api, url):
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_group_costs_the_same_queries_for_2_and_40_variants(api, business):
    tee(business, "S")
    tee(business, "M")
    api.get(f"{GROUPS}TEE/")  # warm up: the key's last_used_at is written on the first call only
    two = _queries(api, f"{GROUPS}TEE/")
    for n in range(38):
        tee(business, str(30 + n))
    assert _queries(api, f"{GROUPS}TEE/") == two <= 2


def test_the_product_list_filters_by_group(api, business):
    tee(business, "S")
    tee(business, "M")
    ProductFactory(business=business, retailer_id="MUG")
    body = api.get(PRODUCTS, {"item_group_id": "TEE"}).json()
    assert sorted(p["retailer_id"] for p in body["results"]) == ["TEE-M-NAV", "TEE-S-NAV"]


def test_put_writes_the_variant_attributes_and_refuses_a_bad_gender(integration_api, business):
    body = {"title": "Classic T-shirt", "price": "499.00", "item_group_id": "TEE", "size": "M", "color": "Navy",
            "gender": "unisex"}
    created = integration_api.put(f"{PRODUCTS}TEE-M/", body, format="json")
    assert created.status_code == 201
    assert (created.json()["item_group_id"], created.json()["size"]) == ("TEE", "M")
    refused = integration_api.put(f"{PRODUCTS}TEE-L/", {**body, "gender": "kids"}, format="json")
    assert refused.status_code == 400
    assert "gender" in refused.json()["error"]["fields"]


def test_the_batch_endpoint_takes_variant_attributes(integration_api, business):
    requests = [{"method": "CREATE", "retailer_id": f"TEE-{size}",
                 "data": {"title": "Tee", "price": "10.00", "item_group_id": "TEE", "size": size}}
                for size in ("S", "M")]
    requests.append({"method": "UPDATE", "retailer_id": "TEE-S", "data": {"color": "Red"}})
    response = integration_api.post(f"{PRODUCTS}batch/", {"requests": requests[:2]}, format="json")
    assert [r["status"] for r in response.json()["results"]] == ["created", "created"]
    response = integration_api.post(f"{PRODUCTS}batch/", {"requests": requests[2:]}, format="json")
    assert response.json()["results"][0]["status"] == "updated"
    group = integration_api.get(f"{GROUPS}TEE/").json()
    assert [(v["size"], v["color"]) for v in group["variants"]] == [("S", "Red"), ("M", "")]


def test_the_schema_describes_the_group_endpoint(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/catalog/product-groups/{item_group_id}/"]["get"]
    assert {"200", "401", "404"} <= set(operation["responses"])
    product = schema["components"]["schemas"]["Product"]["properties"]
    assert {"item_group_id", "size", "color", "material", "pattern", "gender"} <= set(product)
