"""Variants in the back office (#18): the variant attributes on the product form, the Variant
column and filter of the list, the product page listing its group's variants with links to see and
edit them together (the list of the group) and to add one; the list of a group stays at a fixed
number of queries; another business's group shows nothing."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/catalog/product/"


def tee(business, size, **fields):
    return ProductFactory(business=business, retailer_id=f"TEE-{size}", title="Classic T-shirt", item_group_id="TEE",
                          size=size, color="Navy", **fields)


def test_the_product_page_shows_the_variant_fields_and_the_group(owner_client, business):
    small, medium = tee(business, "S"), tee(business, "M")
    page = owner_client.get(f"{CHANGELIST}{medium.pk}/change/").content.decode()
    for name in ("item_group_id", "size", "color", "material", "pattern", "gender"):
        assert f'name="{name}"' in page
    assert "2 variants:" in page
    assert f'href="/admin/catalog/product/{small.pk}/change/">S, Navy</a>' in page
    assert 'href="/admin/catalog/product/?item_group_id=TEE">See and edit them together</a>' in page
    assert "/admin/catalog/product/add/?business=" in page and "item_group_id=TEE" in page


def test_a_product_without_a_group_says_how_to_make_it_a_variant(owner_client, business):
    plain = ProductFactory(business=business)
    page = owner_client.get(f"{CHANGELIST}{plain.pk}/change/").content.decode()
    assert "Not a variant: give an item group id" in page


def test_the_form_saves_the_variant_attributes_and_refuses_a_bad_group_id(owner_client, business):
    product = ProductFactory(business=business, price_minor=49900, stock_quantity=5)
    data = {"title": product.title, "description": "", "brand": "", "product_type": "", "price_minor": "499.00",
            "sale_price_minor": "", "availability": "in stock", "condition": "new", "stock_quantity": 5,
            "is_active": "on", "link": "", "image_link": "", "item_group_id": "TEE", "size": "L", "color": "Navy",
            "material": "Cotton", "pattern": "", "gender": "unisex"}
    response = owner_client.post(f"{CHANGELIST}{product.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    product.refresh_from_db()
    assert (product.item_group_id, product.size, product.gender) == ("TEE", "L", "unisex")
    response = owner_client.post(f"{CHANGELIST}{product.pk}/change/", {**data, "item_group_id": "TEE 1/2"})
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.item_group_id == "TEE"


def test_the_list_of_a_group_shows_its_variants_with_price_and_stock_editable(owner_client, business, other_business):
    tee(business, "S")
    tee(business, "M")
    ProductFactory(business=business, title="Assam Tea")
    ProductFactory(business=other_business, retailer_id="THEIR-TEE", item_group_id="TEE", title="Their tee")
    page = owner_client.get(CHANGELIST, {"item_group_id": "TEE"}).content.decode()
    assert "TEE-S" in page and "TEE-M" in page
    assert "Assam Tea" not in page and "Their tee" not in page
    assert '<a href="/admin/catalog/product/?item_group_id=TEE">TEE</a>: M, Navy' in page
    assert 'name="form-0-price_minor"' in page and 'name="form-1-stock_quantity"' in page


def test_the_variant_filter_tells_variants_from_other_products(owner_client, business):
    tee(business, "S")
    ProductFactory(business=business, title="Assam Tea")
    variants = owner_client.get(CHANGELIST, {"item_group_id": "~any"}).content.decode()
    others = owner_client.get(CHANGELIST, {"item_group_id": "~none"}).content.decode()
    assert "TEE-S" in variants and "Assam Tea" not in variants
    assert "Assam Tea" in others and "TEE-S" not in others


def test_the_group_list_costs_the_same_queries_for_2_and_30_variants(owner_client, business):
    tee(business, "S")
    tee(business, "M")
    url = f"{CHANGELIST}?item_group_id=TEE"
    owner_client.get(url)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert owner_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    two = queries()
    for n in range(28):
        tee(business, str(30 + n))
    assert queries() == two


def test_the_product_page_in_german(owner_client, business):
    from django.test import Client

    medium = tee(business, "M")
    client = Client(headers={"accept-language": "de"})
    client.force_login(owner_client.user)
    page = client.get(f"{CHANGELIST}{medium.pk}/change/").content.decode()
    assert "Variantengruppe" in page or "Variante" in page
    assert "Größe" in page


def test_another_business_product_page_is_out_of_reach(owner_client, other_business):
    theirs = tee(other_business, "S")
    assert owner_client.get(f"{CHANGELIST}{theirs.pk}/change/").status_code in (302, 404)
    assert Product.objects.filter(pk=theirs.pk).exists()
